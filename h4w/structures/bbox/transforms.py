"""Person-box helpers of the reference preprocessing (spec §5.1)."""

from typing import Optional, Sequence, Tuple

import numpy as np

__all__ = [
    'bbox_from_points',
    'bbox_overlaps',
    'process_bbox',
    'sanitize_bbox',
    'xywh_to_xyxy',
    'xyxy_to_xywh',
]


def xywh_to_xyxy(bbox: Sequence[float]) -> np.ndarray:
    """(x, y, w, h) -> (x1, y1, x2, y2), float32."""
    x, y, w, h = np.asarray(bbox, dtype=np.float32).reshape(4)
    return np.array([x, y, x + w, y + h], dtype=np.float32)


def xyxy_to_xywh(bbox: Sequence[float]) -> np.ndarray:
    """(x1, y1, x2, y2) -> (x, y, w, h), float32."""
    x1, y1, x2, y2 = np.asarray(bbox, dtype=np.float32).reshape(4)
    return np.array([x1, y1, x2 - x1, y2 - y1], dtype=np.float32)


def _sanitize(
    bbox: Sequence[float], img_width: float, img_height: float
) -> Optional[Tuple[float, float, float, float]]:
    """:func:`sanitize_bbox` in float64 (Python floats), as the reference
    computes it; None for a skipped box."""
    x, y, w, h = (float(v) for v in np.asarray(bbox).reshape(4))
    if not np.all(np.isfinite([x, y, w, h])):
        return None
    x1, y1 = max(0.0, x), max(0.0, y)
    x2 = min(img_width - 1.0, x1 + max(0.0, w - 1.0))
    y2 = min(img_height - 1.0, y1 + max(0.0, h - 1.0))
    if w * h > 0 and x2 > x1 and y2 > y1:
        return x1, y1, x2 - x1, y2 - y1
    return None


def sanitize_bbox(
    bbox: Sequence[float], img_width: float, img_height: float
) -> Optional[np.ndarray]:
    """Clip an xywh box to the image as the reference does.

    The width and height shrink by one pixel (``x2 = x1 + w - 1``, spec
    §10.1 item 10).

    Args:
        bbox (Sequence[float]): (x, y, w, h) in pixels.
        img_width (float): Image width W.
        img_height (float): Image height H.

    Returns:
        np.ndarray | None: (4,) float32 xywh, or None for an empty,
        degenerate or outside box.

    Examples:
        >>> sanitize_bbox([10, 20, 30, 40], 640, 480).tolist()
        [10.0, 20.0, 29.0, 39.0]
        >>> sanitize_bbox([700, 20, 30, 40], 640, 480) is None
        True
    """
    box = _sanitize(bbox, img_width, img_height)
    return None if box is None else np.array(box, dtype=np.float32)


def process_bbox(
    bbox: Sequence[float],
    img_width: float,
    img_height: float,
    aspect_ratio: float = 0.75,
    scale: float = 1.25,
    sanitize: bool = True,
) -> Optional[np.ndarray]:
    """Sanitize, fix the aspect ratio and enlarge a person box (§5.1).

    Computed in float64 throughout, as the reference (whose sanitized box
    is a float64 array); only the result is rounded to float32.

    Args:
        bbox (Sequence[float]): (x, y, w, h) in pixels.
        img_width (float): Image width W.
        img_height (float): Image height H.
        aspect_ratio (float): Target w / h (W_in / H_in of the crop:
            0.75 whole body, 1.0 Pose2Pose hand).
        scale (float): Enlargement around the centre.
        sanitize (bool): Clip first (the reference always does).

    Returns:
        np.ndarray | None: (4,) float32 xywh, or None when the box is
        skipped.

    Examples:
        >>> process_bbox([0, 0, 101, 101], 640, 480).tolist()
        [-12.5, -33.33333206176758, 125.0, 166.6666717529297]
    """
    if sanitize:
        bbox = _sanitize(bbox, img_width, img_height)
        if bbox is None:
            return None
    x, y, w, h = (float(v) for v in np.asarray(bbox).reshape(4))
    c_x, c_y = x + w / 2.0, y + h / 2.0
    if w > aspect_ratio * h:
        h = w / aspect_ratio
    elif w < aspect_ratio * h:
        w = h * aspect_ratio
    w, h = w * scale, h * scale
    return np.array([c_x - w / 2.0, c_y - h / 2.0, w, h], dtype=np.float32)


def bbox_from_points(
    points: np.ndarray, valid: np.ndarray, extend: float = 1.2
) -> np.ndarray:
    """Tight xywh box of the valid 2D points, enlarged around its centre
    (InterHand2.6M's ``get_bbox``).

    Rounded as the reference under NumPy 1: the extreme points, their sum
    and their difference in float32 (the points' dtype), the centre and
    the enlarged corners in float64, a float32 result.

    Args:
        points (np.ndarray): (J, 2) pixels.
        valid (np.ndarray): (J,) validity.
        extend (float): Enlargement factor of width and height.

    Returns:
        np.ndarray: (4,) float32 xywh.
    """
    pts = np.asarray(points, dtype=np.float32)[
        np.asarray(valid).reshape(-1) > 0
    ]
    lo, hi = pts.min(0), pts.max(0)
    center = (lo + hi).astype(np.float64) / 2.0
    half = 0.5 * (hi - lo).astype(np.float64) * extend
    start, end = center - half, center + half
    return np.concatenate([start, end - start]).astype(np.float32)


def bbox_overlaps(boxes1: np.ndarray, boxes2: np.ndarray) -> np.ndarray:
    """Intersection over union of every pair of xyxy boxes.

    A pair whose union has no area (both boxes of zero area) gets IoU 0,
    never NaN; a zero-area box against a box with area also gets 0.
    Boxes with ``x2 < x1`` or ``y2 < y1`` count as zero area.

    Args:
        boxes1 (np.ndarray): (N, 4) boxes (x1, y1, x2, y2).
        boxes2 (np.ndarray): (M, 4) boxes (x1, y1, x2, y2).

    Returns:
        np.ndarray: (N, M) float64 IoU in [0, 1].

    Examples:
        >>> a = np.array([[0, 0, 10, 10]])
        >>> b = np.array([[5, 0, 15, 10], [20, 20, 20, 30]])
        >>> bbox_overlaps(a, b).round(4).tolist()
        [[0.3333, 0.0]]
    """
    b1 = np.asarray(boxes1, dtype=np.float64).reshape(-1, 4)
    b2 = np.asarray(boxes2, dtype=np.float64).reshape(-1, 4)

    def _area(b: np.ndarray) -> np.ndarray:
        return np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(
            b[:, 3] - b[:, 1], 0, None
        )

    lt = np.maximum(b1[:, None, :2], b2[None, :, :2])
    rb = np.minimum(b1[:, None, 2:], b2[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    union = _area(b1)[:, None] + _area(b2)[None, :] - inter
    iou = np.zeros_like(inter)
    np.divide(inter, union, out=iou, where=union > 0)
    return iou
