"""Bring your own whole-body data: a folder of images and one COCO-style
annotation file per split, COCO-WholeBody keypoints and optional SMPL-X
fits."""

import os.path as osp
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from mmengine.logging import print_log

from h4w.body_models import FIT_PARAM_DIMS, SMPLX_LAYOUT
from h4w.datasets.datasets.base import (
    AnnotationError,
    BaseMeshDataset,
    annotation_context,
    coco_data_info,
    read_json,
)
from h4w.datasets.datasets.coco_dataset import WHOLEBODY_METAINFO
from h4w.registry import DATASETS
from h4w.structures.bbox import process_bbox, xywh_to_xyxy

__all__ = [
    'WholeBodyFolderDataset',
    'KEYPOINT_GROUPS',
    'PART_BOXES',
    'FIT_PARTS',
    'smplx_gt_params',
    'wholebody_keypoints',
]

_NAMES = WHOLEBODY_METAINFO['joint_names']

#: COCO-WholeBody keypoint field -> (first row in the whole-body joint
#: order of :data:`WHOLEBODY_METAINFO`, number of keypoints).
KEYPOINT_GROUPS: Dict[str, Tuple[int, int]] = dict(
    keypoints=(_NAMES.index('Nose'), 17),
    foot_kpts=(_NAMES.index('L_Big_toe'), 6),
    lefthand_kpts=(_NAMES.index('L_Wrist_Hand'), 21),
    righthand_kpts=(_NAMES.index('R_Wrist_Hand'), 21),
    face_kpts=(_NAMES.index('Face_56'), 68),
)

#: Part-box field prefix (``<prefix>_box``, ``<prefix>_valid``) -> data-info
#: key of the box.
PART_BOXES: Dict[str, str] = dict(
    lefthand='lhand_bbox', righthand='rhand_bbox', face='face_bbox'
)

#: SMPL-X fit field -> the part whose validity flag covers it (None: the
#: body, always required). From the h4w SMPL-X parameter layout.
FIT_PARTS: Dict[str, Optional[str]] = {
    name: None for name in FIT_PARAM_DIMS['smplx']
}
FIT_PARTS.update({b.key: b.part for b in SMPLX_LAYOUT.pose_blocks})
FIT_PARTS['expr'] = SMPLX_LAYOUT.expression_part

#: Empty (invalid) keypoint filled from a body keypoint, as MSCOCO's whole
#: body (spec §5.4): hand wrists from the body wrists, the nose tip
#: (Face_18) from the nose.
_FILLS = (
    ('L_Wrist', 'L_Wrist_Hand'),
    ('R_Wrist', 'R_Wrist_Hand'),
    ('Nose', 'Face_18'),
)


#: How the fields of ``smplx_param`` are laid out (error messages).
_FIT_LAYOUTS = dict(
    root_pose='axis-angle',
    body_pose='21 x 3 axis-angle',
    lhand_pose='15 x 3 axis-angle',
    rhand_pose='15 x 3 axis-angle',
    jaw_pose='axis-angle',
    shape='betas',
    expr='expression coefficients',
    trans='x, y, z metres',
)


