"""Masked L1 losses of Hand4Whole and Pose2Pose (spec §4.1, §10.1).

Every loss is reduced with a mean over **all** elements, masked ones
included (as the reference), then multiplied by ``loss_weight``.
"""

from typing import Optional

from mmengine.model import BaseModule
from torch import Tensor

from h4w.registry import MODELS

from ..utils import axis_angle_to_rotmat


class WeightedLoss(BaseModule):
    """Base of the losses below: holds ``loss_weight``.

    Args:
        loss_weight (float): Defaults to 1.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight


@MODELS.register_module()
class CoordLoss(WeightedLoss):
    """|pred - target| * valid for joint coordinates.

    Args:
        loss_weight (float): Defaults to 1.

    Note:
        N: batch, J: joints, C: 2 or 3 coordinates.
    """

    def forward(
        self,
        pred: Tensor,
        target: Tensor,
        valid: Tensor,
        is_3d: Optional[Tensor] = None,
    ) -> Tensor:
        """Args:
            pred, target (Tensor): (N, J, C).
            valid (Tensor): (N, J, 1) or (N, J, C) mask.
            is_3d (Tensor, optional): (N,); when given, the z column is also
                multiplied by it (2D-only datasets give no depth).

        Returns:
            Tensor: Scalar.
        """
        loss = (pred - target).abs() * valid
        if is_3d is not None:
            loss = loss.clone()
            loss[:, :, 2:] = (
                loss[:, :, 2:] * is_3d.to(loss.dtype)[:, None, None]
            )
        return loss.mean() * self.loss_weight


@MODELS.register_module()
class ParamLoss(WeightedLoss):
    """|pred - target| * valid for parameter vectors (shape, expression,
    axis-angle pose).

    Args:
        loss_weight (float): Defaults to 1.
    """

    def forward(self, pred: Tensor, target: Tensor, valid: Tensor) -> Tensor:
        """Args:
            pred, target (Tensor): (N, D).
            valid (Tensor): (N, D) or (N, 1).

        Returns:
            Tensor: Scalar.
        """
        return ((pred - target).abs() * valid).mean() * self.loss_weight


@MODELS.register_module()
class RotationMatrixLoss(WeightedLoss):
    """L1 between rotation matrices of axis-angle poses: the documented
    improvement over the reference's L1 on axis-angle components (its
    author's note, spec §4.2). Opt-in.

    Args:
        loss_weight (float): Defaults to 1.
    """

    def forward(self, pred: Tensor, target: Tensor, valid: Tensor) -> Tensor:
        """Args:
            pred, target (Tensor): (N, 3P) axis-angle.
            valid (Tensor): (N, 3P) per component (the first of each
                joint's three is used) or (N, 1).

        Returns:
            Tensor: Scalar, mean over N x P x 9.
        """
        n = pred.shape[0]
        rot_pred = axis_angle_to_rotmat(pred.reshape(-1, 3)).reshape(n, -1, 9)
        rot_gt = axis_angle_to_rotmat(target.reshape(-1, 3)).reshape(n, -1, 9)
        if valid.shape[1] == pred.shape[1]:
            valid = valid[:, ::3]
        loss = (rot_pred - rot_gt).abs() * valid[:, :, None]
        return loss.mean() * self.loss_weight
