"""3DPW (spec §5.4 "PW3D", §5.5 "PW3D (P2P, evaluated)", §6.5)."""

import os.path as osp
from typing import Dict, List, Optional

import numpy as np

from h4w.registry import DATASETS
from h4w.structures.bbox import process_bbox

from .base import BaseMeshDataset, coco_data_info, finite_array, fit_params

__all__ = ['PW3DDataset']

SPLITS = ('train', 'validation', 'test')

#: Gender spellings -> body-model gender.
GENDERS = dict(
    male='male',
    female='female',
    neutral='neutral',
    m='male',
    f='female',
    n='neutral',
)

#: SMPL fit field -> size (after the 72-vector is split).
SMPL_PARAM_SIZES = dict(root_pose=3, body_pose=69, shape=10, trans=3)

#: Body models of the 3DPW fits.
FIT_MODELS = ('smpl',)


@DATASETS.register_module()
class PW3DDataset(BaseMeshDataset):
    """3DPW in the parsed layout of Hand4Whole / Pose2Pose.

    Layout (``data_root`` = ``data/PW3D``, the upstream README)::

        data/3DPW_{train,validation,test}.json
            images: id, sequence, file_name, width, height,
                    cam_param {focal (2), princpt (2)} (pixels)
            annotations: id, image_id, bbox (xywh), smpl_param {pose (72),
                         shape (10), trans (3), gender} (camera frame)
        imageFiles/<sequence>/<file_name>

    (The reference code reads the images from ``data/imageFiles``; set
    ``data_prefix=dict(img='data/imageFiles')`` for that layout.)

    Per annotation: ``bbox`` = ``process_bbox(bbox)`` (empty boxes left
    out; kept in the packed ``gt_instances`` for Pose2Pose, §5.5),
    ``is_3d`` = 1 and ``gt_params``: the gendered SMPL fit (``root_pose``
    = pose[:3], ``body_pose`` = pose[3:], ``shape``, ``trans``,
    ``gender`` as ``'male'`` / ``'female'`` / ``'neutral'``; ``'m'`` /
    ``'f'`` accepted) with the camera (``focal``, ``princpt``; no
    rotation: the fit is in the camera frame). The GT mesh
    ``smpl_mesh_cam`` (6890, 3) and the SMPL targets are computed from it
    by :class:`BodyModelTargetGenerator` (with a layer per gender), in test
    and in training mode; there are no dataset keypoints.

    Spec §10.2 (main's PW3D writes one ``<ann_id>.json`` per sample into
    the working directory, ``vis=True`` hard-coded): fixed, the dataset
    writes nothing; :class:`PW3DMetric` computes the §6.5 errors.

    Args:
        split (str): ``'test'`` (default), ``'validation'`` or
            ``'train'``.
        model_type (str): Body model of the GT; only ``'smpl'`` (the 3DPW
            fits are SMPL).
        ann_file (str, optional): Relative to ``data_root``. Defaults to
            ``'data/3DPW_{split}.json'``.
        **kwargs: :class:`BaseMeshDataset` arguments; ``data_prefix``
            defaults to ``dict(img='imageFiles')``.
    """

    METAINFO = dict(joint_names=(), flip_pairs=())

    def __init__(
        self,
        split: str = 'test',
        model_type: str = 'smpl',
        ann_file: Optional[str] = None,
        **kwargs,
    ) -> None:
        if split not in SPLITS:
            raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
        if model_type not in FIT_MODELS:
            raise ValueError(
                f'PW3DDataset: model_type must be one of {FIT_MODELS} '
                f'(3DPW has SMPL fits), got {model_type!r}'
            )
        self.split = split
        self.model_type = model_type
        kwargs.setdefault('data_prefix', dict(img='imageFiles'))
        super().__init__(
            ann_file=ann_file or f'data/3DPW_{split}.json', **kwargs
        )

    def cache_args(self) -> Dict:
        return dict(
            super().cache_args(), split=self.split, model_type=self.model_type
        )

    def load_annotations(self) -> List[dict]:
        return self.parse_coco(self.ann_file, self._parse)

    def _parse(self, ann: dict, img: dict) -> Optional[dict]:
        bbox = process_bbox(ann['bbox'], img['width'], img['height'])
        if bbox is None:
            return None
        smpl_param = dict(ann['smpl_param'])
        gender = str(smpl_param.pop('gender', 'neutral')).lower()
        if gender not in GENDERS:
            raise ValueError(f'unknown gender {gender!r}')
        params = fit_params(
            {k: smpl_param[k] for k in ('pose', 'shape', 'trans')},
            self.model_type,
        )
        for key, size in SMPL_PARAM_SIZES.items():
            params[key] = finite_array(params[key], size, f'smpl_param {key}')
        cam = img['cam_param']
        params.update(
            gender=GENDERS[gender],
            focal=np.asarray(cam['focal'], dtype=np.float32).reshape(2),
            princpt=np.asarray(cam['princpt'], dtype=np.float32).reshape(2),
        )
        return coco_data_info(
            img,
            ann,
            osp.join(self.img_dir, img['sequence'], img['file_name']),
            bbox=bbox,
            is_3d=1.0,
            gt_params=params,
        )
