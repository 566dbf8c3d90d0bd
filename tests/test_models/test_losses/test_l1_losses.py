"""Masked L1 losses (spec §4.1): zero for perfect predictions, masked
entries ignored, mean over all elements."""

import torch

from h4w.models.losses import CoordLoss, ParamLoss, RotationMatrixLoss
from h4w.models.utils import axis_angle_to_rotmat


def test_coord_loss_value_mask_and_is_3d():
    loss = CoordLoss()
    pred = torch.zeros(2, 3, 3)
    target = torch.ones(2, 3, 3)
    valid = torch.tensor([[[1.0], [0.0], [1.0]], [[1.0], [1.0], [0.0]]])
    # 8 valid of 18 elements (masked ones count in the denominator)
    assert torch.isclose(loss(pred, target, valid), torch.tensor(12 / 18))
    assert loss(target, target, valid) == 0
    # changing masked targets changes nothing
    target2 = target.clone()
    target2[0, 1] = 100
    assert loss(pred, target2, valid) == loss(pred, target, valid)
    # is_3d drops the z column of 2D samples
    is_3d = torch.tensor([1.0, 0.0])
    assert torch.isclose(
        loss(pred, target, valid, is_3d), torch.tensor((12 - 2) / 18)
    )
    assert CoordLoss(loss_weight=2.0)(pred, target, valid) == 2 * loss(
        pred, target, valid
    )


def test_param_loss():
    loss = ParamLoss()
    pred, target = torch.zeros(2, 10), torch.full((2, 10), 2.0)
    valid = torch.tensor([[1.0], [0.0]])
    assert loss(pred, target, valid) == 1.0
    assert loss(target, target, valid) == 0


def test_rotation_matrix_loss():
    loss = RotationMatrixLoss()
    aa = torch.randn(2, 9) * 0.5
    valid = torch.ones(2, 9)
    assert loss(aa, aa, valid) < 1e-7
    # an equivalent axis-angle (angle + 2 pi) is not penalised
    angle = aa[:, :3].norm(dim=1, keepdim=True)
    other = aa.clone()
    other[:, :3] = aa[:, :3] / angle * (angle - 2 * torch.pi)
    assert loss(other, aa, valid) < 1e-5
    pred = torch.zeros(2, 9)
    expected = (
        (axis_angle_to_rotmat(aa.reshape(-1, 3)) - torch.eye(3)).abs().mean()
    )
    assert torch.isclose(loss(pred, aa, valid), expected)
    # masking a joint (its 3 components) removes it
    valid[:, 3:6] = 0
    per_joint = (
        (axis_angle_to_rotmat(aa.reshape(-1, 3)) - torch.eye(3))
        .abs()
        .reshape(2, 3, 9)
    )
    per_joint[:, 1] = 0
    assert torch.isclose(loss(pred, aa, valid), per_joint.mean())
