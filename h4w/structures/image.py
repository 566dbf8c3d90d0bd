"""Image warps that sample like the reference's OpenCV 4.

OpenCV 4 ``cv2.warpAffine`` (bilinear) computes the source coordinates of
each output pixel in fixed point and samples at 1/32 pixel
(``INTER_BITS`` = 5); OpenCV 5 samples floating-point images at the exact
coordinates, so the same crop differs by up to a few grey levels at
edges. The reference (and its released weights) used OpenCV 4.
:func:`warp_affine` reproduces OpenCV 4's sampling under any version.
"""

import math
from typing import Sequence, Tuple

import cv2
import numpy as np

from .keypoint import flip_x

__all__ = [
    'affine_crop',
    'get_patch_transform',
    'opencv4_warp_maps',
    'warp_affine',
]

#: OpenCV 4 warpAffine: coordinates in 1/2**AB_BITS pixels, sampled at
#: 1/2**INTER_BITS pixels (bilinear rounds to the nearest 1/32).
_AB_BITS = 10
_INTER_BITS = 5
_INTER_TAB_SIZE = 1 << _INTER_BITS
_ROUND_DELTA = (1 << _AB_BITS) // _INTER_TAB_SIZE // 2

_INT32 = np.iinfo(np.int32)
_INT16 = np.iinfo(np.int16)


def _fixed(values: np.ndarray) -> np.ndarray:
    """``saturate_cast<int>(values * 2**AB_BITS)``: rounded half to even
    (``cvRound``), clipped to int32; as int64 for the sums."""
    scaled = np.rint(values * (1 << _AB_BITS))
    return np.clip(scaled, _INT32.min, _INT32.max).astype(np.int64)


def _inverse_affine(matrix: np.ndarray) -> np.ndarray:
    """Output -> source map of a (2, 3) source -> output ``matrix``, in
    float64, computed as OpenCV's warpAffine does (a singular matrix
    gives the zero matrix)."""
    m = np.asarray(matrix, dtype=np.float64).reshape(6).copy()
    det = m[0] * m[4] - m[1] * m[3]
    det = 1.0 / det if det != 0 else 0.0
    m[0], m[4] = m[4] * det, m[0] * det
    m[1] *= -det
    m[3] *= -det
    m[2], m[5] = (
        -m[0] * m[2] - m[1] * m[5],
        -m[3] * m[2] - m[4] * m[5],
    )
    return m


def opencv4_warp_maps(
    matrix: np.ndarray, out_wh: Sequence[int]
) -> Tuple[np.ndarray, np.ndarray]:
    """The fixed-point maps of OpenCV 4's bilinear ``warpAffine``.

    For output pixel (x, y) OpenCV 4 computes, with M the inverse map,
    ``X = (round((M01 y + M02) 1024) + 16 + round(M00 x 1024)) >> 5``
    (Y likewise): the source column is ``X >> 5`` and the bilinear
    weights are those of the fraction ``(X & 31) / 32``.

    Args:
        matrix (np.ndarray): (2, 3) affine map, source pixels -> output
            pixels (as ``cv2.warpAffine`` takes it).
        out_wh (Sequence[int]): Output (W, H), as ``cv2.warpAffine``.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``xy`` (H, W, 2) int16 integer
        source (x, y) (a ``CV_16SC2`` map) and ``alpha`` (H, W) uint16
        interpolation-table index ``32 * (Y & 31) + (X & 31)``, the two
        maps of ``cv2.remap``.
    """
    m = _inverse_affine(matrix)
    width, height = (int(v) for v in out_wh)
    x = np.arange(width, dtype=np.float64)
    y = np.arange(height, dtype=np.float64)
    shift = _AB_BITS - _INTER_BITS
    fx = (
        (_fixed(m[1] * y + m[2]) + _ROUND_DELTA)[:, None]
        + _fixed(m[0] * x)[None]
    ) >> shift
    fy = (
        (_fixed(m[4] * y + m[5]) + _ROUND_DELTA)[:, None]
        + _fixed(m[3] * x)[None]
    ) >> shift
    xy = np.stack([fx >> _INTER_BITS, fy >> _INTER_BITS], axis=-1)
    xy = np.clip(xy, _INT16.min, _INT16.max).astype(np.int16)
    mask = _INTER_TAB_SIZE - 1
    alpha = ((fy & mask) * _INTER_TAB_SIZE + (fx & mask)).astype(np.uint16)
    return xy, alpha


