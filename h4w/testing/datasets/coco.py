"""A tiny COCO-WholeBody (MSCOCO) with NeuralAnnot fits, upstream layout.

Images (all BGR JPEG, dark background, bright people):

* ``train2017/000000000001.jpg`` (480x640): two SMPL-X people. Annotation
  101 is complete and has an SMPL-X fit; 102 has no fit in any file, an
  unlabelled left hip (so no Pelvis), an unlabelled left-hand wrist and
  nose tip (filled from the body) and a right hand marked invalid (its
  keypoints stay labelled). 103 is a crowd and 104 has no keypoints
  (both skipped in training). 101's right fingertips leave the image
  and are unlabelled.
* ``train2017/000000000002.jpg`` (480x640): one SMPL person (annotation
  201): body, feet and hand wrist / MCP keypoints; SMPL fit only.
* ``train2017/000000000003.jpg`` (480x640): three MANO hands. Annotation
  301 holds a left and a right hand with MANO fits; 302 a right hand
  whose MANO entry is None (both sides).
* ``train2017/000000000004.jpg`` (480x360): one FLAME head (annotation
  401): face keypoints, nose; FLAME fit only.
* ``val2017/000000000101.jpg`` (480x640): two SMPL-X people (1001,
  1002), an empty box (1003, dropped) and a crowd without keypoints
  (1004, kept at test time).

Keypoints are the projected joints of the drawn model, taken BY NAME:
COCO body / feet / hands from the SMPL-X 137 set (SMPL 33 set, MANO 21
set with the side prefix), COCO face keypoint i = Face_{56 + i} for the
contour (i < 17), Face_{i - 12} for the others (FLAME joint j is
Face_j). Boxes: ``bbox`` = tight box of the projected vertices, hand /
face boxes = keypoint box enlarged by 20%.
"""

import json
import os
import os.path as osp
from typing import Dict, Sequence, Tuple

import cv2
import numpy as np

from h4w.body_models.joint_sets import (
    FLAME_JOINTS,
    MANO_JOINTS,
    SMPL_JOINTS,
    SMPLX_JOINTS,
)
from h4w.datasets.datasets.coco_dataset import WHOLEBODY_METAINFO
from h4w.synthetic import SyntheticPeople

__all__ = ['make_coco', 'COCO_WHOLEBODY_GROUPS']


def _wholebody_groups() -> Dict[str, list]:
    """COCO-WholeBody annotation key -> joint names, from the whole-body
    joint order of :class:`MSCOCODataset` (17 body, Pelvis, 6 feet,
    21 + 21 hand and 68 face keypoints); the hand wrists take the SMPL-X
    body wrist names (the dataset's ``*_Wrist_Hand`` have no joint)."""
    names = list(WHOLEBODY_METAINFO['joint_names'])
    return dict(
        keypoints=names[:17],
        foot_kpts=names[18:24],
        lefthand_kpts=['L_Wrist'] + names[25:45],
        righthand_kpts=['R_Wrist'] + names[46:66],
        face_kpts=names[66:],
    )


#: COCO-WholeBody keypoint groups (annotation key -> joint names).
COCO_WHOLEBODY_GROUPS = _wholebody_groups()

_PART_GROUPS = dict(
    lefthand='lefthand_kpts', righthand='righthand_kpts', face='face_kpts'
)


def _named(
    person: dict, names: Sequence[str], prefix: str = ''
) -> Dict[str, np.ndarray]:
    return {prefix + name: xy for name, xy in zip(names, person['joints_2d'])}


