"""FFHQ (Pose2Pose face, spec §5.5)."""

import os.path as osp
from typing import Dict, List, Optional

import numpy as np

from h4w.body_models.joint_sets import FLAME_JOINTS
from h4w.registry import DATASETS
from h4w.structures.bbox import process_bbox

from .base import (
    BaseMeshDataset,
    coco_data_info,
    finite_array,
    flame_fit_params,
)

__all__ = ['FFHQDataset']


@DATASETS.register_module()
class FFHQDataset(BaseMeshDataset):
    """FFHQ faces with FLAME NeuralAnnot fits (Pose2Pose face, a 2D
    training set).

    Layout (``data_root`` = ``data/FFHQ``)::

        data/FFHQ.json          COCO images and annotations: 'bbox'
                                (xywh), 'keypoints' (73, 2) pixels in
                                the FLAME 73-joint order,
                                'keypoints_valid' (73)
        data/flame_param.json   {ann_id: {'flame_param': {'root_pose',
                                'jaw_pose', 'shape', 'expr', 'trans'
                                (optional)}, 'cam_param': {'focal',
                                'princpt'}}}
        data/images/<file_name> images

    The fit file name is an argument: the reference code reads
    ``flame_param.json`` while its README names
    ``FFHQ_FLAME_NeuralAnnot.json`` (§5.5); pass
    ``fit_file='data/FFHQ_FLAME_NeuralAnnot.json'`` for a download under
    that name. Images are read from ``data/images/<file_name>`` as the
    reference code does (``data_prefix``).

    Per annotation: bbox = ``process_bbox(bbox, aspect 0.75)``;
    ``keypoints`` (73, 3) with z = 0 (invalid rows zero), named
    ``'0'..'72'`` as the FLAME set with its flip pairs (random flips are
    allowed); ``is_3d = 0``; ``gt_params`` = the fit with its camera
    (original-image pixels), or ``param_valid=False`` when the annotation
    has no fit.

    Args:
        fit_file (str, optional): Fit file relative to ``data_root``;
            None: no fits (every sample ``param_valid=False``).
        bbox_aspect_ratio (float): w / h of the crop box (256 x 192).
        **kwargs: :class:`BaseMeshDataset` arguments; ``ann_file``
            defaults to ``data/FFHQ.json``, ``data_prefix`` to
            ``dict(img='data/images')``.
    """

    METAINFO = dict(
        joint_names=FLAME_JOINTS.joint_names,
        flip_pairs=FLAME_JOINTS.flip_pairs,
        root_idx=0,
    )

    def __init__(
        self,
        fit_file: Optional[str] = 'data/flame_param.json',
        bbox_aspect_ratio: float = 0.75,
        **kwargs,
    ) -> None:
        if not kwargs.get('ann_file'):
            kwargs['ann_file'] = 'data/FFHQ.json'
        kwargs.setdefault('data_prefix', dict(img='data/images'))
        self.fit_file = fit_file
        self.bbox_aspect_ratio = bbox_aspect_ratio
        super().__init__(**kwargs)

    def _fit_path(self) -> Optional[str]:
        if self.fit_file is None:
            return None
        return (
            self.fit_file
            if osp.isabs(self.fit_file)
            else osp.join(self.data_root, self.fit_file)
        )

    def source_files(self) -> List[str]:
        return [self.ann_file] + ([self._fit_path()] if self.fit_file else [])

    def cache_args(self) -> Dict:
        return dict(
            super().cache_args(),
            ann_file=self.ann_file,
            fit_file=self.fit_file,
            aspect=self.bbox_aspect_ratio,
        )

    def load_annotations(self) -> List[dict]:
        return self.parse_coco(
            self.ann_file, self._parse, self._fit, self._fit_path()
        )

    def _parse(self, ann: dict, img: dict) -> Optional[dict]:
        bbox = process_bbox(
            ann['bbox'],
            img['width'],
            img['height'],
            aspect_ratio=self.bbox_aspect_ratio,
        )
        if bbox is None:
            return None
        num = FLAME_JOINTS.num_joints
        valid = np.array(ann['keypoints_valid'], dtype=np.float32).reshape(
            num, 1
        )
        xy = np.array(ann['keypoints'], dtype=np.float32).reshape(num, 2)
        xy = np.where(valid > 0, xy, 0.0)
        if not np.isfinite(xy).all():
            raise ValueError('non-finite keypoints')
        return coco_data_info(
            img,
            ann,
            osp.join(self.img_dir, img['file_name']),
            bbox=bbox,
            keypoints=np.concatenate([xy, np.zeros((num, 1), np.float32)], 1),
            keypoints_valid=valid,
            is_3d=0.0,
        )

    @staticmethod
    def _fit(fit: Optional[dict]) -> dict:
        """``gt_params`` of one annotation (``param_valid`` False without
        a fit)."""
        if fit is None:
            return dict(param_valid=False)
        params = flame_fit_params(fit['flame_param'])
        if params is None:
            return dict(param_valid=False)
        cam = fit['cam_param']
        params.update(
            focal=finite_array(cam['focal'], (2,), 'focal'),
            princpt=finite_array(cam['princpt'], (2,), 'princpt'),
        )
        return params
