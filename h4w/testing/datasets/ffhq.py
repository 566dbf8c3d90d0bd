"""A tiny FFHQ with FLAME fits in the upstream layout."""

import json
import os
import os.path as osp

import cv2
import numpy as np

from h4w.synthetic import SyntheticPeople

from .coco_file import coco_db

__all__ = ['make_ffhq']

IMG_SHAPE = (256, 256)


def make_ffhq(
    root: str,
    model_root: str,
    seed: int = 0,
    fit_file: str = 'flame_param.json',
) -> str:
    """Write two face images (256 x 256), one FLAME head each.

    ``keypoints`` are the 73 FLAME joints projected into the image; the
    five kinematic joints (0-4) are marked invalid, as a 68-landmark
    annotation has no source for them. The first annotation has a FLAME
    fit (camera frame, original-image camera); the second has none.

    Args:
        root (str): Output ``data/FFHQ`` folder.
        model_root (str): Synthetic ``human_model_files``.
        seed (int): Seed.
        fit_file (str): Name of the fit file in ``data/``.

    Returns:
        str: ``root``.
    """
    people = SyntheticPeople(model_root, seed)
    data_dir = osp.join(root, 'data')
    images, annotations, fits = [], [], {}
    for i in range(2):
        placed = people.place('flame', IMG_SHAPE, fill=0.6)
        name = f'images1024x1024/{i:05d}.png'
        path = osp.join(data_dir, name)
        os.makedirs(osp.dirname(path), exist_ok=True)
        cv2.imwrite(path, people.draw([placed], IMG_SHAPE))
        valid = np.ones(73)
        valid[:5] = 0
        images.append(
            dict(id=i, file_name=name, width=IMG_SHAPE[1], height=IMG_SHAPE[0])
        )
        annotations.append(
            dict(
                id=10 + i,
                image_id=i,
                bbox=placed['bbox'].tolist(),
                keypoints=placed['joints_2d'].tolist(),
                keypoints_valid=valid.tolist(),
            )
        )
        if i == 0:
            fits[str(10 + i)] = dict(
                flame_param={
                    k: v.tolist() for k, v in placed['params'].items()
                },
                cam_param=dict(
                    focal=placed['focal'].tolist(),
                    princpt=placed['princpt'].tolist(),
                ),
            )
    with open(osp.join(data_dir, 'FFHQ.json'), 'w') as f:
        json.dump(
            coco_db(images, annotations, 'face'),
            f,
        )
    with open(osp.join(data_dir, fit_file), 'w') as f:
        json.dump(fits, f)
    return root
