"""OpenCV drawing of keypoints, boxes and meshes (no OpenGL needed)."""

from typing import Optional, Sequence

import cv2
import numpy as np

__all__ = ['draw_boxes', 'draw_keypoints', 'draw_mesh']


def draw_mesh(
    img: np.ndarray,
    verts_2d: np.ndarray,
    depth: np.ndarray,
    faces: np.ndarray,
    color: Sequence[int],
    alpha: float = 1.0,
) -> np.ndarray:
    """Paint the triangles of a projected mesh, far to near, shaded by
    depth (painter's algorithm).

    Args:
        img (np.ndarray): (H, W, 3) uint8, modified in place when
            ``alpha`` is 1.
        verts_2d (np.ndarray): (V, 2) pixels.
        depth (np.ndarray): (V,) camera depth.
        faces (np.ndarray): (F, 3) vertex indices.
        color (Sequence[int]): Base colour (in the order of ``img``, RGB
            in h4w).
        alpha (float): Opacity of the mesh layer.

    Returns:
        np.ndarray: The image with the mesh.
    """
    layer = img if alpha >= 1 else img.copy()
    order = np.argsort(-depth[faces].mean(1))
    span = max(float(np.ptp(depth)), 1e-6)
    base = np.asarray(color, dtype=np.float64)
    for face in faces[order]:
        shade = 0.6 + 0.4 * (1 - (depth[face].mean() - depth.min()) / span)
        pts = np.round(verts_2d[face] * 4).astype(np.int32)
        cv2.fillConvexPoly(
            layer,
            pts,
            tuple(int(c) for c in base * shade),
            lineType=cv2.LINE_8,
            shift=2,
        )
    if alpha >= 1:
        return layer
    return cv2.addWeighted(layer, alpha, img, 1 - alpha, 0, dst=img)


def draw_keypoints(
    img: np.ndarray,
    points: np.ndarray,
    valid: Optional[np.ndarray] = None,
    color: Sequence[int] = (0, 255, 0),
    radius: int = 3,
) -> np.ndarray:
    """Circles at the valid (N, 2) points (pixels); in place."""
    valid = (
        np.ones(len(points), bool)
        if valid is None
        else np.asarray(valid).reshape(-1) > 0
    )
    for (x, y), ok in zip(np.asarray(points)[:, :2], valid):
        if ok and np.isfinite([x, y]).all():
            cv2.circle(
                img,
                (int(round(x)), int(round(y))),
                radius,
                tuple(int(c) for c in color),
                -1,
                cv2.LINE_AA,
            )
    return img


def draw_boxes(
    img: np.ndarray, boxes: np.ndarray, color: Sequence[int] = (255, 0, 0)
) -> np.ndarray:
    """Rectangles for (N, 4) xyxy boxes (pixels); in place."""
    for x1, y1, x2, y2 in np.asarray(boxes).reshape(-1, 4):
        cv2.rectangle(
            img,
            (int(round(x1)), int(round(y1))),
            (int(round(x2)), int(round(y2))),
            tuple(int(c) for c in color),
            2,
        )
    return img
