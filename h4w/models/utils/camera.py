"""Virtual camera of the crop and joint projection (spec §2.14)."""

import math
from typing import Sequence

import torch
from torch import Tensor

__all__ = [
    'apply_affine',
    'depth_prior',
    'get_camera_trans',
    'project_to_heatmap',
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


def project_to_heatmap(
    joints: Tensor,
    cam_trans: Tensor,
    focal: Sequence[float],
    princpt: Sequence[float],
    input_shape: Sequence[int],
    output_hm_shape: Sequence[int],
) -> Tensor:
    """Perspective projection to heat-map units of the crop.

    Args:
        joints (Tensor): (N, J, 3) camera-frame joints without translation.
        cam_trans (Tensor): (N, 3).
        focal, princpt: Pixels of the ``input_shape`` (H, W) crop.
        output_hm_shape: (D, H, W) of the heat map.

    Returns:
        Tensor: (N, J, 2).
    """
    z = joints[:, :, 2] + cam_trans[:, None, 2] + 1e-4
    x = (joints[:, :, 0] + cam_trans[:, None, 0]) / z * focal[0] + princpt[0]
    y = (joints[:, :, 1] + cam_trans[:, None, 1]) / z * focal[1] + princpt[1]
    x = x / input_shape[1] * output_hm_shape[2]
    y = y / input_shape[0] * output_hm_shape[1]
    return torch.stack((x, y), dim=2)


def apply_affine(points: Tensor, trans: Tensor) -> Tensor:
    """Map (N, J, 2) points with (N, 2, 3) affine matrices (e.g.
    ``img2bb_trans`` / ``bb2img_trans``)."""
    return points @ trans[:, :, :2].transpose(1, 2) + trans[:, None, :, 2]


def relative_to_anchors(joints: Tensor, root: int, anchors: Tensor) -> Tensor:
    """Root-relative (N, J, 3) joints, then each joint relative to its
    anchor (``joint_sets.anchor_indices``: hands to their wrist, the face
    to the neck, everything else to the root)."""
    joints = joints - joints[:, root : root + 1]
    return joints - joints[:, anchors]
