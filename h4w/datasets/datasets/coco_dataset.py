"""MSCOCO / COCO-WholeBody (spec §5.4 whole body, §5.5 Pose2Pose)."""

import os.path as osp
from functools import partial
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from h4w.body_models.joint_sets import MANO_JOINTS
from h4w.registry import DATASETS
from h4w.structures.bbox import process_bbox, xywh_to_xyxy

from .base import (
    BaseMeshDataset,
    annotation_context,
    fit_params,
    flame_fit_params,
    mano_fit_params,
    read_json,
)

__all__ = ['MSCOCODataset']

_BODY_NAMES = (
    'Nose',
    'L_Eye',
    'R_Eye',
    'L_Ear',
    'R_Ear',
    'L_Shoulder',
    'R_Shoulder',
    'L_Elbow',
    'R_Elbow',
    'L_Wrist',
    'R_Wrist',
    'L_Hip',
    'R_Hip',
    'L_Knee',
    'R_Knee',
    'L_Ankle',
    'R_Ankle',
)
_FEET_NAMES = (
    'L_Big_toe',
    'L_Small_toe',
    'L_Heel',
    'R_Big_toe',
    'R_Small_toe',
    'R_Heel',
)
_FINGERS = ('Thumb', 'Index', 'Middle', 'Ring', 'Pinky')


def _hand_names(prefix: str, wrist: str) -> Tuple[str, ...]:
    """21 COCO-WholeBody hand keypoints: wrist, then 4 per finger."""
    return (wrist,) + tuple(
        f'{prefix}{finger}_{i}' for finger in _FINGERS for i in range(1, 5)
    )


#: COCO-WholeBody face keypoint i as an SMPL-X / FLAME face index: the 17
#: contour points 0-16 are Face_56..72, the 51 others Face_5..55.
COCO_FACE_TO_FLAME = tuple(list(range(56, 73)) + list(range(5, 56)))

#: Left/right pairs of the 68 COCO face keypoints: contour, eyebrows,
#: below the nose, eyes, outer mouth, inner lips.
COCO_FACE_FLIP_PAIRS = tuple(
    [(i, 16 - i) for i in range(8)]
    + [
        (17, 26),
        (18, 25),
        (19, 24),
        (20, 23),
        (21, 22),
        (31, 35),
        (32, 34),
        (36, 45),
        (37, 44),
        (38, 43),
        (39, 42),
        (40, 47),
        (41, 46),
        (48, 54),
        (49, 53),
        (50, 52),
        (55, 59),
        (56, 58),
        (60, 64),
        (61, 63),
        (65, 67),
    ]
)

_BODY_FLIP_PAIRS = (
    (1, 2),
    (3, 4),
    (5, 6),
    (7, 8),
    (9, 10),
    (11, 12),
    (13, 14),
    (15, 16),
)

#: Whole body (§5.4): 17 body, Pelvis, 6 feet, 21 + 21 hand and 68 face
#: keypoints; the names are those of the SMPL-X 137 set where the joints
#: correspond (``*_Wrist_Hand`` have no counterpart and are dropped by
#: the remap; the face is in COCO order, Face_56..72 then Face_5..55).
WHOLEBODY_METAINFO = dict(
    joint_names=_BODY_NAMES
    + ('Pelvis',)
    + _FEET_NAMES
    + _hand_names('L_', 'L_Wrist_Hand')
    + _hand_names('R_', 'R_Wrist_Hand')
    + tuple(f'Face_{i}' for i in COCO_FACE_TO_FLAME),
    flip_pairs=_BODY_FLIP_PAIRS
    + ((18, 21), (19, 22), (20, 23))
    + tuple((24 + i, 45 + i) for i in range(21))
    + tuple((66 + a, 66 + b) for a, b in COCO_FACE_FLIP_PAIRS),
    root_idx=17,
)

#: Pose2Pose body (§5.5): 17 body, Pelvis, 6 feet and the index, middle,
#: ring and pinky MCPs (hand keypoints 5, 9, 13, 17) of both hands; names
#: of the SMPL 33 set.
BODY_METAINFO = dict(
    joint_names=_BODY_NAMES
    + ('Pelvis',)
    + _FEET_NAMES
    + tuple(
        f'{side}_{finger}_1'
        for side in 'LR'
        for finger in ('Index', 'Middle', 'Ring', 'Pinky')
    ),
    flip_pairs=_BODY_FLIP_PAIRS
    + ((18, 21), (19, 22), (20, 23))
    + tuple((24 + i, 28 + i) for i in range(4)),
    root_idx=17,
)