def warp_affine(
    img: np.ndarray, matrix: np.ndarray, out_wh: Sequence[int]
) -> np.ndarray:
    """Bilinear affine warp, zero border, sampled as OpenCV 4 does.

    Equals ``cv2.warpAffine(img, matrix, out_wh,
    flags=cv2.INTER_LINEAR)`` of OpenCV 4 (the reference's
    ``generate_patch_image``): with OpenCV 4 installed it is that call;
    otherwise OpenCV 4's fixed-point source coordinates
    (:func:`opencv4_warp_maps`) are sampled by ``cv2.remap`` with its
    1/32-pixel interpolation table.

    Args:
        img (np.ndarray): (H_src, W_src, C) or (H_src, W_src) image, C <= 4,
            any dtype ``cv2.remap`` takes (float32 crops, uint8 images).
        matrix (np.ndarray): (2, 3) affine map, source pixels -> output
            pixels (e.g. ``img2bb_trans``).
        out_wh (Sequence[int]): Output (W, H): width first, as
            ``cv2.warpAffine``, unlike the (H, W) of shapes.

    Returns:
        np.ndarray: (H, W, C) or (H, W) warped image, ``img``'s dtype;
        pixels sampled outside ``img`` are blended with 0.
    """
    img = np.ascontiguousarray(img)
    size = tuple(int(v) for v in out_wh)
    if cv2.__version__.split('.')[0] == '4':
        return cv2.warpAffine(
            img,
            np.asarray(matrix, dtype=np.float64),
            size,
            flags=cv2.INTER_LINEAR,
        )
    xy, alpha = opencv4_warp_maps(matrix, size)
    return cv2.remap(
        img,
        xy,
        alpha,
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )


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


def affine_crop(
    img: np.ndarray,
    bbox: Sequence[float],
    out_size: Sequence[int],
    scale: float = 1.0,
    rot: float = 0.0,
    flip: bool = False,
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Crop a box out of an image as the reference's
    ``generate_patch_image`` (spec §5.1).

    The box is rounded to float32 and its centre computed in float64 (as
    the reference under NumPy 1); when ``flip``, the whole image is
    mirrored and the centre becomes ``W - 1 - c_x``. The data pipeline
    (:class:`~h4w.datasets.transforms.MeshTopdownAffine`) and both
    inference backends crop with this function.

    Args:
        img (np.ndarray): (H, W, 3) image.
        bbox (Sequence[float]): The box (x, y, w, h) in image pixels.
        out_size (Sequence[int]): Crop (H, W).
        scale (float): Box scale (augmentation).
        rot (float): Rotation in degrees (augmentation).
        flip (bool): Mirror the image first.

    Returns:
        tuple: the crop (H, W, 3) float32, ``img2bb_trans`` (2, 3) (image
        pixels, flipped when ``flip`` -> crop) and its inverse
        ``bb2img_trans`` (2, 3), float32.
    """
    x, y, w, h = (float(v) for v in np.asarray(bbox, dtype=np.float32))
    c_x, c_y = x + 0.5 * w, y + 0.5 * h
    if flip:
        img = img[:, ::-1, :]
        c_x = flip_x(c_x, img.shape[1])
    out_h, out_w = out_size
    args = ((c_x, c_y), (w, h), (out_w, out_h), scale, rot)
    trans = get_patch_transform(*args)
    inv_trans = get_patch_transform(*args, inverse=True)
    patch = warp_affine(img, trans, (out_w, out_h)).astype(np.float32)
    return patch, trans, inv_trans
