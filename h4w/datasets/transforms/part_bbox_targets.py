"""Hand and face box targets (spec §5.1 ``process_hand_face_bbox``)."""

from typing import Union

import numpy as np
from mmcv.transforms import BaseTransform

from h4w.codecs import MeshCodec, build_codec
from h4w.registry import TRANSFORMS
from h4w.structures.keypoint import affine_points, flip_x

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
        codec (dict | MeshCodec): The crop geometry (``MeshCodec``).
    """

    def __init__(self, codec: Union[dict, MeshCodec]) -> None:
        self.codec = build_codec(codec)

    def _box(self, bbox, results: dict):
        if bbox is None:
            return np.array([[0, 0], [1, 1]], dtype=np.float32), 0.0
        x1, y1, x2, y2 = np.asarray(bbox, dtype=np.float32).reshape(4)
        if results.get('flip', False):
            width = results['ori_shape'][1]
            x1, x2 = flip_x(x2, width), flip_x(x1, width)
        corners = np.array(
            [[x1, y1], [x2, y1], [x2, y2], [x1, y2]], dtype=np.float32
        )
        trans = np.asarray(results['img2bb_trans'], dtype=np.float32)
        corners = self.codec.crop_to_heatmap(affine_points(corners, trans))
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
        return f'{self.__class__.__name__}(codec={self.codec!r})'