#: Pose2Pose hand (§5.5): the 21 MANO joints, no flip pairs (left hands
#: are mirrored into right hands).
HAND_METAINFO = dict(
    joint_names=MANO_JOINTS.joint_names, flip_pairs=(), root_idx=0
)

#: Pose2Pose face (§5.5): the 68 COCO face keypoints named by their FLAME
#: 73-set index (FLAME 0-4 have no source).
FACE_METAINFO = dict(
    joint_names=tuple(str(i) for i in COCO_FACE_TO_FLAME),
    flip_pairs=COCO_FACE_FLIP_PAIRS,
    root_idx=None,
)

PART_METAINFO = dict(
    wholebody=WHOLEBODY_METAINFO,
    body=BODY_METAINFO,
    hand=HAND_METAINFO,
    face=FACE_METAINFO,
)

#: NeuralAnnot file, parameter key and body model of each part.
FITS = dict(
    wholebody=(
        'annotations/MSCOCO_train_SMPLX_all_NeuralAnnot.json',
        'smplx_param',
        'smplx',
    ),
    body=(
        'annotations/MSCOCO_train_SMPL_NeuralAnnot.json',
        'smpl_param',
        'smpl',
    ),
    hand=(
        'annotations/MSCOCO_train_MANO_NeuralAnnot.json',
        'mano_param',
        'mano',
    ),
    face=(
        'annotations/MSCOCO_train_FLAME_NeuralAnnot.json',
        'flame_param',
        'flame',
    ),
)

#: Fit fields that must be present (after the conversion of fit_params).
REQUIRED_FIT_KEYS = ('root_pose', 'body_pose', 'shape', 'trans')


def _body_fit(
    param: dict, param_key: str, model_type: str, side: Optional[str]
) -> dict:
    """An SMPL-X / SMPL fit with its required fields checked."""
    params = fit_params(param, model_type)
    missing = [k for k in REQUIRED_FIT_KEYS if k not in params]
    if missing:
        raise KeyError(f'{param_key} has no {missing}')
    return params


#: How the fit of each body model becomes ``gt_params`` fields:
#: ``(param, param_key, model_type, side) -> dict``.
FIT_CONVERTERS = dict(
    smplx=_body_fit,
    smpl=_body_fit,
    mano=lambda param, key, model_type, side: mano_fit_params(param, side),
    flame=lambda param, key, model_type, side: flame_fit_params(param),
)


#: Crop aspect ratio (W / H) of process_bbox per part (§5.1, §5.5).
ASPECT_RATIOS = dict(wholebody=0.75, body=0.75, hand=1.0, face=0.75)

HAND_SIDES = ('left', 'right')


def _keypoints(ann: dict, key: str, num: int) -> np.ndarray:
    """(num, 3) float32 [x, y, v] of a flat COCO keypoint list."""
    return np.asarray(ann[key], dtype=np.float32).reshape(num, 3)


def _part_box(ann: dict, part: str) -> Optional[np.ndarray]:
    """A hand / face box as xyxy, or None when the annotation marks it
    invalid (or the box is empty)."""
    if not ann[f'{part}_valid']:
        return None
    box = np.asarray(ann[f'{part}_box'], dtype=np.float32).reshape(4)
    if not np.isfinite(box).all() or box[2] <= 0 or box[3] <= 0:
        return None
    return xywh_to_xyxy(box)