def _annotation(
    aid: int,
    image_id: int,
    named: Dict[str, np.ndarray],
    verts_2d: np.ndarray,
    img_shape,
    drop: Sequence[Tuple[str, str]] = (),
    invalid_parts: Sequence[str] = (),
) -> dict:
    """A COCO-WholeBody annotation from named 2D joints (pixels).

    Joints that are absent, outside the image or listed in ``drop``
    (``(group key, name)`` pairs) are written as [0, 0, 0]. A hand / face
    with fewer than 3 labelled keypoints or listed in ``invalid_parts``
    gets ``<part>_valid`` False and an empty box.
    """
    height, width = img_shape
    ann = dict(
        id=aid,
        image_id=image_id,
        category_id=1,
        iscrowd=0,
        segmentation=[],
        area=0.0,
    )
    for key, names in COCO_WHOLEBODY_GROUPS.items():
        flat = []
        for name in names:
            xy = named.get(name)
            inside = (
                xy is not None and 0 <= xy[0] < width and 0 <= xy[1] < height
            )
            if not inside or (key, name) in drop:
                flat += [0.0, 0.0, 0.0]
            else:
                flat += [float(xy[0]), float(xy[1]), 2.0]
        ann[key] = flat
    ann['num_keypoints'] = int(sum(v > 0 for v in ann['keypoints'][2::3]))
    ann['foot_valid'] = any(v > 0 for v in ann['foot_kpts'][2::3])
    for part, key in _PART_GROUPS.items():
        kpts = np.array(ann[key]).reshape(-1, 3)
        kpts = kpts[kpts[:, 2] > 0, :2]
        valid = len(kpts) >= 3 and part not in invalid_parts
        box = [0.0, 0.0, 0.0, 0.0]
        if valid:
            (x1, y1), (x2, y2) = kpts.min(0), kpts.max(0)
            cx, cy, w, h = (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1
            w, h = max(w, h * 0.3) * 1.2, max(h, w * 0.3) * 1.2
            box = [float(cx - w / 2), float(cy - h / 2), float(w), float(h)]
        ann[f'{part}_valid'] = valid
        ann[f'{part}_box'] = box
    (x1, y1), (x2, y2) = verts_2d.min(0), verts_2d.max(0)
    x1, y1 = max(float(x1), 0.0), max(float(y1), 0.0)
    x2, y2 = min(float(x2), width - 1.0), min(float(y2), height - 1.0)
    ann['bbox'] = [x1, y1, x2 - x1, y2 - y1]
    ann['area'] = (x2 - x1) * (y2 - y1)
    return ann


def _fit(person: dict, kind: str) -> dict:
    """NeuralAnnot entry of a placed person (camera-frame fit)."""
    p = {k: np.asarray(v).tolist() for k, v in person['params'].items()}
    cam = dict(
        focal=person['focal'].tolist(), princpt=person['princpt'].tolist()
    )
    if kind == 'smplx':
        p.update(lhand_valid=True, rhand_valid=True, face_valid=True)
        return dict(smplx_param=p, cam_param=cam)
    if kind in ('smpl', 'mano'):
        # one pose vector: root, then body (SMPL) or fingers (MANO)
        rest = p['body_pose'] if kind == 'smpl' else p['hand_pose']
        param = dict(
            pose=p['root_pose'] + rest, shape=p['shape'], trans=p['trans']
        )
        return {f'{kind}_param': param, 'cam_param': cam}
    return dict(flame_param=p, cam_param=cam)


def _write_image(root: str, split: str, name: str, img: np.ndarray) -> None:
    path = osp.join(root, 'images', f'{split}2017', name)
    os.makedirs(osp.dirname(path), exist_ok=True)
    cv2.imwrite(path, img)


def _image(image_id: int, name: str, img_shape) -> dict:
    return dict(
        id=image_id, file_name=name, height=img_shape[0], width=img_shape[1]
    )


def make_coco(root: str, model_root: str, seed: int = 0) -> str:
    """Write the tiny MSCOCO described in the module docstring.

    Args:
        root (str): Output ``data/MSCOCO`` folder.
        model_root (str): Synthetic ``human_model_files``.
        seed (int): Seed of the poses, placements and noise.

    Returns:
        str: ``root``.
    """
    people = SyntheticPeople(model_root, seed)
    wide = (480, 640)
    fits = dict(smplx={}, smpl={}, mano={}, flame={})
    train_images, train_anns, val_images, val_anns = [], [], [], []

    # 1: two SMPL-X people, whole-body keypoints.
    a = people.place('smplx', wide, fill=0.8, center=(180, 240))
    b = people.place('smplx', wide, fill=0.7, center=(460, 250))
    _write_image(root, 'train', '000000000001.jpg', people.draw([a, b], wide))
    train_images.append(_image(1, '000000000001.jpg', wide))
    names = SMPLX_JOINTS.joint_names
    train_anns.append(
        _annotation(101, 1, _named(a, names), a['verts_2d'], wide)
    )
    fits['smplx']['101'] = _fit(a, 'smplx')
    ann = _annotation(
        102,
        1,
        _named(b, names),
        b['verts_2d'],
        wide,
        drop=(
            ('keypoints', 'L_Hip'),
            ('lefthand_kpts', 'L_Wrist'),
            ('face_kpts', 'Face_18'),
        ),
        invalid_parts=('righthand',),
    )
    train_anns.append(ann)
    crowd = dict(train_anns[0], id=103, iscrowd=1)
    empty = dict(train_anns[0], id=104, num_keypoints=0, keypoints=[0.0] * 51)
    train_anns += [crowd, empty]

    # 2: one SMPL person.
    s = people.place('smpl', wide, fill=0.8)
    _write_image(root, 'train', '000000000002.jpg', people.draw([s], wide))
    train_images.append(_image(2, '000000000002.jpg', wide))
    train_anns.append(
        _annotation(
            201,
            2,
            _named(s, SMPL_JOINTS.joint_names),
            s['verts_2d'],
            wide,
            invalid_parts=('lefthand', 'righthand'),
        )
    )
    fits['smpl']['201'] = _fit(s, 'smpl')

    # 3: three MANO hands: 301 = left + right with fits, 302 = right
    # with a None fit.
    fill = 0.45
    hands = dict(
        left=people.place(
            'mano', wide, key='left', fill=fill, center=(170, 190)
        ),
        right=people.place(
            'mano', wide, key='right', fill=fill, center=(470, 190)
        ),
        extra=people.place(
            'mano', wide, key='right', fill=fill * 0.7, center=(320, 380)
        ),
    )
    _write_image(
        root,
        'train',
        '000000000003.jpg',
        people.draw(list(hands.values()), wide),
    )
    train_images.append(_image(3, '000000000003.jpg', wide))
    mano_names = MANO_JOINTS.joint_names
    named = dict(
        _named(hands['left'], mano_names, 'L_'),
        **_named(hands['right'], mano_names, 'R_'),
    )
    verts = np.concatenate(
        [hands['left']['verts_2d'], hands['right']['verts_2d']]
    )
    train_anns.append(_annotation(301, 3, named, verts, wide))
    fits['mano']['301'] = dict(
        left=_fit(hands['left'], 'mano'), right=_fit(hands['right'], 'mano')
    )
    train_anns.append(
        _annotation(
            302,
            3,
            _named(hands['extra'], mano_names, 'R_'),
            hands['extra']['verts_2d'],
            wide,
        )
    )
    fits['mano']['302'] = dict(left=None, right=None)

    # 4: one FLAME head.
    tall = (480, 360)
    f = people.place('flame', tall, fill=0.6)
    _write_image(root, 'train', '000000000004.jpg', people.draw([f], tall))
    train_images.append(_image(4, '000000000004.jpg', tall))
    named = {
        f'Face_{name}': xy
        for name, xy in zip(FLAME_JOINTS.joint_names, f['joints_2d'])
    }
    named['Nose'] = named['Face_18']
    train_anns.append(_annotation(401, 4, named, f['verts_2d'], tall))
    fits['flame']['401'] = _fit(f, 'flame')

    # val: two SMPL-X people, an empty box and a crowd.
    c = people.place('smplx', wide, fill=0.75, center=(200, 240))
    d = people.place('smplx', wide, fill=0.75, center=(450, 240))
    _write_image(root, 'val', '000000000101.jpg', people.draw([c, d], wide))
    val_images.append(_image(101, '000000000101.jpg', wide))
    val_anns += [
        _annotation(1001, 101, _named(c, names), c['verts_2d'], wide),
        _annotation(1002, 101, _named(d, names), d['verts_2d'], wide),
    ]
    val_anns.append(dict(val_anns[0], id=1003, bbox=[10.0, 10.0, 0.0, 0.0]))
    val_anns.append(
        dict(
            val_anns[0],
            id=1004,
            iscrowd=1,
            num_keypoints=0,
            keypoints=[0.0] * 51,
            lefthand_valid=False,
            righthand_valid=False,
            face_valid=False,
            bbox=[20.0, 20.0, 200.0, 300.0],
        )
    )

    ann_dir = osp.join(root, 'annotations')
    os.makedirs(ann_dir, exist_ok=True)
    categories = [dict(id=1, name='person', supercategory='person')]
    for split, images, anns in (
        ('train', train_images, train_anns),
        ('val', val_images, val_anns),
    ):
        with open(
            osp.join(ann_dir, f'coco_wholebody_{split}_v1.0.json'), 'w'
        ) as fp:
            json.dump(
                dict(images=images, annotations=anns, categories=categories),
                fp,
            )
    for kind, name in (
        ('smplx', 'SMPLX_all'),
        ('smpl', 'SMPL'),
        ('mano', 'MANO'),
        ('flame', 'FLAME'),
    ):
        with open(
            osp.join(ann_dir, f'MSCOCO_train_{name}_NeuralAnnot.json'), 'w'
        ) as fp:
            json.dump(fits[kind], fp)
    return root
