"""A tiny FreiHAND in the upstream parsed layout."""

import json
import os
import os.path as osp

import cv2
import numpy as np

from h4w.structures.bbox import process_bbox
from h4w.synthetic import SyntheticPeople

from .coco_file import coco_db

__all__ = ['make_freihand']

IMG_SHAPE = (224, 224)


def _fit(placed: dict) -> dict:
    params = placed['params']
    return dict(
        cam_param=dict(
            focal=placed['focal'].tolist(), princpt=placed['princpt'].tolist()
        ),
        mano_param=dict(
            pose=np.concatenate(
                [params['root_pose'], params['hand_pose']]
            ).tolist(),
            shape=params['shape'].tolist(),
            trans=params['trans'].tolist(),
        ),
    )


def make_freihand(root: str, model_root: str, seed: int = 0) -> str:
    """Write two training and two evaluation images (224 x 224), one
    right MANO hand each, camera-frame fits.

    The evaluation annotations are written in reverse ``db_idx`` order
    (the dataset must sort them back). RootNet entries give the
    evaluation boxes (square, x1.25, as RootNet writes them, around a
    slightly shifted and grown hand box, like a detection) and the wrist
    in camera coordinates (millimetres).

    Args:
        root (str): Output ``data/FreiHAND`` folder.
        model_root (str): Synthetic ``human_model_files``.
        seed (int): Seed.

    Returns:
        str: ``root``.
    """
    people = SyntheticPeople(model_root, seed)
    data_dir = osp.join(root, 'data')
    rootnet = []
    for split, folder in (('train', 'training'), ('eval', 'evaluation')):
        images, annotations, fits = [], [], {}
        for db_idx in range(2):
            placed = people.place('mano', IMG_SHAPE, key='right', fill=0.5)
            name = f'{folder}/rgb/{db_idx:08d}.jpg'
            path = osp.join(data_dir, name)
            os.makedirs(osp.dirname(path), exist_ok=True)
            cv2.imwrite(path, people.draw([placed], IMG_SHAPE))
            image_id = db_idx + (0 if split == 'train' else 100)
            images.append(
                dict(
                    id=image_id,
                    file_name=name,
                    width=IMG_SHAPE[1],
                    height=IMG_SHAPE[0],
                    db_idx=db_idx,
                )
            )
            annotations.append(
                dict(
                    id=image_id,
                    image_id=image_id,
                    bbox=placed['bbox'].tolist(),
                    iscrowd=0,
                )
            )
            fits[str(db_idx)] = _fit(placed)
            if split == 'eval':
                # a detector box: near, not equal to, the tight box
                box = process_bbox(
                    placed['bbox'] + [3.0, -2.0, 4.0, 4.0],
                    IMG_SHAPE[1],
                    IMG_SHAPE[0],
                    aspect_ratio=1.0,
                )
                rootnet.append(
                    dict(
                        image_id=image_id,
                        bbox=box.tolist(),
                        root_cam=(placed['joints'][0] * 1000).tolist(),
                    )
                )
        if split == 'eval':
            images.reverse()
            annotations.reverse()
        with open(osp.join(data_dir, f'freihand_{split}_coco.json'), 'w') as f:
            json.dump(
                coco_db(images, annotations, 'hand'),
                f,
            )
        with open(osp.join(data_dir, f'freihand_{split}_data.json'), 'w') as f:
            json.dump(fits, f)
    os.makedirs(osp.join(root, 'rootnet_output'), exist_ok=True)
    with open(
        osp.join(root, 'rootnet_output', 'bbox_root_freihand_output.json'), 'w'
    ) as f:
        json.dump(rootnet, f)
    return root