@DATASETS.register_module()
class MSCOCODataset(BaseMeshDataset):
    """COCO-WholeBody v1.0 with the NeuralAnnot fits (2D set).

    Layout (``data_root`` = ``data/MSCOCO``)::

        images/train2017/<file_name>   images/val2017/<file_name>
        annotations/coco_wholebody_train_v1.0.json
        annotations/coco_wholebody_val_v1.0.json
        annotations/MSCOCO_train_SMPLX_all_NeuralAnnot.json   (whole body)
        annotations/MSCOCO_train_SMPL_NeuralAnnot.json        (P2P body)
        annotations/MSCOCO_train_MANO_NeuralAnnot.json        (P2P hand)
        annotations/MSCOCO_train_FLAME_NeuralAnnot.json       (P2P face)

    Annotations (COCO-WholeBody): ``bbox``, ``lefthand_box``,
    ``righthand_box``, ``face_box`` (xywh) with ``lefthand_valid``,
    ``righthand_valid``, ``face_valid``; flat ``[x, y, v] * n`` lists
    ``keypoints`` (17), ``foot_kpts`` (6), ``lefthand_kpts``,
    ``righthand_kpts`` (21) and ``face_kpts`` (68); ``num_keypoints``,
    ``iscrowd``. A keypoint is valid when v > 0; z = 0 (no depth).

    Fits, keyed by the annotation id (a string), camera frame, camera in
    original image pixels: SMPL-X ``{'smplx_param': {root_pose,
    body_pose, lhand_pose, rhand_pose, jaw_pose, shape, expr, trans and
    optional lhand_valid, rhand_valid, face_valid}, 'cam_param': {focal,
    princpt}}``; SMPL ``{'smpl_param': {pose (72), shape, trans},
    'cam_param'}``; MANO ``{'left' | 'right': {'mano_param': {pose (48),
    shape, trans}, 'cam_param'} or None}``; FLAME ``{'flame_param':
    {root_pose, jaw_pose, shape, expr, trans}, 'cam_param'}``. They
    become ``gt_params`` in the names of :class:`BodyModelTargetGenerator`
    (SMPL pose -> root_pose + body_pose, MANO pose -> root_pose +
    hand_pose + ``side``). An annotation without a fit gets
    ``gt_params=dict(param_valid=False)``: zero, invalid fit targets.

    Parts (one class, ``part`` picks the samples and the joint set):

    * ``'wholebody'`` (Hand4Whole, §5.4): one sample per person; 134
      keypoints (:data:`WHOLEBODY_METAINFO`): Pelvis = mean of the hips
      with visibility = product of theirs; an invalid L/R_Wrist_Hand or
      Face_18 (nose tip) takes the coordinates and validity of
      L/R_Wrist or Nose. Hand and face boxes -> ``lhand_bbox``,
      ``rhand_bbox``, ``face_bbox`` (xyxy, None when the annotation
      marks them invalid, and also, unlike upstream, when a box marked
      valid is empty). SMPL-X fit, no wrist / ankle masking; the fit's
      truncation is multiplied by its validity (``mask_trunc``, as the
      reference and :class:`Human36MDataset`), so the joints of a part
      whose fit is invalid leave the ``smplx_joint_img`` loss.
    * ``'body'`` (Pose2Pose, §5.5): one sample per person, 32 keypoints
      (:data:`BODY_METAINFO`, Pelvis as above), SMPL fit.
    * ``'hand'`` (Pose2Pose): one sample per valid hand,
      ``bbox = process_bbox(<side>hand_box, aspect 1)``, its 21 keypoints,
      its MANO fit with ``side``; ``enforce_flip`` is True for left hands
      (mirrored into right hands) and False for right hands, so hand
      samples are never randomly flipped. Spec §10.2 bug fixed: a hand
      whose MANO entry is None (upstream kept it and crashed when
      loading it) is kept with ``param_valid=False``: its 2D keypoints
      still supervise, its MANO targets are invalid.
    * ``'face'`` (Pose2Pose): one sample per valid face,
      ``bbox = process_bbox(face_box, aspect 0.75)``, the 68 face
      keypoints named by their FLAME index (:data:`FACE_METAINFO`),
      FLAME fit.

    The wrist / nose-tip fill of the whole body is not applied to the
    Pose2Pose parts (§5.5 does not list it).

    Training (val2017 is the test split): annotations with ``iscrowd``
    or ``num_keypoints == 0`` are skipped, and so is any sample whose box
    ``process_bbox`` rejects. Test mode (``images/val2017``): every
    annotation (hand: every valid hand, left ones flipped; face: every
    valid face) whose box is valid, without keypoints or fits (upstream
    returns the crop and ``bb2img_trans`` only); the fit file is not
    read.

    Data info: ``img_path``, ``ori_shape``, ``img_id``, ``ann_id``,
    ``bbox`` (processed xywh); training also ``keypoints`` (J, 3),
    ``keypoints_valid`` (J, 1), ``is_3d`` 0, ``gt_params``; whole body
    the three part boxes; hand ``side`` and ``enforce_flip``.

    Args:
        part (str): ``'wholebody'``, ``'body'``, ``'hand'`` or ``'face'``.
        ann_file (str, optional): COCO-WholeBody file relative to
            ``data_root``; defaults to the split's.
        fit_file (str, optional): NeuralAnnot file relative to
            ``data_root``; defaults to the part's (training only).
        bbox_aspect_ratio (float, optional): Crop W / H of
            ``process_bbox``; defaults to the part's (0.75, hand 1.0).
        **kwargs: :class:`BaseMeshDataset` arguments (``data_prefix``
            defaults to ``dict(img='images/train2017')`` or
            ``images/val2017`` in test mode).
    """

    METAINFO = WHOLEBODY_METAINFO

    def __init__(
        self,
        part: str = 'wholebody',
        ann_file: Optional[str] = None,
        fit_file: Optional[str] = None,
        bbox_aspect_ratio: Optional[float] = None,
        **kwargs,
    ) -> None:
        if part not in PART_METAINFO:
            raise ValueError(
                f'part must be one of {list(PART_METAINFO)}, got {part!r}'
            )
        self.part = part
        test_mode = kwargs.get('test_mode', False)
        split = 'val' if test_mode else 'train'
        if ann_file is None:
            ann_file = f'annotations/coco_wholebody_{split}_v1.0.json'
        fit_file = fit_file or FITS[part][0]
        data_root = kwargs.get('data_root')
        if data_root is not None and not osp.isabs(fit_file):
            fit_file = osp.join(data_root, fit_file)
        self.fit_file = fit_file
        self.bbox_aspect_ratio = (
            ASPECT_RATIOS[part]
            if bbox_aspect_ratio is None
            else float(bbox_aspect_ratio)
        )
        kwargs.setdefault('data_prefix', dict(img=f'images/{split}2017'))
        kwargs['metainfo'] = dict(
            PART_METAINFO[part], **(kwargs.get('metainfo') or {})
        )
        super().__init__(ann_file=ann_file, **kwargs)

    def source_files(self) -> List[str]:
        if self.test_mode:
            return [self.ann_file]
        return [self.ann_file, self.fit_file]

    def cache_args(self) -> Dict:
        return dict(
            super().cache_args(),
            part=self.part,
            aspect=self.bbox_aspect_ratio,
            img_dir=self.data_prefix.get('img'),
        )

    # ------------------------------------------------------------ parsing
    def load_annotations(self) -> List[dict]:
        db = read_json(self.ann_file)
        fits = {}
        if not self.test_mode:
            fits = read_json(self.fit_file)
        img_dir = self.img_dir
        with annotation_context(self.ann_file, 'images'):
            images = {img['id']: img for img in db['images']}
        data_list = []
        for ann in db['annotations']:
            with annotation_context(self.ann_file, ann.get('id')):
                if not self.test_mode and (
                    ann['iscrowd'] or ann['num_keypoints'] == 0
                ):
                    continue
                img = images[ann['image_id']]
                base = dict(
                    img_path=osp.join(img_dir, img['file_name']),
                    img_id=img['id'],
                    ann_id=ann['id'],
                    ori_shape=(int(img['height']), int(img['width'])),
                )
                samples = getattr(self, f'_parse_{self.part}')(ann, base)
            for info in samples:
                if not self.test_mode:
                    with annotation_context(self.fit_file, ann['id']):
                        info['gt_params'] = self._gt_params(
                            fits.get(str(ann['id'])), info.get('side')
                        )
                data_list.append(info)
        return data_list

    def _bbox(self, box, base: dict) -> Optional[np.ndarray]:
        height, width = base['ori_shape']
        return process_bbox(
            box, width, height, aspect_ratio=self.bbox_aspect_ratio
        )

    def _instance(
        self,
        box,
        base: dict,
        keypoints: Callable[[], np.ndarray],
        **fields,
    ) -> Optional[dict]:
        """One instance: ``base`` with the processed ``box`` and ``fields``
        (None when the box is skipped). Training adds the keypoints that
        ``keypoints()`` returns, (J, 3) [x, y, v]: x, y pixels, z = 0,
        validity (J, 1) = v > 0."""
        bbox = self._bbox(box, base)
        if bbox is None:
            return None
        info = dict(base, bbox=bbox, **fields)
        if self.test_mode:
            return info
        keypoints = keypoints()
        valid = (keypoints[:, 2:] > 0).astype(np.float32)
        if not np.isfinite(keypoints[valid[:, 0] > 0]).all():
            raise ValueError('non-finite keypoints')
        keypoints = keypoints.copy()
        keypoints[:, 2] = 0
        info.update(keypoints=keypoints, keypoints_valid=valid, is_3d=0.0)
        return info

    @staticmethod
    def _body_keypoints(ann: dict) -> np.ndarray:
        """17 body keypoints, Pelvis from the hips and the 6 feet (24, 3)
        [x, y, v] (Pelvis v = product of the hip visibilities)."""
        body = _keypoints(ann, 'keypoints', 17)
        lhip, rhip = (
            body[_BODY_NAMES.index('L_Hip')],
            body[_BODY_NAMES.index('R_Hip')],
        )
        pelvis = np.array(
            [
                (lhip[0] + rhip[0]) / 2,
                (lhip[1] + rhip[1]) / 2,
                lhip[2] * rhip[2],
            ],
            dtype=np.float32,
        )
        return np.concatenate(
            [body, pelvis[None], _keypoints(ann, 'foot_kpts', 6)]
        )

    def _wholebody_keypoints(self, ann: dict) -> np.ndarray:
        """Body, hand and face keypoints (J, 3) [x, y, v]."""
        joints = np.concatenate(
            [
                self._body_keypoints(ann),
                _keypoints(ann, 'lefthand_kpts', 21),
                _keypoints(ann, 'righthand_kpts', 21),
                _keypoints(ann, 'face_kpts', 68),
            ]
        )
        names = self.metainfo['joint_names']
        # an unlabelled hand wrist / nose tip takes the body keypoint
        for body, part in (
            ('L_Wrist', 'L_Wrist_Hand'),
            ('R_Wrist', 'R_Wrist_Hand'),
            ('Nose', 'Face_18'),
        ):
            src, dst = names.index(body), names.index(part)
            if not joints[dst, 2] > 0:
                joints[dst] = joints[src]
        return joints

    def _parse_wholebody(self, ann: dict, base: dict) -> List[dict]:
        info = self._instance(
            ann['bbox'], base, partial(self._wholebody_keypoints, ann)
        )
        if info is None:
            return []
        if not self.test_mode:
            info.update(
                lhand_bbox=_part_box(ann, 'lefthand'),
                rhand_bbox=_part_box(ann, 'righthand'),
                face_bbox=_part_box(ann, 'face'),
            )
        return [info]

    def _body_hand_keypoints(self, ann: dict) -> np.ndarray:
        """Body keypoints and the four MCP joints of each hand (J, 3)."""
        mcp = [5, 9, 13, 17]  # Index_1, Middle_1, Ring_1, Pinky_1
        return np.concatenate(
            [
                self._body_keypoints(ann),
                _keypoints(ann, 'lefthand_kpts', 21)[mcp],
                _keypoints(ann, 'righthand_kpts', 21)[mcp],
            ]
        )

    def _parse_body(self, ann: dict, base: dict) -> List[dict]:
        info = self._instance(
            ann['bbox'], base, partial(self._body_hand_keypoints, ann)
        )
        return [] if info is None else [info]

    def _parse_hand(self, ann: dict, base: dict) -> List[dict]:
        samples = []
        for side in HAND_SIDES:
            if not ann[f'{side}hand_valid']:
                continue
            info = self._instance(
                ann[f'{side}hand_box'],
                base,
                partial(_keypoints, ann, f'{side}hand_kpts', 21),
                side=side,
                enforce_flip=side == 'left',
            )
            if info is not None:
                samples.append(info)
        return samples

    def _parse_face(self, ann: dict, base: dict) -> List[dict]:
        if not ann['face_valid']:
            return []
        info = self._instance(
            ann['face_box'], base, partial(_keypoints, ann, 'face_kpts', 68)
        )
        return [] if info is None else [info]

    # ---------------------------------------------------------------- fits
    def _gt_params(self, entry: Optional[dict], side: Optional[str]) -> dict:
        """The NeuralAnnot entry of one sample as ``gt_params``."""
        _, param_key, model_type = FITS[self.part]
        if entry is not None and side is not None:
            entry = entry.get(side)  # {'left': fit or None, 'right': ...}
        if entry is None:
            params = dict(param_valid=False)
        else:
            params = FIT_CONVERTERS[model_type](
                entry[param_key], param_key, model_type, side
            )
            cam = entry['cam_param']
            params.update(
                focal=np.asarray(cam['focal'], dtype=np.float32).reshape(2),
                princpt=np.asarray(cam['princpt'], dtype=np.float32).reshape(
                    2
                ),
            )
            if self.part == 'wholebody':
                params['mask_trunc'] = True
        if side is not None:
            params['side'] = side
        return params
