"""Rotation conversions (spec §2.13).

The network predicts rotations in the 6D representation of Zhou et al.
and converts them to axis-angle through a rotation matrix and a unit
quaternion, with the case analysis of ``torchgeometry`` 0.1.2
(``rotation_matrix_to_quaternion`` with its bool-mask bug fixed), so that
outputs equal the reference. Everything is batched over a leading
dimension M and works in any float dtype.
"""

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = [
    'rot6d_to_rotmat',
    'rotmat_to_quaternion',
    'quaternion_to_axis_angle',
    'rotmat_to_axis_angle',
    'rot6d_to_axis_angle',
    'axis_angle_to_rotmat',
    'flip_axis_angle',
]


def rot6d_to_rotmat(x: Tensor) -> Tensor:
    """6D representation to rotation matrices.

    The 6-vector is read as a row-major 3x2 matrix, i.e.
    ``[R00, R01, R10, R11, R20, R21]``: the first two columns of R
    interleaved. Identity = ``[1, 0, 0, 1, 0, 0]``.

    Args:
        x (Tensor): (M, 6).

    Returns:
        Tensor: (M, 3, 3), columns b1, b2, b3 from Gram-Schmidt.

    Note:
        The reference calls ``torch.cross`` without ``dim``, which crosses
        along the batch when M == 3 (spec §10.2). Here the cross product
        is always taken over the vector dimension.
    """
    x = x.reshape(-1, 3, 2)
    a1, a2 = x[:, :, 0], x[:, :, 1]
    b1 = F.normalize(a1, dim=1)
    b2 = F.normalize(a2 - (b1 * a2).sum(dim=1, keepdim=True) * b1, dim=1)
    b3 = torch.cross(b1, b2, dim=1)
    return torch.stack((b1, b2, b3), dim=-1)


def rotmat_to_quaternion(rotmat: Tensor, eps: float = 1e-6) -> Tensor:
    """Rotation matrices to unit quaternions (w, x, y, z).

    Same case analysis as ``torchgeometry.rotation_matrix_to_quaternion``
    (choice on R22 < eps and on R00 versus +-R11), with the boolean masks
    negated by ``~`` instead of ``1 -`` (spec §2.13).

    Args:
        rotmat (Tensor): (M, 3, 3).

    Returns:
        Tensor: (M, 4).
    """
    r = rotmat.transpose(1, 2)
    r00, r01, r02 = r[:, 0, 0], r[:, 0, 1], r[:, 0, 2]
    r10, r11, r12 = r[:, 1, 0], r[:, 1, 1], r[:, 1, 2]
    r20, r21, r22 = r[:, 2, 0], r[:, 2, 1], r[:, 2, 2]
    mask_d2 = r22 < eps
    mask_d0_d1 = r00 > r11
    mask_d0_nd1 = r00 < -r11

    t0 = 1 + r00 - r11 - r22
    q0 = torch.stack((r12 - r21, t0, r01 + r10, r20 + r02), dim=-1)
    t1 = 1 - r00 + r11 - r22
    q1 = torch.stack((r20 - r02, r01 + r10, t1, r12 + r21), dim=-1)
    t2 = 1 - r00 - r11 + r22
    q2 = torch.stack((r01 - r10, r20 + r02, r12 + r21, t2), dim=-1)
    t3 = 1 + r00 + r11 + r22
    q3 = torch.stack((t3, r12 - r21, r20 - r02, r01 - r10), dim=-1)

    c0 = (mask_d2 & mask_d0_d1).to(rotmat.dtype)
    c1 = (mask_d2 & ~mask_d0_d1).to(rotmat.dtype)
    c2 = (~mask_d2 & mask_d0_nd1).to(rotmat.dtype)
    c3 = (~mask_d2 & ~mask_d0_nd1).to(rotmat.dtype)
    q = (
        q0 * c0[:, None]
        + q1 * c1[:, None]
        + q2 * c2[:, None]
        + q3 * c3[:, None]
    )
    norm = torch.sqrt(t0 * c0 + t1 * c1 + t2 * c2 + t3 * c3)
    return q / norm[:, None] * 0.5


def quaternion_to_axis_angle(quat: Tensor) -> Tensor:
    """Unit quaternions (w, x, y, z) to axis-angle, angle in [0, pi].

    Args:
        quat (Tensor): (M, 4).

    Returns:
        Tensor: (M, 3).
    """
    xyz = quat[:, 1:]
    sin_sq = (xyz * xyz).sum(dim=1)
    has_axis = sin_sq > 0
    # Same values as torchgeometry; the masked square root keeps the
    # gradient finite at the identity (the reference gives NaN there).
    sin_theta = torch.sqrt(
        torch.where(has_axis, sin_sq, torch.ones_like(sin_sq))
    )
    cos_theta = quat[:, 0]
    two_theta = 2 * torch.where(
        cos_theta < 0,
        torch.atan2(-sin_theta, -cos_theta),
        torch.atan2(sin_theta, cos_theta),
    )
    k = torch.where(
        has_axis, two_theta / sin_theta, torch.full_like(sin_theta, 2.0)
    )
    return xyz * k[:, None]


def rotmat_to_axis_angle(rotmat: Tensor) -> Tensor:
    """Rotation matrices (M, 3, 3) to axis-angle (M, 3); NaN -> 0."""
    aa = quaternion_to_axis_angle(rotmat_to_quaternion(rotmat))
    return torch.where(torch.isnan(aa), torch.zeros_like(aa), aa)


def rot6d_to_axis_angle(x: Tensor) -> Tensor:
    """6D (M, 6) to axis-angle (M, 3), as the reference (spec §2.13).

    Half-precision inputs (autocast) are converted in float32.
    """
    if x.dtype in (torch.float16, torch.bfloat16):
        x = x.float()
    return rotmat_to_axis_angle(rot6d_to_rotmat(x))


def axis_angle_to_rotmat(aa: Tensor) -> Tensor:
    """Rodrigues' formula: axis-angle (M, 3) to rotation matrices.

    Matches ``cv2.Rodrigues`` (used by the reference data pipeline); exact
    at zero angle.

    Args:
        aa (Tensor): (M, 3).

    Returns:
        Tensor: (M, 3, 3).
    """
    theta_sq = (aa * aa).sum(dim=1)
    nonzero = theta_sq > 0
    theta = torch.sqrt(
        torch.where(nonzero, theta_sq, torch.ones_like(theta_sq))
    )
    axis = aa / theta[:, None]
    x, y, z = axis.unbind(dim=1)
    zero = torch.zeros_like(x)
    skew = torch.stack((zero, -z, y, z, zero, -x, -y, x, zero), dim=1).reshape(
        -1, 3, 3
    )
    sin = torch.sin(theta)[:, None, None]
    cos = torch.cos(theta)[:, None, None]
    eye = torch.eye(3, dtype=aa.dtype, device=aa.device).expand_as(skew)
    outer = axis[:, :, None] * axis[:, None, :]
    rot = cos * eye + (1 - cos) * outer + sin * skew
    return torch.where(nonzero[:, None, None], rot, eye)


def flip_axis_angle(aa: Tensor) -> Tensor:
    """Mirror axis-angle rotations about the x=0 plane: (x, y, z) -> (x,
    -y, -z). Works on any shape whose last dimension is 3."""
    sign = aa.new_tensor([1.0, -1.0, -1.0])
    return aa * sign
