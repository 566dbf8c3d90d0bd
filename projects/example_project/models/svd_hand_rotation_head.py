"""A finger rotation head that regresses rotation matrices.

:class:`SVDHandRotationHead` swaps in for h4w's ``HandRotationHead``
(spec §2.9): same inputs, same output, but each finger rotation is
regressed as a full 3x3 matrix and projected onto SO(3) by the SVD
("special orthogonalization", Levinson et al., "An Analysis of SVD for
Deep Rotation Estimation", NeurIPS 2020) instead of the 6D representation
with Gram-Schmidt. It is the example head of the example project: see
``projects/README.md``, "Add a head".
"""

import torch
from torch import Tensor

from h4w.models.heads import HandRotationHead
from h4w.models.utils import (
    init_head_weights,
    make_linear_layers,
    rotmat_to_axis_angle,
    sample_joint_features,
)
from h4w.registry import MODELS

__all__ = ['SVDHandRotationHead', 'svd_orthogonalize']


class _SVDOrthogonalize(torch.autograd.Function):
    """``U' V^T`` of ``M = U' S' V^T`` (signed SVD: ``det(U' V^T) = 1``),
    with the gradient of the polar factor,
    ``dL/dM = U' K V^T``, ``K_ij = (H_ij - H_ji) / (s'_i + s'_j)``,
    ``H = U'^T (dL/dR) V``.

    Autograd through :func:`torch.linalg.svd` differentiates U and V
    separately, with ``1 / (s_i^2 - s_j^2)`` terms that cancel in
    ``U V^T`` only on paper: near a rotation (all singular values close
    to 1, where this head starts and trains) they overflow. The polar
    factor's own gradient has ``s_i + s_j`` instead and stays finite.
    """

    @staticmethod
    def forward(ctx, mat: Tensor) -> Tensor:
        u, s, vh = torch.linalg.svd(mat)
        sign = torch.ones_like(s)
        sign[:, 2] = torch.sign(torch.linalg.det(u @ vh))
        u = u * sign[:, None, :]
        ctx.save_for_backward(u, s * sign, vh)
        return u @ vh

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        u, s, vh = ctx.saved_tensors
        h = u.transpose(1, 2) @ grad @ vh.transpose(1, 2)
        denom = s[:, :, None] + s[:, None, :]
        eps = torch.finfo(denom.dtype).eps
        denom = torch.where(
            denom.abs() < eps, torch.full_like(denom, eps), denom
        )
        return u @ ((h - h.transpose(1, 2)) / denom) @ vh


def svd_orthogonalize(mat: Tensor) -> Tensor:
    """The rotation closest to each 3x3 matrix (Frobenius norm).

    With ``mat = U S V^T``, the result is ``U diag(1, 1, det(U V^T)) V^T``:
    orthonormal with determinant +1, also when ``mat`` is a reflection.
    Differentiable, with a gradient that stays finite when singular values
    coincide (see :class:`_SVDOrthogonalize`).

    Args:
        mat (Tensor): (M, 3, 3) matrices; half precision is projected in
            float32.

    Returns:
        Tensor: (M, 3, 3) rotation matrices, float32 or the input dtype.

    Examples:
        >>> import torch
        >>> rot = svd_orthogonalize(torch.randn(4, 3, 3))
        >>> eye = torch.eye(3).expand(4, 3, 3)
        >>> bool(torch.allclose(rot @ rot.transpose(1, 2), eye, atol=1e-5))
        True
        >>> bool((torch.linalg.det(rot) > 0).all())
        True
    """
    if mat.dtype in (torch.float16, torch.bfloat16):
        mat = mat.float()
    return _SVDOrthogonalize.apply(mat)


@MODELS.register_module()
class SVDHandRotationHead(HandRotationHead):
    """15 finger rotations of a (right-looking) hand, regressed as 3x3
    matrices and projected onto SO(3) with :func:`svd_orthogonalize`.

    The features are those of :class:`HandRotationHead` (its 1x1
    convolution ``hand_conv``, sampled at the predicted hand joints and
    concatenated with their coordinates); only the last layer changes:
    ``rotmat_out`` (9 values per rotation) replaces ``hand_pose_out``
    (6 values), so a trained Hand4Whole loads into this head but for
    that layer.

    Args:
        in_channels (int): Hand feature channels (2048 for ResNet-50).
        num_joints (int): Joints sampled (20).
        feat_channels (int): Channels after the 1x1 convolution (512).
        num_rotations (int): Finger joints predicted (15).
        init_cfg (dict, optional): Initialisation config.

    Note:
        M: number of hand crops (2N: left flipped, then right).
        J: ``num_joints``; R: ``num_rotations``.
    """

    def __init__(
        self,
        in_channels: int = 2048,
        num_joints: int = 20,
        feat_channels: int = 512,
        num_rotations: int = 15,
        init_cfg=None,
    ) -> None:
        super().__init__(
            in_channels, num_joints, feat_channels, num_rotations, init_cfg
        )
        del self.hand_pose_out
        self.rotmat_out = make_linear_layers(
            [num_joints * (feat_channels + 3), num_rotations * 9],
            relu_final=False,
        )
        self.rotmat_out.apply(init_head_weights)
        # start at the identity (a flat hand) rather than at the
        # rotation nearest to a random matrix
        with torch.no_grad():
            self.rotmat_out[-1].bias.copy_(
                torch.eye(3).flatten().repeat(num_rotations)
            )

    def forward(self, hand_feat: Tensor, joint_img: Tensor) -> Tensor:
        """Args:
            hand_feat (Tensor): (M, C, H, W) hand features (8x8).
            joint_img (Tensor): (M, J, 3) hand heat-map coordinates
                (detached by the caller).

        Returns:
            Tensor: (M, 3R) axis-angle finger poses (SMPL-X hand order).
        """
        feat = self.hand_conv(hand_feat)
        feat = sample_joint_features(feat, joint_img[:, :, :2])
        feat = torch.cat((feat, joint_img), dim=2).flatten(1)
        mats = self.rotmat_out(feat).reshape(-1, 3, 3)
        pose = rotmat_to_axis_angle(svd_orthogonalize(mats))
        return pose.reshape(hand_feat.shape[0], -1)
