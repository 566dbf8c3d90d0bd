"""Soft-argmax, joint-feature sampling, camera and box helpers (spec
§2.4-§2.8, §2.14, App. B)."""

import math

import pytest
import torch

from h4w.models.utils import (
    depth_prior,
    get_camera_trans,
    init_head_weights,
    make_conv_layers,
    make_deconv_layers,
    make_linear_layers,
    sample_joint_features,
    soft_argmax_2d,
    soft_argmax_3d,
)


def test_soft_argmax_3d_peak_and_uniform():
    logits = torch.zeros(2, 3, 8, 8, 6)
    # uniform -> grid centre (x, y, z) = ((W-1)/2, (H-1)/2, (D-1)/2)
    torch.testing.assert_close(
        soft_argmax_3d(logits), torch.tensor([2.5, 3.5, 3.5]).expand(2, 3, 3)
    )
    logits[0, 1, 5, 2, 4] = 100.0  # d=5, h=2, w=4
    out = soft_argmax_3d(logits)
    torch.testing.assert_close(out[0, 1], torch.tensor([4.0, 2.0, 5.0]))


def test_soft_argmax_2d_peak_and_uniform():
    logits = torch.zeros(1, 3, 64, 48)
    torch.testing.assert_close(
        soft_argmax_2d(logits), torch.tensor([23.5, 31.5]).expand(1, 3, 2)
    )
    logits[0, 2, 10, 40] = 100.0
    torch.testing.assert_close(
        soft_argmax_2d(logits)[0, 2], torch.tensor([40.0, 10.0])
    )


def test_sample_joint_features_index_convention():
    feat = torch.arange(2 * 4 * 5, dtype=torch.float32).reshape(1, 2, 4, 5)
    coords = torch.tensor(
        [[[0.0, 0.0], [4.0, 3.0], [1.5, 2.0], [2.0, 0.5], [-1.0, 0.0]]]
    )
    out = sample_joint_features(feat, coords)
    assert out.shape == (1, 5, 2)
    f = feat[0]
    torch.testing.assert_close(out[0, 0], f[:, 0, 0])
    torch.testing.assert_close(out[0, 1], f[:, 3, 4])
    torch.testing.assert_close(out[0, 2], (f[:, 2, 1] + f[:, 2, 2]) / 2)
    torch.testing.assert_close(out[0, 3], (f[:, 0, 2] + f[:, 1, 2]) / 2)
    torch.testing.assert_close(out[0, 4], torch.zeros(2))  # zero padding


def test_depth_prior_values():
    assert depth_prior((5000, 5000), 2.5, (256, 192)) == pytest.approx(
        56.38186, abs=1e-5
    )
    assert depth_prior((5000, 5000), 0.4, (256, 256)) == pytest.approx(7.8125)
    assert depth_prior((5000, 5000), 0.4, (256, 192)) == pytest.approx(
        9.0210, abs=1e-4
    )


def test_camera_translation():
    cam = torch.tensor([[0.1, -0.2, 0.0]])
    trans = get_camera_trans(cam, 56.38)
    torch.testing.assert_close(trans, torch.tensor([[0.1, -0.2, 28.19]]))


def test_layer_builders_follow_reference_indices():
    conv = make_conv_layers(
        [8, 4, 2], kernel=1, stride=1, padding=0, bnrelu_final=False
    )
    assert [type(m).__name__ for m in conv] == [
        'Conv2d',
        'BatchNorm2d',
        'ReLU',
        'Conv2d',
    ]
    assert conv[0].bias is not None
    deconv = make_deconv_layers([8, 4, 4])
    assert [type(m).__name__ for m in deconv] == [
        'ConvTranspose2d',
        'BatchNorm2d',
        'ReLU',
    ] * 2
    assert deconv[0].bias is None
    assert deconv(torch.zeros(1, 8, 3, 5)).shape == (1, 4, 12, 20)
    linear = make_linear_layers([8, 4, 2], relu_final=False)
    assert [type(m).__name__ for m in linear] == ['Linear', 'ReLU', 'Linear']


def test_init_head_weights():
    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Conv2d(256, 256, 3),
        torch.nn.BatchNorm2d(256),
        torch.nn.ConvTranspose2d(256, 256, 4, bias=False),
        torch.nn.Linear(512, 512),
    )
    module[1].weight.data.fill_(3)
    module.apply(init_head_weights)
    assert math.isclose(module[0].weight.std().item(), 0.001, rel_tol=0.05)
    assert module[0].bias.abs().max() == 0
    assert module[1].weight.eq(1).all() and module[1].bias.eq(0).all()
    assert math.isclose(module[2].weight.std().item(), 0.001, rel_tol=0.05)
    assert math.isclose(module[3].weight.std().item(), 0.01, rel_tol=0.05)
    assert module[3].bias.abs().max() == 0
