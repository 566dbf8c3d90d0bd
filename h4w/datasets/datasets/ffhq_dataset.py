"""FFHQ (Pose2Pose face, spec §5.5)."""

import json
import os.path as osp
from typing import Dict, List, Optional

import numpy as np

from h4w.models.body_models.joint_sets import FLAME_JOINTS
from h4w.registry import DATASETS
from h4w.structures.bbox import process_bbox
from .base import BaseMeshDataset, annotation_context

__all__ = ['FFHQDataset', 'flame_fit_params']


def _array(value, shape, what: str) -> np.ndarray:
    """``value`` as a finite float32 array of ``shape``."""
    array = np.asarray(value, dtype=np.float32).reshape(shape)
    if not np.isfinite(array).all():
        raise ValueError(f'non-finite {what}')
    return array


def flame_fit_params(param: Optional[dict]) -> Optional[dict]:
    """A FLAME NeuralAnnot fit as ``gt_params`` fields (float32 arrays).

    Args:
        param (dict, optional): ``{'root_pose' (3), 'jaw_pose' (3),
            'shape' (10), 'expr' (10), 'trans' (3, optional)}``.

    Returns:
        dict | None: The same fields as arrays (``trans`` only when
        given: the preprocessor then uses zero); None for None.
    """
    if param is None:
        return None
    out = dict(
        root_pose=_array(param['root_pose'], (3,), 'FLAME root_pose'),
        jaw_pose=_array(param['jaw_pose'], (3,), 'FLAME jaw_pose'),
        shape=_array(param['shape'], (10,), 'FLAME shape'),
        expr=_array(param['expr'], (10,), 'FLAME expr'),
    )
    if param.get('trans') is not None:
        out['trans'] = _array(param['trans'], (3,), 'FLAME trans')
    return out


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
        data/<file_name>        images

    The fit file name is an argument: the reference code reads
    ``flame_param.json`` while its README names
    ``FFHQ_FLAME_NeuralAnnot.json`` (§5.5); pass
    ``fit_file='data/FFHQ_FLAME_NeuralAnnot.json'`` for a download under
    that name. The image folder (``data_prefix``) is not documented by
    the reference; the default reads ``data/<file_name>`` as FreiHAND
    does.

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
            ``dict(img='data')``.
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
        kwargs.setdefault('data_prefix', dict(img='data'))
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
        with open(self.ann_file) as f:
            db = json.load(f)
        fits = {}
        fit_path = self._fit_path()
        if fit_path is not None:
            with open(fit_path) as f:
                fits = json.load(f)
        images = {img['id']: img for img in db['images']}
        img_dir = self.data_prefix.get('img', self.data_root)
        num = FLAME_JOINTS.num_joints
        data_list = []
        for ann in db['annotations']:
            with annotation_context(self.ann_file, ann.get('id')):
                img = images[ann['image_id']]
                bbox = process_bbox(
                    ann['bbox'],
                    img['width'],
                    img['height'],
                    aspect_ratio=self.bbox_aspect_ratio,
                )
                if bbox is None:
                    continue
                valid = np.array(
                    ann['keypoints_valid'], dtype=np.float32
                ).reshape(num, 1)
                xy = np.array(ann['keypoints'], dtype=np.float32).reshape(
                    num, 2
                )
                xy = np.where(valid > 0, xy, 0.0)
                if not np.isfinite(xy).all():
                    raise ValueError('non-finite keypoints')
            with annotation_context(fit_path, ann['id']):
                fit = fits.get(str(ann['id']))
                params = (
                    flame_fit_params(fit['flame_param'])
                    if fit is not None
                    else None
                )
                if params is None:
                    params = dict(param_valid=False)
                else:
                    cam = fit['cam_param']
                    params.update(
                        focal=_array(cam['focal'], (2,), 'focal'),
                        princpt=_array(cam['princpt'], (2,), 'princpt'),
                    )
            data_list.append(
                dict(
                    img_path=osp.join(img_dir, img['file_name']),
                    img_id=img['id'],
                    ann_id=ann['id'],
                    img_shape=(img['height'], img['width']),
                    bbox=bbox,
                    keypoints=np.concatenate(
                        [xy, np.zeros((num, 1), np.float32)], 1
                    ),
                    keypoints_valid=valid,
                    is_3d=0.0,
                    gt_params=params,
                )
            )
        return data_list
