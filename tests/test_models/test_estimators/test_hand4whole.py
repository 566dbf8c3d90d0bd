"""Hand4Whole: one training step and prediction from the config, the
detach points of spec §4.5, left-hand un-flip (§2.10) and the target
re-mapping of §4.3/§4.4."""

import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

from h4w.models.estimators.hand4whole import align_translation
from h4w.models.utils import flip_axis_angle
from h4w.registry import MODELS
from h4w.testing import get_packed_inputs

from tests.conftest import REPO_ROOT

CONFIG = osp.join(REPO_ROOT, 'configs/_base_/models/hand4whole_res50.py')
LOSS_KEYS = {
    'loss_smplx_pose',
    'loss_smplx_shape',
    'loss_smplx_expr',
    'loss_joint_cam',
    'loss_smplx_joint_cam',
    'loss_lhand_bbox',
    'loss_rhand_bbox',
    'loss_face_bbox',
    'loss_joint_proj',
    'loss_joint_img',
    'loss_smplx_joint_img',
}


def model_cfg(human_model_root, light=False, **overrides):
    """The config's model; ``light`` swaps every ResNet-50 for a ResNet-18
    (same graph, 4x fewer channels) to keep gradient tests fast."""
    cfg = Config.fromfile(CONFIG).model
    cfg.body_model.model_path = human_model_root
    if light:
        cfg.backbone.depth = cfg.hand_backbone.depth = 18
        cfg.body_position_head.in_channels = 512
        cfg.box_head.in_channels = 512
        cfg.hand_position_head.in_channels = 512
        cfg.hand_rotation_head.in_channels = 512
        cfg.body_rotation_head.in_channels = 512
        cfg.body_rotation_head.hand_channels = 512
    cfg.update(overrides)
    return cfg


def build(human_model_root, light=False, **overrides):
    init_default_scope('h4w')
    torch.manual_seed(0)
    return MODELS.build(model_cfg(human_model_root, light, **overrides))


@pytest.fixture(scope='module')
def light_model(human_model_root):
    return build(human_model_root, light=True)


def test_train_step_and_predict_from_config(human_model_root):
    """The full model (ResNet-50 / 50 / 18) trains one step and predicts
    on CPU at batch 2."""
    model = build(human_model_root)
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-4))
    before = model.body_rotation_head.cam_out[0].weight.detach().clone()
    log_vars = model.train_step(get_packed_inputs(2), optim)
    assert set(log_vars) == LOSS_KEYS | {'loss'}
    assert all(torch.isfinite(v) for v in log_vars.values())
    assert not torch.equal(before, model.body_rotation_head.cam_out[0].weight)

    samples = model.test_step(get_packed_inputs(2, seed=1))
    pred = samples[1].pred_instances
    shapes = {k: tuple(v.shape) for k, v in pred.items()}
    assert shapes['joint_img'] == (1, 65, 3)
    assert shapes['smplx_joint_proj'] == (1, 137, 2)
    assert shapes['smplx_mesh_cam'] == (1, 10475, 3)
    assert shapes['smplx_body_pose'] == (1, 63)
    assert shapes['smplx_lhand_pose'] == shapes['smplx_rhand_pose'] == (1, 45)
    assert shapes['smplx_root_pose'] == shapes['smplx_jaw_pose'] == (1, 3)
    assert shapes['smplx_shape'] == shapes['smplx_expr'] == (1, 10)
    for key in ('lhand_bbox', 'rhand_bbox', 'face_bbox', 'lhand_bbox_orig'):
        assert shapes[key] == (1, 4)
    assert shapes['joint_img_orig'] == (1, 65, 2)
    assert shapes['focal'] == shapes['princpt'] == (1, 2)


def grads(loss, modules):
    """Whether each module's parameters receive a non-zero gradient."""
    out = {}
    for name, module in modules.items():
        params = [p for p in module.parameters() if p.requires_grad]
        gs = torch.autograd.grad(
            loss, params, retain_graph=True, allow_unused=True
        )
        out[name] = any(g is not None and g.abs().sum() > 0 for g in gs)
    return out


