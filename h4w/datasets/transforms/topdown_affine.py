"""Affine crop of the person box (spec §5.1 ``generate_patch_image``)."""

import math
from typing import Sequence, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from h4w.codecs import MeshCodec, build_codec
from h4w.registry import TRANSFORMS
from h4w.structures.image import warp_affine
from h4w.structures.keypoint import flip_x

__all__ = ['MeshTopdownAffine', 'get_patch_transform']


def _rotate_2d(point: Sequence[float], rot_rad: float) -> np.ndarray:
    """Rotate a point as the reference: rounded to float32, rotated in
    float64, (2,) float32."""
    x, y = (float(v) for v in np.asarray(point, dtype=np.float32))
    sn, cs = math.sin(rot_rad), math.cos(rot_rad)
    return np.array([x * cs - y * sn, x * sn + y * cs], dtype=np.float32)


def get_patch_transform(
    center: Sequence[float],
    box_wh: Sequence[float],
    out_wh: Sequence[int],
    scale: float,
    rot: float,
    inverse: bool = False,
) -> np.ndarray:
    """Affine map of a (scaled, rotated) box onto the output crop.

    Rounded as the reference (NumPy 1 promoted its float32 box scalars to
    float64): box sizes and rotations in float64, the three point pairs
    in float32, ``cv2.getAffineTransform``, float32 result.

    Args:
        center (Sequence[float]): Box centre (x, y) in image pixels.
        box_wh (Sequence[float]): Box (w, h).
        out_wh (Sequence[int]): Crop (W, H), width first.
        scale (float): Box scale.
        rot (float): Rotation in degrees.
        inverse (bool): Crop -> image instead of image -> crop.

    Returns:
        np.ndarray: (2, 3) float32 affine matrix.
    """
    src_w, src_h = float(box_wh[0]) * scale, float(box_wh[1]) * scale
    rot_rad = math.pi * rot / 180.0
    src_center = np.array([float(v) for v in center], dtype=np.float32)
    src = np.stack(
        [
            src_center,
            src_center + _rotate_2d((0, src_h * 0.5), rot_rad),
            src_center + _rotate_2d((src_w * 0.5, 0), rot_rad),
        ]
    ).astype(np.float32)
    dst_w, dst_h = out_wh
    dst = np.array(
        [
            [dst_w * 0.5, dst_h * 0.5],
            [dst_w * 0.5, dst_h],
            [dst_w, dst_h * 0.5],
        ],
        dtype=np.float32,
    )
    if inverse:
        src, dst = dst, src
    return cv2.getAffineTransform(src, dst).astype(np.float32)


@TRANSFORMS.register_module()
class MeshTopdownAffine(BaseTransform):
    """Crop ``results['bbox']`` to the codec's ``input_size`` (H, W) with the
    augmentation.

    Reads ``img`` (H, W, 3), ``bbox`` (x, y, w, h) and the augmentation
    of :class:`RandomMeshAugmentation` (``aug_scale``, ``rot``, ``flip``,
    ``color_scale``; identity when absent, except that ``enforce_flip``
    sets the flip of test samples). When flipped, the whole image is
    mirrored and the box centre becomes ``W - 1 - c_x``; the colour scale
    is applied after the warp and clipped to [0, 255]. The warp samples as
    the reference's OpenCV 4 (:func:`~h4w.structures.warp_affine`).

    Writes ``img`` (H_in, W_in, 3) float32, ``img2bb_trans`` (2, 3)
    (original, flipped pixels -> crop), ``bb2img_trans`` (2, 3), ``flip``,
    ``rot``, ``aug_scale`` and ``img_shape`` (H_in, W_in), the crop
    size of the codec.

    Args:
        codec (dict | MeshCodec): The crop geometry (``MeshCodec``).
    """

    def __init__(self, codec: Union[dict, MeshCodec]) -> None:
        self.codec = build_codec(codec)

    def transform(self, results: dict) -> dict:
        img = results['img']
        # float32 box, centre in float64 as the reference (NumPy 1)
        x, y, w, h = (
            float(v) for v in np.asarray(results['bbox'], dtype=np.float32)
        )
        scale = float(results.get('aug_scale', 1.0))
        rot = float(results.get('rot', 0.0))
        flip = bool(results.get('flip', bool(results.get('enforce_flip'))))
        c_x, c_y = x + 0.5 * w, y + 0.5 * h
        if flip:
            img = img[:, ::-1, :]
            c_x = flip_x(c_x, img.shape[1])
        out_h, out_w = self.codec.input_size
        trans = get_patch_transform(
            (c_x, c_y), (w, h), (out_w, out_h), scale, rot
        )
        inv_trans = get_patch_transform(
            (c_x, c_y), (w, h), (out_w, out_h), scale, rot, inverse=True
        )
        patch = warp_affine(img, trans, (out_w, out_h)).astype(np.float32)
        color = results.get('color_scale')
        if color is not None:
            patch = np.clip(
                patch * np.asarray(color)[None, None, :], 0, 255
            ).astype(np.float32)
        results.update(
            img=patch,
            img2bb_trans=trans,
            bb2img_trans=inv_trans,
            flip=flip,
            rot=rot,
            aug_scale=scale,
            img_shape=(out_h, out_w),
        )
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(codec={self.codec!r})'
