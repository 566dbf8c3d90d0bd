"""Hand and face box targets (spec §5.1 ``process_hand_face_bbox``)."""

from typing import Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from h4w.registry import TRANSFORMS
from h4w.structures.keypoint import affine_points

__all__ = ['PartBBoxTargets']

PARTS = ('lhand', 'rhand', 'face')


@TRANSFORMS.register_module()
class PartBBoxTargets(BaseTransform):
    """Left-hand, right-hand and face boxes in body heat-map units.

    Reads ``lhand_bbox``, ``rhand_bbox``, ``face_bbox`` ((4,) xyxy in
    original pixels, or None / absent) and the crop of
    :class:`MeshTopdownAffine`. A box is flipped (x -> W - x - 1, corners
    swapped), its 4 corners go through ``img2bb_trans`` and are scaled to
    heat-map units, and the axis-aligned hull is kept. After a flip the
    left and right hands swap. A missing box is the reference's dummy
    [[0, 0], [1, 1]] with validity 0.

    Writes ``{part}_bbox_center`` (2,), ``{part}_bbox_size`` (2,) and
    ``{part}_bbox_valid`` (float) for ``part`` in lhand, rhand, face.

    Args:
        input_size (tuple): Crop (H_in, W_in).
        output_hm_shape (tuple): Body heat map (D, H_hm, W_hm).
    """

    def __init__(
        self,
        input_size: Tuple[int, int] = (512, 384),
        output_hm_shape: Tuple[int, int, int] = (8, 8, 6),
    ) -> None:
        self.input_size = tuple(input_size)
        self.output_hm_shape = tuple(output_hm_shape)

    def _box(self, bbox, results: dict):
        if bbox is None:
            return np.array([[0, 0], [1, 1]], dtype=np.float32), 0.0
        x1, y1, x2, y2 = np.asarray(bbox, dtype=np.float32).reshape(4)
        if results.get('flip', False):
            width = results['img_shape'][1]
            x1, x2 = width - x2 - 1, width - x1 - 1
        corners = np.array(
            [[x1, y1], [x2, y1], [x2, y2], [x1, y2]], dtype=np.float32
        )
        trans = np.asarray(results['img2bb_trans'], dtype=np.float32)
        corners = affine_points(corners, trans)
        corners[:, 0] *= self.output_hm_shape[2] / self.input_size[1]
        corners[:, 1] *= self.output_hm_shape[1] / self.input_size[0]
        return np.stack([corners.min(0), corners.max(0)]), 1.0

    def transform(self, results: dict) -> dict:
        boxes = {
            part: self._box(results.get(f'{part}_bbox'), results)
            for part in PARTS
        }
        if results.get('flip', False):
            boxes['lhand'], boxes['rhand'] = boxes['rhand'], boxes['lhand']
        for part, (box, valid) in boxes.items():
            results[f'{part}_bbox_center'] = (box[0] + box[1]) / 2.0
            results[f'{part}_bbox_size'] = box[1] - box[0]
            results[f'{part}_bbox_valid'] = np.float32(valid)
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(input_size={self.input_size}, '
            f'output_hm_shape={self.output_hm_shape})'
        )
