"""Pose2Pose body / hand / face: one training step and prediction from
the configs (spec §2.18, §4.6)."""

import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

from h4w.registry import MODELS
from h4w.testing import get_packed_inputs

from tests.conftest import REPO_ROOT

CASES = dict(
    body=dict(
        model_type='smpl',
        input=(256, 192),
        hm=(8, 8, 6),
        losses={
            'loss_joint_img',
            'loss_smpl_joint_img',
            'loss_smpl_pose',
            'loss_smpl_shape',
            'loss_joint_proj',
            'loss_joint_cam',
            'loss_smpl_joint_cam',
        },
        preds=dict(
            smpl_mesh_cam=(1, 6890, 3),
            smpl_joint_proj=(1, 33, 2),
            smpl_pose=(1, 72),
            smpl_shape=(1, 10),
            joint_img=(1, 25, 3),
            cam_trans=(1, 3),
            # original image (the packed samples carry bb2img_trans)
            smpl_joint_proj_orig=(1, 33, 2),
            joint_img_orig=(1, 25, 2),
            focal=(1, 2),
            princpt=(1, 2),
        ),
    ),
    hand=dict(
        model_type='mano',
        input=(256, 256),
        hm=(8, 8, 8),
        losses={
            'loss_joint_img',
            'loss_mano_joint_img',
            'loss_mano_pose',
            'loss_mano_shape',
            'loss_joint_proj',
            'loss_joint_cam',
            'loss_mano_joint_cam',
        },
        preds=dict(
            mano_mesh_cam=(1, 778, 3),
            mano_joint_proj=(1, 21, 2),
            mano_pose=(1, 48),
            mano_shape=(1, 10),
            joint_img=(1, 21, 3),
            cam_trans=(1, 3),
            mano_joint_proj_orig=(1, 21, 2),
            joint_img_orig=(1, 21, 2),
            focal=(1, 2),
            princpt=(1, 2),
        ),
    ),
    face=dict(
        model_type='flame',
        input=(256, 192),
        hm=(8, 8, 6),
        losses={
            'loss_flame_root_pose',
            'loss_flame_jaw_pose',
            'loss_flame_shape',
            'loss_flame_expr',
            'loss_joint_proj',
            'loss_joint_cam',
            'loss_flame_joint_cam',
        },
        preds=dict(
            flame_mesh_cam=(1, 5023, 3),
            flame_joint_cam=(1, 73, 3),
            flame_joint_proj=(1, 73, 2),
            flame_root_pose=(1, 3),
            flame_jaw_pose=(1, 3),
            flame_shape=(1, 10),
            flame_expr=(1, 10),
            cam_trans=(1, 3),
            flame_joint_proj_orig=(1, 73, 2),
            focal=(1, 2),
            princpt=(1, 2),
        ),
    ),
)


def build(part, human_model_root):
    init_default_scope('h4w')
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, f'configs/pose2pose/pose2pose_{part}_res50.py')
    )
    cfg.model.body_model.model_path = human_model_root
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


def packed(part, seed=0):
    case = CASES[part]
    return get_packed_inputs(
        2, case['model_type'], case['input'], case['hm'], seed=seed
    )


@pytest.mark.parametrize('part', sorted(CASES))
def test_train_step_and_predict_from_config(part, human_model_root):
    model = build(part, human_model_root)
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-4))
    before = model.head.cam_out[0].weight.detach().clone()
    log_vars = model.train_step(packed(part), optim)
    assert set(log_vars) == CASES[part]['losses'] | {'loss'}
    assert all(torch.isfinite(v) for v in log_vars.values())
    assert not torch.equal(before, model.head.cam_out[0].weight)

    samples = model.test_step(packed(part, seed=1))
    shapes = {k: tuple(v.shape) for k, v in samples[0].pred_instances.items()}
    assert shapes == CASES[part]['preds']


def test_body_hand_pose_is_zero_padded(human_model_root):
    model = build('body', human_model_root).eval()
    pred = model.test_step(packed('body'))[0].pred_instances
    assert pred.smpl_pose[0, -6:].abs().max() == 0


def test_camera_prior_per_part(human_model_root):
    model = build('hand', human_model_root)
    assert model.camera_depth_prior == pytest.approx(7.8125)
    assert model.codec.princpt == (128, 128)


def test_invalid_parts_and_missing_position_head(human_model_root):
    init_default_scope('h4w')
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/pose2pose/pose2pose_face_res50.py')
    ).model
    cfg.body_model.model_path = human_model_root
    with pytest.raises(ValueError, match='parts must be one of'):
        MODELS.build(dict(cfg, parts='torso'))
    with pytest.raises(ValueError, match='position_head'):
        MODELS.build(dict(cfg, parts='body'))