def test_what_supervises_what(human_model_root):
    """Spec §4.5: the box head learns only from the box losses, the
    position heads only from the 2D joint losses, the camera only from
    joint_proj; rotations from pose, 3D joints and joint_proj."""
    model = build(human_model_root, light=True).train()
    # predicted hand boxes of 2x2 body heat-map units around the fresh
    # centre (2.94, 3.94), and hand targets inside them, so that the hand
    # rows are not truncated by the re-mapping of §4.3
    for part in ('lhand', 'rhand'):
        getattr(model.box_head, f'{part}_size')[2].bias.data.fill_(2.0)
    packed = get_packed_inputs(2)
    for sample in packed['data_samples']:
        for key in ('joint_img', 'smplx_joint_img'):
            if key in sample.gt_instances:
                sample.gt_instances.get(key)[0, 25:65, :2] = [2.9, 3.9]
    data = model.data_preprocessor(packed, True)
    model.target_generator(data['data_samples'])
    for sample in data['data_samples']:
        sample.gt_instances.smplx_joint_img[0, 25:65, :2] = torch.tensor(
            [2.9, 3.9]
        )
    losses = model(**data, mode='loss')
    m = model
    modules = dict(
        box=m.box_head,
        body_pos=m.body_position_head,
        hand_pos=m.hand_position_head,
        body_rot=m.body_rotation_head,
        hand_rot=m.hand_rotation_head,
        face=m.face_head,
        hand_backbone=m.hand_backbone,
        face_backbone=m.face_backbone,
        backbone=m.backbone,
        cam=m.body_rotation_head.cam_out,
    )
    bbox = sum(losses[f'loss_{p}_bbox'] for p in ('lhand', 'rhand', 'face'))
    not_bbox = sum(v for k, v in losses.items() if 'bbox' not in k)
    assert grads(bbox, modules) == dict(
        box=True,
        body_pos=False,
        hand_pos=False,
        body_rot=False,
        hand_rot=False,
        face=False,
        hand_backbone=False,
        face_backbone=False,
        backbone=True,
        cam=False,
    )
    assert not grads(not_bbox, modules)['box']
    g = grads(losses['loss_smplx_pose'], modules)
    assert g['body_rot'] and g['hand_rot'] and g['face']
    assert not g['body_pos'] and not g['hand_pos'] and not g['cam']
    g = grads(
        losses['loss_joint_img'] + losses['loss_smplx_joint_img'], modules
    )
    assert g['body_pos'] and g['hand_pos']
    assert not g['body_rot'] and not g['hand_rot'] and not g['cam']
    no_proj = sum(v for k, v in losses.items() if k != 'loss_joint_proj')
    assert not grads(no_proj, modules)['cam']
    g = grads(losses['loss_joint_proj'], modules)
    assert g['cam'] and g['body_rot'] and g['hand_rot']


@pytest.mark.parametrize('pixel_exact,offset', [(False, 7.0), (True, 7.96875)])
def test_left_hand_unflip(human_model_root, pixel_exact, offset):
    """If the left crop is the mirror image of the right crop (the same
    network input after the left flip), the left outputs are the mirrored
    right outputs: x -> offset - x and axis-angle (x, -y, -z)."""
    model = build(
        human_model_root, light=True, pixel_exact_hand_unflip=pixel_exact
    ).eval()
    crop = torch.rand(2, 3, 256, 256)
    model.hand_roi_extractor.forward = lambda img, bbox, flip=False: crop
    data = model.data_preprocessor(get_packed_inputs(2), False)
    model.target_generator(data['data_samples'])
    with torch.no_grad():
        out = model(data['inputs'], mode='tensor')
    left, right = out['joint_img'][:, 25:45], out['joint_img'][:, 45:65]
    torch.testing.assert_close(left[:, :, 0], offset - right[:, :, 0])
    torch.testing.assert_close(left[:, :, 1:], right[:, :, 1:])
    lpose = out['pose'][:, 66:111].reshape(2, 15, 3)
    rpose = out['pose'][:, 111:156].reshape(2, 15, 3)
    torch.testing.assert_close(lpose, flip_axis_angle(rpose))


def test_rotation_matrix_pose_loss_flag(human_model_root):
    model = build(
        human_model_root, light=True, loss_pose=dict(type='RotationMatrixLoss')
    )
    data = model.data_preprocessor(get_packed_inputs(2), True)
    model.target_generator(data['data_samples'])
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['loss_smplx_pose'])
    assert type(model.loss_pose).__name__ == 'RotationMatrixLoss'


