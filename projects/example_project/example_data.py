"""A small example dataset in the layout of
:class:`~projects.example_project.datasets.WholeBodyFolderDataset`,
painted from synthetic SMPL-X people (:class:`h4w.synthetic.
SyntheticPeople`), with exact fits, keypoints and boxes.

The optional fields vary on purpose, so that every path of the dataset
is exercised (training person ``k``, in writing order, gets variant
``k % 5`` of :data:`TRAIN_VARIANTS`): full annotations with a fit; no
fit; no ``face_kpts``; the left-hand box marked invalid; no fit and no
right-hand box. In the val split every person but the second has a fit
(:func:`val_variant`).
For smoke runs and tests only: the images do not look like photos.
"""

import json
import os
import os.path as osp
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np

from h4w.body_models import JOINT_SETS
from h4w.datasets.datasets.coco_dataset import WHOLEBODY_METAINFO
from h4w.utils.image_io import write_image

from .datasets.wholebody_folder_dataset import KEYPOINT_GROUPS

__all__ = [
    'write_example_dataset',
    'TRAIN_VARIANTS',
    'train_variant',
    'val_variant',
    'coco_wholebody_names',
]

#: Per-person changes of the training split, used in turn: ``fit``
#: (write ``smplx_param`` / ``cam_param``), ``face_kpts`` (write them),
#: ``lhand_valid`` (the flag written with the left-hand box),
#: ``rhand_box`` (write the right-hand box and flag).
TRAIN_VARIANTS: Tuple[Dict[str, bool], ...] = (
    dict(),
    dict(fit=False),
    dict(face_kpts=False),
    dict(lhand_valid=False),
    dict(fit=False, rhand_box=False),
)


def train_variant(k: int) -> Dict[str, bool]:
    """The variant of training person ``k`` (in writing order)."""
    return TRAIN_VARIANTS[k % len(TRAIN_VARIANTS)]


def val_variant(k: int) -> Dict[str, bool]:
    """The variant of val person ``k``: every one has a fit but the
    second."""
    return dict(fit=False) if k == 1 else dict()


def coco_wholebody_names() -> Dict[str, List[str]]:
    """COCO-WholeBody keypoint field -> the SMPL-X 137-set joint names it
    is read from (the hand wrists are the body wrists: ``*_Wrist_Hand``
    has no joint of its own)."""
    names = WHOLEBODY_METAINFO['joint_names']
    wrists = dict(L_Wrist_Hand='L_Wrist', R_Wrist_Hand='R_Wrist')
    return {
        field: [wrists.get(n, n) for n in names[start : start + count]]
        for field, (start, count) in KEYPOINT_GROUPS.items()
    }


def _round(values, digits: int = 2) -> List[float]:
    return [round(float(v), digits) for v in np.asarray(values).ravel()]


def _keypoints(
    named: Dict[str, np.ndarray], names: Sequence[str], img_shape
) -> List[float]:
    """Flat [x, y, v] list: v = 2 inside the image, else [0, 0, 0]."""
    height, width = img_shape
    flat = []
    for name in names:
        x, y = named[name]
        if 0 <= x < width and 0 <= y < height:
            flat += _round((x, y)) + [2]
        else:
            flat += [0, 0, 0]
    return flat


