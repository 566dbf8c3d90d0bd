"""Pack a transformed sample into ``inputs`` + :class:`MeshDataSample`."""

from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import InstanceData

from h4w.registry import TRANSFORMS
from h4w.structures import MeshDataSample

__all__ = ['PackMeshInputs']

#: results key -> gt_instances field. Only keys present are packed.
GT_KEYS = (
    'joint_img',
    'joint_cam',
    'joint_valid',
    'joint_trunc',
    'is_3d',
    'lhand_bbox_center',
    'lhand_bbox_size',
    'lhand_bbox_valid',
    'rhand_bbox_center',
    'rhand_bbox_size',
    'rhand_bbox_valid',
    'face_bbox_center',
    'face_bbox_size',
    'face_bbox_valid',
    'keypoints_cam',
    'smplx_mesh_cam',
    'smpl_mesh_cam',
    'mano_mesh_cam',
    'flame_mesh_cam',
    'bbox',
)

#: results keys copied into the metainfo.
META_KEYS = (
    'img_path',
    'ori_shape',
    'img_shape',
    'img2bb_trans',
    'bb2img_trans',
    'flip',
    'rot',
    'sample_idx',
    'dataset_name',
    'ann_id',
    'img_id',
    'person_id',
    'img_name',
    'side',
    'img_to_full_trans',
    'root_depth',
)


def _row(value) -> np.ndarray:
    """A value as an array with a leading instance axis of size 1."""
    array = np.asarray(value)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    return array[None]


@TRANSFORMS.register_module()
class PackMeshInputs(BaseTransform):
    """Pack ``img`` and the targets for the model.

    ``inputs`` is the (3, H_in, W_in) float32 RGB crop in [0, 255] (the
    data preprocessor divides by 255). The data sample gets:

    * ``gt_instances``: every key of ``gt_keys`` present in the results,
      with a leading axis of size 1 (targets, GT meshes, eval keypoints);
    * ``gt_params``: the body-model fit ``results['gt_params']`` (a dict
      of arrays, strings or bools, see :class:`BodyModelTargetGenerator`),
      absent when the sample has none;
    * ``metainfo``: every key of ``meta_keys`` present in the results.

    Args:
        gt_keys (Sequence[str]): Defaults to :data:`GT_KEYS`.
        meta_keys (Sequence[str]): Defaults to :data:`META_KEYS`.
    """

    def __init__(
        self,
        gt_keys: Sequence[str] = GT_KEYS,
        meta_keys: Sequence[str] = META_KEYS,
    ) -> None:
        self.gt_keys = tuple(gt_keys)
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        img = np.ascontiguousarray(
            np.asarray(results['img'], dtype=np.float32).transpose(2, 0, 1)
        )
        sample = MeshDataSample(
            metainfo={
                key: results[key] for key in self.meta_keys if key in results
            }
        )
        sample.gt_instances = InstanceData(
            **{
                key: _row(results[key])
                for key in self.gt_keys
                if results.get(key) is not None
            }
        )
        params = results.get('gt_params')
        if params is not None:
            packed = {}
            for key, value in params.items():
                if value is None:
                    continue
                packed[key] = (
                    [value] if isinstance(value, str) else _row(value)
                )
            sample.gt_params = InstanceData(**packed)
        return dict(inputs=torch.from_numpy(img), data_samples=sample)

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(gt_keys={self.gt_keys}, '
            f'meta_keys={self.meta_keys})'
        )
