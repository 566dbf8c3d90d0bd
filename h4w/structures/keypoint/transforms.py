"""Keypoint helpers shared by the data pipeline, the target generator, the
estimators, metrics and tools. Each takes NumPy arrays or torch tensors and
returns the same kind, with the same arithmetic in both."""

from typing import TYPE_CHECKING, Sequence, Tuple, Union

import numpy as np

from h4w.utils.arrays import is_tensor

if TYPE_CHECKING:
    import torch

__all__ = ['affine_points', 'flip_permutation', 'flip_x', 'rot_z']

Array = Union[np.ndarray, 'torch.Tensor']


def affine_points(points: Array, trans: Array) -> Array:
    """Map points with 2x3 affine matrices.

    Args:
        points: (J, 2) with ``trans`` (2, 3), or batched (N, J, 2) with
            ``trans`` (N, 2, 3) (e.g. ``img2bb_trans`` / ``bb2img_trans``).
        trans: The affine matrices.

    Returns:
        The mapped points, shaped as ``points``.

    Examples:
        >>> affine_points(np.array([[1., 2.]]),
        ...               np.array([[2., 0., 1.], [0., 3., 0.]])).tolist()
        [[3.0, 6.0]]
    """
    if not is_tensor(trans):
        trans = np.asarray(trans)
    return points @ trans[..., :2].swapaxes(-1, -2) + trans[..., None, :, 2]


def flip_x(x: Array, width: Union[float, Array]) -> Array:
    """Mirror x coordinates in an image ``width`` pixels wide (spec §5.1:
    ``x -> W - 1 - x``); ``width`` may be a scalar or broadcast."""
    return width - 1 - x


def flip_permutation(
    num_joints: int, flip_pairs: Sequence[Tuple[int, int]]
) -> np.ndarray:
    """Row order (num_joints,) that swaps each left/right pair."""
    perm = np.arange(num_joints)
    for a, b in flip_pairs:
        perm[a], perm[b] = b, a
    return perm


def rot_z(deg: Union[float, 'torch.Tensor']) -> Array:
    """Rotation about z by angles in degrees.

    Args:
        deg: A float (gives a (3, 3) float32 NumPy array) or an (M,)
            tensor (gives (M, 3, 3) on its device).

    Examples:
        >>> rot_z(90.0).round(6).tolist()[0]
        [0.0, -1.0, 0.0]
    """
    if is_tensor(deg):
        import torch

        rad = torch.deg2rad(deg)
        cos, sin = torch.cos(rad), torch.sin(rad)
        zero, one = torch.zeros_like(rad), torch.ones_like(rad)
        rows = (cos, -sin, zero, sin, cos, zero, zero, zero, one)
        return torch.stack(rows, dim=1).reshape(-1, 3, 3)
    rad = np.deg2rad(deg)
    return np.array(
        [
            [np.cos(rad), -np.sin(rad), 0],
            [np.sin(rad), np.cos(rad), 0],
            [0, 0, 1],
        ],
        dtype=np.float32,
    )