def _box_around(flat: Sequence[float]) -> List[float]:
    """xywh box of the labelled keypoints of a flat list, x1.2 about its
    centre (at least 30 % as wide as high and back); zeros with fewer
    than 3 labelled keypoints."""
    kpts = np.asarray(flat, dtype=np.float64).reshape(-1, 3)
    kpts = kpts[kpts[:, 2] > 0, :2]
    if len(kpts) < 3:
        return [0.0, 0.0, 0.0, 0.0]
    (x1, y1), (x2, y2) = kpts.min(0), kpts.max(0)
    cx, cy, w, h = (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1
    w, h = max(w, 0.3 * h) * 1.2, max(h, 0.3 * w) * 1.2
    return _round((cx - w / 2, cy - h / 2, w, h))


def _annotation(
    ann_id: int,
    image_id: int,
    person: dict,
    img_shape: Tuple[int, int],
    variant: Dict[str, bool],
    with_fit_flags: bool,
) -> dict:
    """One annotation of a placed person (see the module docstring)."""
    height, width = img_shape
    named = dict(zip(JOINT_SETS['smplx_137'].joint_names, person['joints_2d']))
    ann = dict(id=ann_id, image_id=image_id, category_id=1, iscrowd=0)
    for field, names in coco_wholebody_names().items():
        ann[field] = _keypoints(named, names, img_shape)
    x, y, w, h = person['bbox']
    x1, y1 = max(float(x), 0.0), max(float(y), 0.0)
    x2, y2 = min(float(x + w), width - 1.0), min(float(y + h), height - 1.0)
    ann['bbox'] = _round((x1, y1, x2 - x1, y2 - y1))
    ann['area'] = round((x2 - x1) * (y2 - y1), 2)
    ann['num_keypoints'] = sum(v > 0 for v in ann['keypoints'][2::3])
    for part in ('lefthand', 'righthand', 'face'):
        box = _box_around(ann[f'{part}_kpts'])
        ann[f'{part}_box'] = box
        ann[f'{part}_valid'] = box[2] > 0
    if not variant.get('lhand_valid', True):
        ann['lefthand_valid'] = False
    if not variant.get('rhand_box', True):
        del ann['righthand_box'], ann['righthand_valid']
    if not variant.get('face_kpts', True):
        del ann['face_kpts']
    if variant.get('fit', True):
        param = {k: _round(v, 6) for k, v in person['params'].items()}
        if with_fit_flags:
            param.update(lhand_valid=True, rhand_valid=True, face_valid=True)
        ann['smplx_param'] = param
        ann['cam_param'] = dict(
            focal=_round(person['focal'], 4),
            princpt=_round(person['princpt'], 4),
        )
    return ann


def _write_split(
    people,
    rng: np.random.Generator,
    out_dir: str,
    split: str,
    num_images: int,
    img_shape: Tuple[int, int],
    variant: Callable[[int], Dict[str, bool]],
) -> None:
    height, width = img_shape
    images, annotations = [], []
    for i in range(num_images):
        count = int(rng.integers(1, 3))
        centers = [(0.5, 0.5)] if count == 1 else [(0.28, 0.5), (0.72, 0.5)]
        fill = rng.uniform(0.6, 0.75) if count == 1 else 0.6
        placed = [
            people.place(
                'smplx',
                img_shape,
                fill=fill,
                center=(
                    (cx + rng.uniform(-0.03, 0.03)) * width,
                    (cy + rng.uniform(-0.03, 0.03)) * height,
                ),
            )
            for cx, cy in centers
        ]
        file_name = f'{split}/{i:06d}.jpg'
        # SyntheticPeople draws BGR; write_image takes RGB
        img = people.draw(placed, img_shape)[:, :, ::-1]
        write_image(osp.join(out_dir, 'images', file_name), img)
        image_id = i + 1
        images.append(
            dict(id=image_id, file_name=file_name, height=height, width=width)
        )
        for person in placed:
            k = len(annotations)
            annotations.append(
                _annotation(
                    k + 1,
                    image_id,
                    person,
                    img_shape,
                    variant(k),
                    with_fit_flags=k % 2 == 0,
                )
            )
    path = osp.join(out_dir, 'annotations', f'{split}.json')
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(
            dict(
                images=images,
                annotations=annotations,
                categories=[dict(id=1, name='person', supercategory='person')],
            ),
            f,
        )


def write_example_dataset(
    out_dir: str,
    model_root: str,
    num_train: int = 6,
    num_val: int = 3,
    img_shape: Tuple[int, int] = (288, 384),
    seed: int = 0,
) -> str:
    """Write the example dataset (module docstring) into ``out_dir``.

    Layout: ``images/{train,val}/<nnnnnn>.jpg``,
    ``annotations/{train,val}.json``; 1-2 synthetic SMPL-X people per
    image, COCO-WholeBody keypoints read by name from the projected
    SMPL-X joints (v = 2 inside the image), hand and face boxes around
    their keypoints (x1.2), the person box around the projected mesh,
    and the camera-frame fit with its camera. Deterministic per ``seed``.

    Args:
        out_dir (str): Dataset root to write (created).
        model_root (str): ``human_model_files`` folder with
            ``smplx/SMPLX_NEUTRAL.npz`` (real or from
            ``tools/misc/make_synthetic_human_models.py``).
        num_train (int): Training images. Defaults to 6.
        num_val (int): Validation images. Defaults to 3.
        img_shape (tuple): (H, W) of the images. Defaults to (288, 384).
        seed (int): Seed of the poses, placements and noise.

    Returns:
        str: ``out_dir``.

    Raises:
        FileNotFoundError: ``model_root`` (or its ``smplx`` folder) is
            missing; the message names it.
    """
    from h4w.synthetic import SyntheticPeople

    for path in (model_root, osp.join(model_root, 'smplx')):
        if not osp.isdir(path):
            raise FileNotFoundError(
                f'human-model folder not found: {path} (real SMPL-X files, '
                'or synthetic ones from tools/misc/'
                'make_synthetic_human_models.py)'
            )
    if num_train < 0 or num_val < 0:
        raise ValueError('num_train and num_val must be >= 0')
    img_shape = (int(img_shape[0]), int(img_shape[1]))
    people = SyntheticPeople(model_root, seed)
    rng = np.random.default_rng([seed, 1])
    for split, num, variant in (
        ('train', num_train, train_variant),
        ('val', num_val, val_variant),
    ):
        _write_split(people, rng, out_dir, split, num, img_shape, variant)
    return out_dir
