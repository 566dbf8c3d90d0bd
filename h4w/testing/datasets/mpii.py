"""A tiny MPII in the upstream parsed layout."""

import json
import os
import os.path as osp

import cv2
import numpy as np

from h4w.body_models.joint_sets import (
    H36M_JOINTS,
    SMPL_JOINTS,
    SMPLX_JOINTS,
)
from h4w.datasets.datasets.mpii_dataset import MPIIDataset
from h4w.synthetic import SyntheticPeople, project

from .coco_file import coco_db

__all__ = ['make_mpii', 'MPII_KEYPOINTS']

#: The 16 keypoints of the parsed ``train.json`` (upstream order), those
#: of :class:`MPIIDataset`.
MPII_KEYPOINTS = MPIIDataset.METAINFO['joint_names']

#: Per image: (H, W) and the people as (centre x / W, height fill).
LAYOUTS = (
    ((640, 480), [(0.5, 0.6)]),
    ((640, 480), [(0.5, 0.6)]),
    ((480, 640), [(0.27, 0.55), (0.73, 0.55)]),
)


def _keypoints(person: dict, model_type: str) -> np.ndarray:
    """(16, 2) pixels of a placed person: the model's joints where the
    names match, Thorax between the shoulders, Head_top from the
    Human3.6M regressor."""
    names = (
        SMPLX_JOINTS if model_type == 'smplx' else SMPL_JOINTS
    ).joint_names
    joints_2d = person['joints_2d']
    h36m_2d = project(
        person['h36m_joints'], person['focal'], person['princpt']
    )
    out = []
    for name in MPII_KEYPOINTS:
        if name in names:
            out.append(joints_2d[names.index(name)])
        elif name == 'Thorax':
            out.append(
                (
                    joints_2d[names.index('L_Shoulder')]
                    + joints_2d[names.index('R_Shoulder')]
                )
                / 2
            )
        else:
            out.append(h36m_2d[H36M_JOINTS.index(name)])
    return np.array(out, dtype=np.float64)


def _bbox(keypoints: np.ndarray, visible: np.ndarray) -> list:
    """Box of the annotated keypoints enlarged by 20 % as the upstream
    converter (``mpii2coco.py``) writes it."""
    pts = keypoints[visible > 0]
    (x1, y1), (x2, y2) = pts.min(0), pts.max(0)
    w, h = x2 - x1 - 1, y2 - y1 - 1
    return [
        float((x1 + x2) / 2 - w / 2 * 1.2),
        float((y1 + y2) / 2 - h / 2 * 1.2),
        float(w * 1.2),
        float(h * 1.2),
    ]


def _fit_entry(person: dict, kind: str) -> dict:
    """A NeuralAnnot entry: camera-frame fit + camera (pixels)."""
    params = {k: v.tolist() for k, v in person['params'].items()}
    if kind == 'smpl':
        fit = dict(
            smpl_param=dict(
                pose=params['root_pose'] + params['body_pose'],
                shape=params['shape'],
                trans=params['trans'],
            )
        )
    else:
        fit = dict(smplx_param=params)
    fit['cam_param'] = dict(
        focal=person['focal'].tolist(), princpt=person['princpt'].tolist()
    )
    return fit


def make_mpii(
    root: str, model_root: str, seed: int = 0, model_type: str = 'smplx'
) -> str:
    """Write three images with four people.

    Layout (``root`` = ``data/MPII``)::

        data/images/00000000{0,1,2}.jpg
        data/annotations/train.json
        data/annotations/MPII_train_SMPLX_NeuralAnnot.json
        data/annotations/MPII_train_SMPL_NeuralAnnot.json

    ``file_name`` is ``images/<name>.jpg`` (as the upstream converter).
    Image 0: one person. Image 1: one person whose L_Ankle is not
    annotated (0, 0, 0) and whose annotation id has no fit in either fit
    file. Image 2: two people side by side. Keypoints are the 16 MPII
    joints of the drawn person (visibility 1); boxes come from the
    annotated keypoints (+20 %). The fits are camera-frame SMPL-X / SMPL
    parameters with ``cam_param`` {focal, princpt}.

    Args:
        root (str): Output ``data/MPII`` folder.
        model_root (str): Synthetic ``human_model_files``.
        seed (int): Seed.
        model_type (str): Which model is drawn (``'smplx'`` or
            ``'smpl'``); the fit file of the other model holds a
            different person at the same place. Both files are written.

    Returns:
        str: ``root``.
    """
    people = SyntheticPeople(model_root, seed)
    other = 'smpl' if model_type == 'smplx' else 'smplx'
    data_dir = osp.join(root, 'data')
    os.makedirs(osp.join(data_dir, 'images'), exist_ok=True)
    os.makedirs(osp.join(data_dir, 'annotations'), exist_ok=True)
    images, annotations = [], []
    fits = {'smplx': {}, 'smpl': {}}
    for img_id, (img_shape, layout) in enumerate(LAYOUTS):
        height, width = img_shape
        name = f'images/{img_id:09d}.jpg'
        drawn = []
        for cx, fill in layout:
            center = (cx * width, height / 2)
            person = people.place(
                model_type, img_shape, fill=fill, center=center
            )
            twin = people.place(other, img_shape, fill=fill, center=center)
            drawn.append(person)
            keypoints = _keypoints(person, model_type)
            visible = np.ones(len(MPII_KEYPOINTS))
            aid = len(annotations)
            if img_id == 1:
                ankle = MPII_KEYPOINTS.index('L_Ankle')
                keypoints[ankle] = 0
                visible[ankle] = 0
            else:
                fits[model_type][str(aid)] = _fit_entry(person, model_type)
                fits[other][str(aid)] = _fit_entry(twin, other)
            kpts = np.concatenate([keypoints, visible[:, None]], 1)
            annotations.append(
                dict(
                    id=aid,
                    image_id=img_id,
                    category_id=1,
                    iscrowd=0,
                    bbox=_bbox(keypoints, visible),
                    keypoints=kpts.reshape(-1).tolist(),
                    num_keypoints=int(visible.sum()),
                )
            )
        cv2.imwrite(osp.join(data_dir, name), people.draw(drawn, img_shape))
        images.append(
            dict(id=img_id, file_name=name, width=width, height=height)
        )
    ann_dir = osp.join(data_dir, 'annotations')
    for file_name, content in (
        (
            'train.json',
            coco_db(images, annotations),
        ),
        ('MPII_train_SMPLX_NeuralAnnot.json', fits['smplx']),
        ('MPII_train_SMPL_NeuralAnnot.json', fits['smpl']),
    ):
        with open(osp.join(ann_dir, file_name), 'w') as f:
            json.dump(content, f)
    return root
