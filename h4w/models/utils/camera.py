"""Virtual camera of the crop and joint projection (spec §2.14)."""

import math
from typing import Sequence

import torch
from torch import Tensor

__all__ = [
    'depth_prior',
    'get_camera_trans',
    'relative_to_anchors',
]


def depth_prior(
    focal: Sequence[float], camera_3d_size: float, input_shape: Sequence[int]
) -> float:
    """k = sqrt(fx * fy * size^2 / (H * W)): the distance at which a
    ``camera_3d_size``-metre square fills the crop (56.38 for the
    whole-body defaults)."""
    return math.sqrt(
        focal[0]
        * focal[1]
        * camera_3d_size**2
        / (input_shape[0] * input_shape[1])
    )


def get_camera_trans(cam_param: Tensor, k: float) -> Tensor:
    """Camera translation from the raw camera head output.

    Args:
        cam_param (Tensor): (N, 3).
        k (float): Depth prior of :func:`depth_prior`.

    Returns:
        Tensor: (N, 3): t_x, t_y raw, t_z = k * sigmoid(c_z).
    """
    t_z = k * torch.sigmoid(cam_param[:, 2])
    return torch.cat((cam_param[:, :2], t_z[:, None]), dim=1)


def relative_to_anchors(joints: Tensor, root: int, anchors: Tensor) -> Tensor:
    """Root-relative (N, J, 3) joints, then each joint relative to its
    anchor (``joint_sets.anchor_indices``: hands to their wrist, the face
    to the neck, everything else to the root)."""
    joints = joints - joints[:, root : root + 1]
    return joints - joints[:, anchors]
