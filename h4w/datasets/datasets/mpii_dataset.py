"""MPII Human Pose (spec §5.4 whole body, §5.5 Pose2Pose body)."""

import os.path as osp
from functools import partial
from typing import Dict, List, Optional

import numpy as np

from h4w.registry import DATASETS
from h4w.structures.bbox import process_bbox

from .base import (
    BaseMeshDataset,
    coco_data_info,
    finite_array,
    fit_file_tag,
    fit_params,
    wholebody_fit_masks,
)

__all__ = ['MPIIDataset']

#: Parameter key of a NeuralAnnot entry per body model.
FIT_KEYS = dict(smplx='smplx_param', smpl='smpl_param')


@DATASETS.register_module()
class MPIIDataset(BaseMeshDataset):
    """MPII in the upstream parsed layout (2D training set, no test set).

    Layout (``data_root`` = ``data/MPII``)::

        data/images/<name>.jpg
        data/annotations/train.json       COCO images + annotations
        data/annotations/MPII_train_SMPLX_NeuralAnnot.json   (whole body)
        data/annotations/MPII_train_SMPL_NeuralAnnot.json    (Pose2Pose)

    The image path is ``data/<file_name>`` as upstream: the parsed
    ``train.json`` (TF-SimpleHumanPose ``mpii2coco.py``) stores
    ``file_name = 'images/<name>.jpg'``, which puts the images in the
    README's ``data/MPII/data/images`` folder.

    Annotations: ``keypoints`` (16 x 3: x, y pixels, visibility) in the
    order of ``METAINFO['joint_names']``, ``bbox`` xywh. The fit files map
    the annotation id (a string) to ``{'smplx_param': {...},
    'cam_param': {'focal', 'princpt'}}`` (SMPL: ``{'smpl_param': {'pose'
    (72), 'shape', 'trans'}, 'cam_param'}``), camera-frame fits in
    original image pixels.

    Data info: ``keypoints`` (16, 3) with z = 0 (no depth),
    ``keypoints_valid`` (16, 1) = the visibility column as it is, no
    ``keypoints_cam`` (the targets' ``joint_cam`` are zeros), ``is_3d``
    0 and ``gt_params`` (the fit and its camera; an annotation without a
    fit gets ``param_valid=False`` and zero, invalid fit targets, as
    §5.4 says for the whole-body file; the Pose2Pose code requires every
    id and would fail, we treat a missing one the same way). Whole body:
    the wrist and ankle rotations and the six foot keypoints of the fit
    are masked and its truncation is multiplied by its validity, the
    masks of :class:`Human36MDataset` (:func:`wholebody_fit_masks`).

    Only the training split exists upstream: ``test_mode=True`` raises.

    Args:
        model_type (str): ``'smplx'`` (Hand4Whole) or ``'smpl'``
            (Pose2Pose body).
        ann_file (str): COCO annotations, relative to ``data_root``.
        fit_file (str, optional): NeuralAnnot fits, relative to
            ``data_root``; defaults to the upstream file of
            ``model_type``.
        **kwargs: :class:`BaseMeshDataset` arguments (``data_prefix``
            defaults to ``dict(img='data')``).
    """

    METAINFO = dict(
        joint_names=(
            'R_Ankle',
            'R_Knee',
            'R_Hip',
            'L_Hip',
            'L_Knee',
            'L_Ankle',
            'Pelvis',
            'Thorax',
            'Neck',
            'Head_top',
            'R_Wrist',
            'R_Elbow',
            'R_Shoulder',
            'L_Shoulder',
            'L_Elbow',
            'L_Wrist',
        ),
        flip_pairs=((0, 5), (1, 4), (2, 3), (10, 15), (11, 14), (12, 13)),
        root_idx=6,
    )

    def __init__(
        self,
        model_type: str = 'smplx',
        ann_file: str = 'data/annotations/train.json',
        fit_file: Optional[str] = None,
        **kwargs,
    ) -> None:
        tag = fit_file_tag(model_type)
        if kwargs.get('test_mode', False):
            raise ValueError(
                'MPIIDataset is a training set: the upstream MPII has no '
                'test split (use it in train_dataloader only)'
            )
        self.model_type = model_type
        self.fit_file = fit_file or osp.join(
            'data', 'annotations', f'MPII_train_{tag}.json'
        )
        kwargs.setdefault('data_prefix', dict(img='data'))
        super().__init__(ann_file=ann_file, **kwargs)

    @property
    def fit_path(self) -> str:
        """The fit file (joined with ``data_root`` when relative)."""
        return osp.join(self.data_root, self.fit_file)

    def source_files(self) -> List[str]:
        return [self.ann_file, self.fit_path]

    def cache_args(self) -> Dict:
        return dict(
            super().cache_args(),
            model_type=self.model_type,
            fit_file=self.fit_file,
        )

    def load_annotations(self) -> List[dict]:
        return self.parse_coco(
            self.ann_file,
            self._parse,
            partial(self._fit, masks=wholebody_fit_masks(self.model_type)),
            self.fit_path,
        )

    def _parse(self, ann: dict, img: dict) -> Optional[dict]:
        bbox = process_bbox(ann['bbox'], img['width'], img['height'])
        if bbox is None:
            return None
        num = len(self.metainfo['joint_names'])
        keypoints = finite_array(ann['keypoints'], (num, 3), 'keypoints')
        valid = keypoints[:, 2:].copy()
        keypoints[:, 2] = 0
        return coco_data_info(
            img,
            ann,
            osp.join(self.img_dir, img['file_name']),
            bbox=bbox,
            keypoints=keypoints,
            keypoints_valid=valid,
            is_3d=0.0,
        )

    def _fit(self, entry: Optional[dict], masks: dict) -> dict:
        """``gt_params`` of one annotation (``param_valid`` False when
        the fit file has no entry) with the whole-body ``masks``."""
        param = None if entry is None else entry[FIT_KEYS[self.model_type]]
        if param is None:
            return dict(param_valid=False, **masks)
        params = fit_params(param, self.model_type)
        cam = entry['cam_param']
        params.update(
            focal=np.array(cam['focal'], dtype=np.float32).reshape(2),
            princpt=np.array(cam['princpt'], dtype=np.float32).reshape(2),
            **masks,
        )
        return params
