"""Point helpers shared by the data pipeline, datasets, metrics and tools."""

import numpy as np

__all__ = ['affine_points']


def affine_points(points: np.ndarray, trans: np.ndarray) -> np.ndarray:
    """Apply a (2, 3) affine map to (N, 2) points.

    Examples:
        >>> affine_points(np.array([[1., 2.]]),
        ...               np.array([[2., 0., 1.], [0., 3., 0.]])).tolist()
        [[3.0, 6.0]]
    """
    trans = np.asarray(trans)
    return points @ trans[:, :2].T + trans[:, 2]
