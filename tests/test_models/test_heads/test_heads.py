"""Hand4Whole and Pose2Pose heads: shapes, reference key names, fresh-head
values of spec App. B, and the detach inside the box head."""

import pytest
import torch
from mmengine.registry import init_default_scope

from h4w.models.heads import (
    BodyRotationHead,
    BoxHead,
    FaceRegressorHead,
    HandRotationHead,
    Pose2PoseFaceHead,
    Pose2PoseRotationHead,
    PositionHead,
)
from h4w.registry import MODELS


def test_position_head_shapes_and_fresh_values():
    torch.manual_seed(0)
    head = PositionHead(2048, 25, 8).eval()
    heatmap, coords = head(torch.randn(2, 2048, 8, 6))
    assert heatmap.shape == (2, 25, 8, 8, 6) and coords.shape == (2, 25, 3)
    torch.testing.assert_close(heatmap.sum((2, 3, 4)), torch.ones(2, 25))
    # App. B: freshly built -> the centre of the 6x8x8 grid
    torch.testing.assert_close(
        coords,
        torch.tensor([2.5, 3.5, 3.5]).expand(2, 25, 3),
        atol=0.05,
        rtol=0,
    )
    assert sorted(head.state_dict()) == ['conv.0.bias', 'conv.0.weight']


def test_box_head_outputs_and_detached_centre_sampling():
    torch.manual_seed(0)
    head = BoxHead().eval()
    out = head(torch.randn(2, 2048, 8, 6), torch.rand(2, 25, 8, 8, 6))
    assert set(out) == {
        f'{p}_{k}'
        for p in ('lhand', 'rhand', 'face')
        for k in ('center', 'size')
    }
    for value in out.values():
        assert value.shape == (2, 2)
    # App. B: fresh centres at (2.9375, 3.9375) = grid centre / 8
    torch.testing.assert_close(
        out['lhand_center'],
        torch.tensor([2.9375, 3.9375]).expand(2, 2),
        atol=0.02,
        rtol=0,
    )
    # the size branch reads the feature at a detached centre
    grad = torch.autograd.grad(
        out['lhand_size'].sum(), head.bbox_center[0].weight, allow_unused=True
    )
    assert grad[0] is None
    assert 'deconv.3.weight' in head.state_dict()
    assert head.state_dict()['deconv.0.weight'].shape == (2248, 256, 4, 4)


def test_hand_rotation_head():
    head = HandRotationHead()
    pose = head(torch.randn(4, 2048, 8, 8), torch.rand(4, 20, 3) * 7)
    assert pose.shape == (4, 45)
    assert head.state_dict()['hand_pose_out.0.weight'].shape == (90, 10300)


def test_body_rotation_head():
    head = BodyRotationHead()
    out = head(
        torch.randn(2, 2048, 8, 6),
        torch.rand(2, 25, 3) * 5,
        torch.randn(2, 2048, 8, 8),
        torch.rand(2, 4, 3) * 7,
        torch.randn(2, 2048, 8, 8),
        torch.rand(2, 4, 3) * 7,
    )
    assert out['root_pose'].shape == (2, 3)
    assert out['body_pose'].shape == (2, 63)
    assert out['shape'].shape == (2, 10) and out['cam_param'].shape == (2, 3)
    assert head.state_dict()['root_pose_out.0.weight'].shape == (6, 16995)


def test_face_regressor_head():
    out = FaceRegressorHead()(torch.randn(3, 512, 6, 6))
    assert out['expr'].shape == (3, 10) and out['jaw_pose'].shape == (3, 3)


@pytest.mark.parametrize(
    'num_joints,num_rot,extra,pose_dim', [(25, 21, 2, 69), (21, 15, 0, 45)]
)
def test_pose2pose_rotation_head(num_joints, num_rot, extra, pose_dim):
    head = Pose2PoseRotationHead(
        2048, num_joints, num_rot, num_extra_rotations=extra
    )
    out = head(torch.randn(2, 2048, 8, 6), torch.rand(2, num_joints, 3) * 5)
    assert out['pose'].shape == (2, pose_dim)
    if extra:
        assert out['pose'][:, -6:].abs().max() == 0
    assert head.state_dict()['pose_out.0.weight'].shape == (
        num_rot * 6,
        num_joints * 515,
    )


def test_pose2pose_face_head():
    out = Pose2PoseFaceHead()(torch.randn(2, 2048, 8, 6))
    assert {k: tuple(v.shape) for k, v in out.items()} == dict(
        root_pose=(2, 3),
        jaw_pose=(2, 3),
        shape=(2, 10),
        expr=(2, 10),
        cam_param=(2, 3),
    )


def test_heads_build_from_registry():
    init_default_scope('h4w')
    for cfg in (
        dict(type='PositionHead'),
        dict(type='BoxHead'),
        dict(type='HandRotationHead'),
        dict(type='BodyRotationHead'),
        dict(type='FaceRegressorHead'),
        dict(type='Pose2PoseRotationHead'),
        dict(type='Pose2PoseFaceHead'),
    ):
        assert type(MODELS.build(cfg)).__name__ == cfg['type']
