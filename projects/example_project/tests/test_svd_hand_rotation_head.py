"""SVDHandRotationHead: the SVD projection (nearest rotation, a gradient
that stays finite where singular values coincide) and the head in
Hand4Whole in place of HandRotationHead (one training step, prediction)."""

import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

from h4w.models.utils import axis_angle_to_rotmat, rot6d_to_rotmat
from h4w.registry import MODELS
from h4w.testing import get_packed_inputs

from projects.example_project.models import (
    SVDHandRotationHead,
    svd_orthogonalize,
)

CONFIGS = osp.join(osp.dirname(osp.dirname(__file__)), 'configs')
SVD_HAND = osp.join(CONFIGS, 'hand4whole-svd-hand_res50_folder.py')
PLAIN = osp.join(CONFIGS, 'hand4whole_res50_folder.py')


def random_rotations(n, generator):
    q = torch.randn(n, 4, generator=generator, dtype=torch.float64)
    return axis_angle_to_rotmat(
        2
        * torch.atan2(q[:, 1:].norm(dim=1), q[:, 0])[:, None]
        * torch.nn.functional.normalize(q[:, 1:], dim=1)
    )


def test_rotations_are_kept():
    rot = random_rotations(16, torch.Generator().manual_seed(0))
    assert torch.allclose(svd_orthogonalize(rot), rot, atol=1e-10)


def test_nearest_rotation():
    gen = torch.Generator().manual_seed(1)
    mats = random_rotations(64, gen) + 0.3 * torch.randn(
        64, 3, 3, generator=gen, dtype=torch.float64
    )
    mats[:8] = -mats[:8]  # reflections too: det < 0
    rot = svd_orthogonalize(mats)
    eye = torch.eye(3, dtype=torch.float64).expand_as(rot)
    assert torch.allclose(rot @ rot.transpose(1, 2), eye, atol=1e-10)
    assert torch.allclose(
        torch.linalg.det(rot), torch.ones(64, dtype=torch.float64)
    )
    # optimality (positive determinant): M = R P with P symmetric
    pos = torch.linalg.det(mats) > 0
    sym = rot[pos].transpose(1, 2) @ mats[pos]
    assert torch.allclose(sym, sym.transpose(1, 2), atol=1e-10)
    # never further from M than Gram-Schmidt on its first two columns
    gram = rot6d_to_rotmat(mats[:, :, :2].reshape(-1, 6))
    svd_dist = (rot - mats).flatten(1).norm(dim=1)
    gram_dist = (gram - mats).flatten(1).norm(dim=1)
    assert (svd_dist <= gram_dist + 1e-10).all()
    assert (svd_dist < gram_dist - 1e-3).any()


def test_gradient():
    gen = torch.Generator().manual_seed(2)
    mats = torch.randn(6, 3, 3, generator=gen, dtype=torch.float64)
    assert torch.autograd.gradcheck(
        svd_orthogonalize, (mats.requires_grad_(),)
    )
    # near the identity (all singular values ~1, where the head starts):
    # autograd through torch.linalg.svd overflows there, this one not
    near = torch.eye(3, dtype=torch.float64).repeat(6, 1, 1)
    near = near + 1e-9 * torch.randn(6, 3, 3, generator=gen, dtype=near.dtype)
    assert torch.autograd.gradcheck(
        svd_orthogonalize, (near.requires_grad_(),)
    )
    exact = torch.eye(3).repeat(2, 1, 1).requires_grad_()
    svd_orthogonalize(exact).pow(2).sum().backward()
    assert torch.isfinite(exact.grad).all()


def test_head_shapes_and_identity_start():
    torch.manual_seed(0)
    head = SVDHandRotationHead(in_channels=64)
    pose = head(torch.randn(4, 64, 8, 8), torch.rand(4, 20, 3) * 8)
    assert pose.shape == (4, 45) and torch.isfinite(pose).all()
    # the bias alone (zero features) is the identity: a flat hand
    head.rotmat_out[-1].weight.data.zero_()
    pose = head(torch.randn(4, 64, 8, 8), torch.rand(4, 20, 3) * 8)
    assert torch.allclose(pose, torch.zeros_like(pose), atol=1e-6)


def light_model(config, human_model_root):
    """Hand4Whole of an example config, with ResNet-18 trunks (same graph,
    fewer channels) to keep the tests fast."""
    init_default_scope('h4w')
    cfg = Config.fromfile(config).model
    cfg.body_model.model_path = human_model_root
    cfg.backbone.depth = cfg.hand_backbone.depth = 18
    for head in (
        'body_position_head',
        'box_head',
        'hand_position_head',
        'hand_rotation_head',
        'body_rotation_head',
    ):
        cfg[head].in_channels = 512
    cfg.body_rotation_head.hand_channels = 512
    torch.manual_seed(0)
    return MODELS.build(cfg)


@pytest.fixture(scope='module')
def model(human_model_root):
    return light_model(SVD_HAND, human_model_root)


def test_swaps_into_hand4whole(model):
    assert isinstance(model.hand_rotation_head, SVDHandRotationHead)
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-4))
    before = model.hand_rotation_head.rotmat_out[-1].weight.detach().clone()
    log_vars = model.train_step(get_packed_inputs(2), optim)
    assert all(torch.isfinite(v) for v in log_vars.values())
    assert 'loss_smplx_pose' in log_vars
    after = model.hand_rotation_head.rotmat_out[-1].weight
    assert not torch.equal(before, after)  # the pose loss reaches it

    model.eval()
    samples = model.test_step(get_packed_inputs(2, seed=1))
    pred = samples[0].pred_instances
    assert (
        pred.smplx_lhand_pose.shape
        == pred.smplx_rhand_pose.shape
        == (
            1,
            45,
        )
    )


def test_trained_hand4whole_loads_but_the_new_layer(model, human_model_root):
    """``load_from`` a Hand4Whole of the plain config: every weight loads
    but the new head's last layer (the 6D layer is left over)."""
    plain = light_model(PLAIN, human_model_root).state_dict()
    result = model.load_state_dict(plain, strict=False)
    assert set(result.missing_keys) == {
        'hand_rotation_head.rotmat_out.0.weight',
        'hand_rotation_head.rotmat_out.0.bias',
    }
    assert set(result.unexpected_keys) == {
        'hand_rotation_head.hand_pose_out.0.weight',
        'hand_rotation_head.hand_pose_out.0.bias',
    }
    assert torch.equal(
        model.hand_rotation_head.hand_conv[0].weight,
        plain['hand_rotation_head.hand_conv.0.weight'],
    )