def test_align_translation_uses_valid_joints_only():
    pred = torch.zeros(2, 3, 2)
    target = torch.tensor(
        [
            [[1.0, 1.0], [3.0, 1.0], [100.0, 100.0]],
            [[5.0, 5.0], [5.0, 5.0], [5.0, 5.0]],
        ]
    )
    mask = torch.tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    out = align_translation(pred, target, mask)
    torch.testing.assert_close(out[0], torch.tensor([[2.0, 1.0]] * 3))
    torch.testing.assert_close(out[1], torch.zeros(3, 2))


def test_predictions_in_original_image(light_model):
    model = light_model.eval()
    data = get_packed_inputs(1)
    trans = np.array([[2.0, 0.0, 10.0], [0.0, 2.0, -5.0]], np.float32)
    data['data_samples'][0].set_metainfo(dict(bb2img_trans=trans))
    pred = model.test_step(data)[0].pred_instances
    crop = pred.joint_img[0, :, :2] * torch.tensor([384 / 6, 512 / 8])
    torch.testing.assert_close(
        pred.joint_img_orig[0], crop * 2 + torch.tensor([10.0, -5.0])
    )
    box = pred.lhand_bbox[0]
    torch.testing.assert_close(
        pred.lhand_bbox_orig[0], box * 2 + torch.tensor([10.0, -5, 10, -5])
    )
    # virtual camera: f = 5000 * 2 (crop) * 2 (affine); c = crop centre
    torch.testing.assert_close(pred.focal[0], torch.tensor([20000.0, 20000.0]))
    torch.testing.assert_close(
        pred.princpt[0], torch.tensor([192 * 2 + 10.0, 256 * 2 - 5.0])
    )


def test_missing_target_names_the_sample(light_model):
    data = get_packed_inputs(1)
    del data['data_samples'][0].gt_instances.joint_cam
    data = light_model.data_preprocessor(data, True)
    light_model.target_generator(data['data_samples'])
    with pytest.raises(KeyError, match='joint_cam.*synthetic_0.jpg'):
        light_model(**data, mode='loss')


def test_fresh_model_boxes_appendix_b(human_model_root):
    """A freshly built model predicts tiny part boxes centred at (94, 126)
    body-input pixels (spec App. B), i.e. (188, 252) in the 384x512
    crop."""
    model = build(human_model_root, light=True).eval()
    data = model.data_preprocessor(get_packed_inputs(1), False)
    model.target_generator(data['data_samples'])
    with torch.no_grad():
        out = model(data['inputs'], mode='tensor')
    for part in ('lhand', 'rhand', 'face'):
        box = out[f'{part}_bbox'][0]
        center = (box[:2] + box[2:]) / 2
        torch.testing.assert_close(
            center, torch.tensor([94.0, 126.0]), atol=1.0, rtol=0
        )
        assert (box[2:] - box[:2]).abs().max() < 2.0


def test_bf16_autocast_keeps_the_geometry_in_float32(light_model):
    """Under --amp the backbones and heads run in bf16, but the body model,
    camera and projection stay float32 (a 28 m camera depth in bf16 would
    be off by 0.1 m)."""
    model = light_model.eval()
    ref = model.test_step(get_packed_inputs(2))[0].pred_instances
    with torch.autocast('cpu', torch.bfloat16):
        out = model.test_step(get_packed_inputs(2))[0].pred_instances
    for key, value in out.items():
        assert value.dtype == torch.float32, key
    assert (out.cam_trans - ref.cam_trans).abs().max() < 1e-2
    assert (out.smplx_mesh_cam - ref.smplx_mesh_cam).abs().max() < 2e-2


def test_channels_last_gives_the_same_outputs(human_model_root):
    model = build(human_model_root, light=True).eval()
    ref = model.test_step(get_packed_inputs(1))[0].pred_instances
    model = model.to(memory_format=torch.channels_last)
    out = model.test_step(get_packed_inputs(1))[0].pred_instances
    torch.testing.assert_close(
        out.smplx_mesh_cam, ref.smplx_mesh_cam, atol=1e-4, rtol=0
    )
