"""A tiny 3DPW in the parsed layout of Hand4Whole / Pose2Pose."""

import json
import os
import os.path as osp
from typing import Optional, Sequence

import cv2
import numpy as np

from h4w.synthetic import SyntheticPeople

from .coco_file import coco_db

__all__ = ['make_pw3d']

IMG_SHAPE = (320, 320)  # (H, W); 3DPW frames are 1920 x 1080

#: People per image: (gender, horizontal centre as a fraction of W).
SCENES = (
    (('male', 0.5),),
    (('female', 0.3), ('male', 0.72)),
)


def make_pw3d(
    root: str,
    model_root: str,
    seed: int = 0,
    splits: Sequence[str] = ('test',),
    record: Optional[dict] = None,
) -> str:
    """Write ``data/3DPW_{split}.json`` and ``imageFiles/<sequence>/`` for
    each split: two images, the first with a man, the second with a
    woman and a man.

    People are gendered SMPL meshes drawn by :class:`SyntheticPeople`;
    ``smpl_param`` is the fit in the camera frame (``pose`` 72 = root
    then body, ``shape`` 10, ``trans`` 3, ``gender`` ``'male'`` /
    ``'female'``); the camera (``focal`` 1.2 W, ``princpt`` at the
    centre) is in ``images[i]['cam_param']``; ``bbox`` is the tight xywh
    box of the projected mesh. Sequences are ``<split>_seq_00``, images
    ``image_00000.jpg`` and ``image_00001.jpg``.

    Args:
        root (str): Output ``data/PW3D`` folder.
        model_root (str): Synthetic ``human_model_files``.
        seed (int): Seed.
        splits (Sequence[str]): Among ``'train'``, ``'validation'``,
            ``'test'``.
        record (dict, optional): Filled with ``{(split, ann_id):
            dict(vertices (6890, 3) camera frame, params, gender)}``.

    Returns:
        str: ``root``.
    """
    people = SyntheticPeople(model_root, seed)
    os.makedirs(osp.join(root, 'data'), exist_ok=True)
    height, width = IMG_SHAPE
    for split_idx, split in enumerate(splits):
        sequence = f'{split}_seq_00'
        images, annotations = [], []
        for frame, scene in enumerate(SCENES):
            image_id = split_idx * 100 + frame
            placed = []
            for gender, x in scene:
                fill = 0.7 if len(scene) == 1 else 0.55
                person = people.place(
                    'smpl',
                    IMG_SHAPE,
                    key=gender,
                    fill=fill,
                    center=(x * width, height / 2),
                )
                placed.append((gender, person))
            img = people.draw([p for _, p in placed], IMG_SHAPE)
            name = f'image_{frame:05d}.jpg'
            path = osp.join(root, 'imageFiles', sequence, name)
            os.makedirs(osp.dirname(path), exist_ok=True)
            cv2.imwrite(path, img)
            focal, princpt = placed[0][1]['focal'], placed[0][1]['princpt']
            images.append(
                dict(
                    id=image_id,
                    file_name=name,
                    sequence=sequence,
                    frame_idx=frame,
                    width=width,
                    height=height,
                    cam_param=dict(
                        focal=focal.tolist(), princpt=princpt.tolist()
                    ),
                )
            )
            for gender, person in placed:
                ann_id = image_id * 10 + len(annotations)
                p = person['params']
                smpl_param = dict(
                    pose=np.concatenate(
                        [p['root_pose'], p['body_pose']]
                    ).tolist(),
                    shape=p['shape'].tolist(),
                    trans=p['trans'].tolist(),
                    gender=gender,
                )
                annotations.append(
                    dict(
                        id=ann_id,
                        image_id=image_id,
                        bbox=[float(v) for v in person['bbox']],
                        smpl_param=smpl_param,
                    )
                )
                if record is not None:
                    record[(split, ann_id)] = dict(
                        vertices=person['vertices'], params=p, gender=gender
                    )
        with open(osp.join(root, 'data', f'3DPW_{split}.json'), 'w') as f:
            json.dump(
                coco_db(images, annotations),
                f,
            )
    return root