class _FieldError(Exception):
    """A malformed field of one annotation (the loader adds the file and
    the annotation id)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f'field {field!r} {problem}')


def _numbers(value: Any, field: str, count: int, layout: str) -> np.ndarray:
    """``value`` as a flat float64 array of ``count`` numbers."""
    if isinstance(value, (str, bytes, dict)):
        raise _FieldError(field, f'must be a list of numbers ({layout})')
    try:
        array = np.asarray(value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise _FieldError(
            field, f'must be a list of numbers ({layout})'
        ) from None
    if array.size != count:
        raise _FieldError(
            field, f'must hold {count} numbers ({layout}), got {array.size}'
        )
    return array


def _finite(array: np.ndarray, field: str, what: str = 'value') -> None:
    """_FieldError naming the first non-finite entry of ``array``."""
    if not np.isfinite(array).all():
        index = int(np.flatnonzero(~np.isfinite(array))[0])
        raise _FieldError(field, f'has a non-finite {what} at entry {index}')


def _flag(ann: dict, field: str, default: bool) -> bool:
    """An optional true / false field (bool or 0 / 1)."""
    value = ann.get(field)
    if value is None:
        return default
    if isinstance(value, (bool, int, float)) and not (
        isinstance(value, float) and not np.isfinite(value)
    ):
        return bool(value)
    raise _FieldError(field, f'must be true or false, got {value!r}')


def _keypoint_group(ann: dict, field: str, count: int) -> np.ndarray:
    """(count, 3) [x, y, v] of a flat keypoint list; a missing list is
    zeros (v = 0); invalid keypoints get x = y = 0."""
    value = ann.get(field)
    if value is None:
        return np.zeros((count, 3), dtype=np.float32)
    kpts = _numbers(value, field, 3 * count, f'{count} x [x, y, v]')
    kpts = kpts.reshape(count, 3)
    if not np.isfinite(kpts[:, 2]).all():
        bad = np.flatnonzero(~np.isfinite(kpts[:, 2]))[0]
        raise _FieldError(
            field, f'has a non-finite visibility at keypoint {bad}'
        )
    valid = kpts[:, 2] > 0
    if not np.isfinite(kpts[valid, :2]).all():
        bad = np.flatnonzero(valid & ~np.isfinite(kpts[:, :2]).all(1))[0]
        raise _FieldError(
            field, f'has a non-finite coordinate at valid keypoint {bad}'
        )
    kpts[~valid] = 0
    return kpts.astype(np.float32)


def wholebody_keypoints(ann: dict) -> np.ndarray:
    """The 134 whole-body keypoints of an annotation, (134, 3) [x, y, v],
    in the order of :data:`WHOLEBODY_METAINFO`: the groups of
    :data:`KEYPOINT_GROUPS`, Pelvis = mean of the hips with v = product of
    theirs, and the hand wrists / nose tip filled from the body when
    unlabelled (as MSCOCO's whole body, spec §5.4)."""
    joints = np.zeros((len(_NAMES), 3), dtype=np.float32)
    for field, (start, count) in KEYPOINT_GROUPS.items():
        joints[start : start + count] = _keypoint_group(ann, field, count)
    lhip, rhip = joints[_NAMES.index('L_Hip')], joints[_NAMES.index('R_Hip')]
    joints[_NAMES.index('Pelvis')] = (
        (lhip[0] + rhip[0]) / 2,
        (lhip[1] + rhip[1]) / 2,
        lhip[2] * rhip[2],
    )
    for body, part in _FILLS:
        src, dst = _NAMES.index(body), _NAMES.index(part)
        if not joints[dst, 2] > 0:
            joints[dst] = joints[src]
    return joints


def _part_box(ann: dict, prefix: str) -> Optional[np.ndarray]:
    """A hand / face box as (4,) float32 xyxy; None when absent, marked
    invalid or empty (w or h <= 0)."""
    field = f'{prefix}_box'
    box = ann.get(field)
    if not _flag(ann, f'{prefix}_valid', True) or box is None:
        return None
    box = _numbers(box, field, 4, 'x, y, w, h')
    _finite(box, field)
    if box[2] <= 0 or box[3] <= 0:
        return None
    return xywh_to_xyxy(box.astype(np.float32))


def smplx_gt_params(ann: dict) -> dict:
    """The annotation's SMPL-X fit and camera as ``gt_params`` (the
    :class:`BodyModelTargetGenerator` fields); ``dict(param_valid=False)``
    without a fit.

    A part (``lhand``, ``rhand``, ``face``) is used when its flag
    ``<part>_valid`` (default true) is true and its fields are given; its
    fields are then checked, else they are zeros and the flag false.
    ``mask_trunc`` is set as for MSCOCO (the joints of a part whose fit is
    invalid leave the ``smplx_joint_img`` loss).
    """
    param = ann.get('smplx_param')
    if param is None:
        return dict(param_valid=False)
    if not isinstance(param, dict):
        raise _FieldError('smplx_param', 'must be an object')
    cam = ann.get('cam_param')
    if cam is None:
        raise _FieldError(
            'cam_param',
            'is missing (required with smplx_param: {focal, princpt} in '
            'image pixels)',
        )
    if not isinstance(cam, dict):
        raise _FieldError('cam_param', 'must be an object')
    parts = sorted({p for p in FIT_PARTS.values() if p is not None})
    used = {p: _flag(param, f'{p}_valid', True) for p in parts}
    for name, part in FIT_PARTS.items():
        if part is not None and param.get(name) is None:
            used[part] = False  # a part without its fields is unfitted
    params: Dict[str, Any] = {}
    for name, dim in FIT_PARAM_DIMS['smplx'].items():
        part, field = FIT_PARTS[name], f'smplx_param.{name}'
        if part is not None and not used[part]:
            params[name] = np.zeros(dim, dtype=np.float32)
            continue
        if param.get(name) is None:
            raise _FieldError(field, 'is missing')
        value = _numbers(param[name], field, dim, _FIT_LAYOUTS.get(name, ''))
        _finite(value, field)
        params[name] = value.astype(np.float32)
    params.update({f'{p}_valid': used[p] for p in parts})
    for name in ('focal', 'princpt'):
        field = f'cam_param.{name}'
        if cam.get(name) is None:
            raise _FieldError(field, 'is missing')
        value = _numbers(cam[name], field, 2, 'x, y pixels')
        _finite(value, field)
        params[name] = value.astype(np.float32)
    if (params['focal'] <= 0).any():
        raise _FieldError('cam_param.focal', 'must be positive')
    params['mask_trunc'] = True
    return params


@DATASETS.register_module()
class WholeBodyFolderDataset(BaseMeshDataset):
    """Your own whole-body images with COCO-WholeBody style annotations
    and optional SMPL-X fits.

    Layout (``data_root``)::

        <data_root>/images/<file_name>         any image files
        <data_root>/annotations/<split>.json   COCO style: images [{id,
                                               file_name, height, width}],
                                               annotations, categories

    ``file_name`` is relative to ``images/`` (sub-folders allowed).
    Annotation fields (one per person):

    * required: ``id``, ``image_id`` (an image of ``images``), ``bbox``
      (x, y, w, h pixels);
    * optional keypoints, flat ``[x, y, v] * n`` lists as COCO-WholeBody
      (v > 0: labelled): ``keypoints`` (17 COCO body), ``foot_kpts`` (6),
      ``lefthand_kpts`` / ``righthand_kpts`` (21: wrist, then 4 per
      finger), ``face_kpts`` (68);
    * optional part boxes ``lefthand_box`` / ``righthand_box`` /
      ``face_box`` (x, y, w, h) with optional flags ``lefthand_valid`` /
      ``righthand_valid`` / ``face_valid`` (a box without its flag is
      valid);
    * optional SMPL-X fit of the person in the camera frame,
      ``smplx_param`` {root_pose (3), body_pose (63), lhand_pose (45),
      rhand_pose (45), jaw_pose (3), shape (10), expr (10), trans (3)
      metres; optional lhand_valid, rhand_valid, face_valid}
      (axis-angle; the h4w ``gt_params`` names, as the NeuralAnnot fits
      of MSCOCO), with ``cam_param`` {focal (2), princpt (2)} in the
      image's pixels (required with ``smplx_param``);
    * optional ``iscrowd``: crowd annotations are left out.

    Missing optional fields give zero validity: a missing keypoint group
    zeros with validity 0; a missing, invalid or empty part box None; a
    part of the fit whose flag is false or whose fields are missing
    zeros with ``<part>_valid`` false; a missing fit
    ``gt_params=dict(param_valid=False)`` (zero fit targets; no GT mesh
    at test time). Malformed fields raise :class:`AnnotationError` naming
    the file, the annotation id and the field: a wrong length, a
    non-finite value in a labelled keypoint, a box or a used fit,
    ``smplx_param`` without ``cam_param``, an unknown ``image_id``, a
    missing ``bbox``, a duplicate ``id``. A person whose box
    ``process_bbox`` rejects (empty, outside the image) is left out, and
    the count logged.

    Keypoints (:data:`WHOLEBODY_METAINFO`, 134): the 17 body keypoints,
    Pelvis (mean of the hips, visibility = product of theirs), the feet,
    both hands and the face in COCO order, named as in the SMPL-X 137-joint
    set where they correspond (``KeypointTargets`` re-indexes them by
    name); an unlabelled hand wrist or nose tip takes the body wrist /
    nose (MSCOCO's whole-body rules, spec §5.4). z = 0 (2D only).

    Data info, per person, training and test mode alike (the test
    pipeline decides what it uses): ``img_path``, ``img_id``, ``ann_id``,
    ``ori_shape`` (H, W), ``bbox`` (4,) processed xywh (aspect
    ``bbox_aspect_ratio``, x1.25), ``keypoints`` (134, 3) [x, y, 0],
    ``keypoints_valid`` (134, 1), ``is_3d`` 0, ``lhand_bbox`` /
    ``rhand_bbox`` / ``face_bbox`` (4,) xyxy or None, ``gt_params``
    (float32 ``root_pose`` (3,), ``body_pose`` (63,), ``lhand_pose``,
    ``rhand_pose`` (45,), ``jaw_pose`` (3,), ``shape``, ``expr`` (10,),
    ``trans`` (3,), ``focal``, ``princpt`` (2,), bools ``lhand_valid``,
    ``rhand_valid``, ``face_valid``, ``mask_trunc``; or
    ``dict(param_valid=False)``). In test mode the model's target
    generator turns ``gt_params`` into the GT mesh ``smplx_mesh_cam``
    (zeros for persons without a fit).

    Args:
        ann_file (str, optional): Annotation file relative to
            ``data_root``. Defaults to ``annotations/train.json``, or
            ``annotations/val.json`` with ``test_mode=True``.
        bbox_aspect_ratio (float): Crop W / H of ``process_bbox``.
            Defaults to 0.75 (Hand4Whole's 512x384 crop).
        **kwargs: :class:`BaseMeshDataset` arguments (``data_root``,
            ``pipeline``, ``test_mode``, ``cache_dir``, ...);
            ``data_prefix`` defaults to ``dict(img='images')``.

    Examples:
        >>> from projects.example_project.datasets import (
        ...     WholeBodyFolderDataset)
        >>> dataset = WholeBodyFolderDataset(  # doctest: +SKIP
        ...     data_root='data/example_project', test_mode=True)
    """

    METAINFO = WHOLEBODY_METAINFO

    def __init__(
        self,
        ann_file: Optional[str] = None,
        bbox_aspect_ratio: float = 0.75,
        **kwargs,
    ) -> None:
        if ann_file is None:
            split = 'val' if kwargs.get('test_mode', False) else 'train'
            ann_file = f'annotations/{split}.json'
        self.bbox_aspect_ratio = float(bbox_aspect_ratio)
        kwargs.setdefault('data_prefix', dict(img='images'))
        super().__init__(ann_file=ann_file, **kwargs)

    def cache_args(self) -> Dict[str, Any]:
        return dict(
            super().cache_args(),
            aspect=self.bbox_aspect_ratio,
            img_dir=self.img_dir,
        )

    # ------------------------------------------------------------ parsing
    def load_annotations(self) -> List[dict]:
        """Parse the annotation file (see the class docstring)."""
        db = read_json(self.ann_file, f'{type(self).__name__} annotations')
        if not isinstance(db, dict):
            raise AnnotationError(
                f'{self.ann_file}: must hold a JSON object with "images" '
                'and "annotations"'
            )
        images = self._images(db)
        annotations = self._top_list(db, 'annotations')
        data_list, seen, dropped = [], set(), []
        for index, ann in enumerate(annotations):
            ann_id = ann.get('id') if isinstance(ann, dict) else None
            where = f'annotation {ann_id}'
            if ann_id is None:
                where = f'annotation #{index} (without an id)'
            try:
                if not isinstance(ann, dict):
                    raise _FieldError('annotations', 'must hold objects')
                if ann_id is None:
                    raise _FieldError('id', 'is missing')
                if ann_id in seen:
                    raise _FieldError('id', 'is not unique')
                seen.add(ann_id)
                with annotation_context(self.ann_file, ann_id):
                    info = self._parse(ann, images)
            except _FieldError as err:
                raise AnnotationError(
                    f'{self.ann_file}: {where}: {err}'
                ) from None
            if info is None:
                dropped.append(ann_id)
                continue
            data_list.append(info)
        if dropped:
            print_log(
                f'{type(self).__name__}: {self.ann_file}: left out '
                f'{len(dropped)} person(s) whose box is empty or outside '
                f'the image (annotations {dropped[:10]})',
                'current',
                level=30,
            )
        return data_list

    def _top_list(self, db: dict, key: str) -> list:
        value = db.get(key)
        if value is None:
            raise AnnotationError(f'{self.ann_file}: field {key!r} is missing')
        if not isinstance(value, list):
            raise AnnotationError(
                f'{self.ann_file}: field {key!r} must be a list '
                f'(got {type(value).__name__})'
            )
        return value

    def _images(self, db: dict) -> Dict[Any, dict]:
        """``images`` by id, each checked."""
        images = {}
        for index, img in enumerate(self._top_list(db, 'images')):
            img_id = img.get('id') if isinstance(img, dict) else None
            where = f'image #{index}' if img_id is None else f'image {img_id}'
            missing = [
                k
                for k in ('id', 'file_name', 'height', 'width')
                if not isinstance(img, dict) or img.get(k) is None
            ]
            if missing:
                raise AnnotationError(
                    f'{self.ann_file}: {where}: field {missing[0]!r} is '
                    'missing'
                )
            try:
                height, width = int(img['height']), int(img['width'])
            except (TypeError, ValueError):
                height = width = 0
            if height <= 0 or width <= 0:
                raise AnnotationError(
                    f'{self.ann_file}: {where}: fields height / width must '
                    f'be positive integers, got {img["height"]!r} / '
                    f'{img["width"]!r}'
                )
            images[img_id] = dict(img, height=height, width=width)
        return images

    def _parse(self, ann: dict, images: Dict[Any, dict]) -> Optional[dict]:
        """Data info of one annotation; None when left out."""
        if ann.get('image_id') is None:
            raise _FieldError('image_id', 'is missing')
        img = images.get(ann['image_id'])
        if img is None:
            raise _FieldError(
                'image_id', f'names an unknown image id {ann["image_id"]!r}'
            )
        if _flag(ann, 'iscrowd', False):
            return None
        if ann.get('bbox') is None:
            raise _FieldError('bbox', 'is missing (x, y, w, h pixels)')
        box = _numbers(ann['bbox'], 'bbox', 4, 'x, y, w, h')
        _finite(box, 'bbox')
        keypoints = wholebody_keypoints(ann)
        part_boxes = {
            key: _part_box(ann, prefix) for prefix, key in PART_BOXES.items()
        }
        gt_params = smplx_gt_params(ann)
        bbox = process_bbox(
            box,
            img['width'],
            img['height'],
            aspect_ratio=self.bbox_aspect_ratio,
        )
        if bbox is None:
            return None
        valid = (keypoints[:, 2:] > 0).astype(np.float32)
        keypoints[:, 2] = 0
        return coco_data_info(
            img,
            ann,
            osp.join(self.img_dir, img['file_name']),
            bbox=bbox,
            keypoints=keypoints,
            keypoints_valid=valid,
            is_3d=0.0,
            gt_params=gt_params,
            **part_boxes,
        )
