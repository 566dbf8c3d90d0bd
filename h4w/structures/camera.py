"""Pinhole cameras of the predictions (spec §2.14, §9.1 step 8).

Each person h4w reconstructs comes with its own virtual camera: the
camera-frame vertices ``X`` (metres, camera translation included) project
onto that person in the original image through ``focal`` (fx, fy) and
``princpt`` (cx, cy) in pixels: ``u = fx * X / Z + cx``,
``v = fy * Y / Z + cy``. Several people of one image have different
virtual cameras; :func:`to_common_camera` re-expresses a mesh in a shared
camera with the same image, so that all of them live in one 3D scene.
"""

from typing import TYPE_CHECKING, Sequence, Union

import numpy as np

from h4w.utils.arrays import is_tensor

if TYPE_CHECKING:
    import torch

__all__ = ['project_points', 'to_common_camera']

Array = Union[np.ndarray, 'torch.Tensor']


def project_points(points: Array, focal: Array, princpt: Array) -> Array:
    """Perspective projection of (..., 3) camera-frame points to (..., 2)
    pixels with ``focal`` and ``princpt`` (2,) (or broadcastable (..., 2)).

    Examples:
        >>> project_points(np.array([[0.1, -0.2, 2.0]]), np.array([100, 100]),
        ...                np.array([50, 40])).tolist()
        [[55.0, 30.0]]
    """
    if not is_tensor(points):
        points = np.asarray(points, dtype=np.float64)
        focal, princpt = np.asarray(focal), np.asarray(princpt)
    return points[..., :2] / points[..., 2:3] * focal + princpt


def to_common_camera(
    vertices: Array,
    focal: Sequence[float],
    princpt: Sequence[float],
    common_focal: Sequence[float],
    common_princpt: Sequence[float],
) -> Array:
    """Move a mesh from its own camera into a shared one without changing
    its image.

    The point ``(X, Y, Z)`` seen through (``focal``, ``princpt``) becomes
    ``(X', Y', Z')`` with ``Z' = Z * fx' / fx`` and ``X', Y'`` chosen so
    that it projects to the same pixel through (``common_focal``,
    ``common_princpt``). The map is linear (a scale and a shear along the
    viewing rays), so triangles stay triangles and the depth order inside
    one mesh is kept; across people, ``Z'`` is the depth at which each
    person has its image size under the shared focal length, so a person
    with a smaller box lands farther away.

    Args:
        vertices (Array): (V, 3) camera-frame points of one person.
        focal, princpt: (2,) that person's camera, in pixels.
        common_focal, common_princpt: (2,) the shared camera.

    Returns:
        Array: (V, 3) points in the shared camera.

    Examples:
        >>> v = np.array([[0.1, -0.2, 2.0]])
        >>> w = to_common_camera(v, (100, 100), (50, 40), (200, 200), (60, 30))
        >>> project_points(w, np.array([200, 200]), np.array([60, 30]))
        array([[55., 30.]])
    """
    if is_tensor(vertices):
        import torch

        stack = torch.stack
    else:
        stack = np.stack
        vertices = np.asarray(vertices, dtype=np.float64)
    fx, fy = (float(v) for v in focal)
    cx, cy = (float(v) for v in princpt)
    fx0, fy0 = (float(v) for v in common_focal)
    cx0, cy0 = (float(v) for v in common_princpt)
    x, y, z = vertices[..., 0], vertices[..., 1], vertices[..., 2]
    depth = z * (fx0 / fx)
    u_minus_c = fx * x / z + cx - cx0
    v_minus_c = fy * y / z + cy - cy0
    return stack((u_minus_c * depth / fx0, v_minus_c * depth / fy0, depth), -1)
