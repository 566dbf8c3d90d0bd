"""BodyModelTargetGenerator: the batched body-model targets.

The batched float32 targets are compared with ``reference_targets``, a
per-sample float64 NumPy re-statement of the reference pipeline (§5.1).
Tolerances (float32 against float64): heat-map coordinates 1e-4 (absolute
and relative, x/y span 0-8 and the depth bins 0-8), metres 1e-5 (joint_cam,
mesh at ~5 m from the camera), axis-angles 1e-5 (all sampled rotations stay
at least 0.2 rad away from the pi boundary, where the axis-angle flips),
validity masks exactly, truncation exactly except within 1e-3 of a bin
boundary.
"""

import cv2
import numpy as np
import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from h4w.body_models.joint_sets import SMPLX_JOINTS, SMPLX_PARAM_JOINTS
from h4w.models.data_preprocessors import MeshDataPreprocessor
from h4w.models.task_modules import BodyModelTargetGenerator
from h4w.registry import MODELS
from h4w.structures import MeshDataSample
from h4w.testing import get_packed_inputs

from tests.conftest import load_tool
from tests.test_models.test_estimators.test_hand4whole import build
from tests.test_models.test_task_modules.reference_targets import (
    double_layers,
    img2bb_trans,
    reference_targets,
)

ORI_SHAPE = (1000, 800)  # original image (H, W)
VALID_KEYS = ('_valid', '_trunc')


# ------------------------------------------------------------ fixtures
@pytest.fixture(scope='module')
def smplx_gen(human_model_root):
    return BodyModelTargetGenerator(
        body_model=dict(type='SMPLXModel', model_path=human_model_root),
        codec=codec(),
        genders=('neutral', 'male', 'female'),
    )


@pytest.fixture(scope='module')
def smplx_ref_layers(smplx_gen):
    return double_layers(smplx_gen.body_models)


# ------------------------------------------------------------- helpers
def codec(
    input_img_shape=(512, 384),
    output_hm_shape=(8, 8, 6),
    body_3d_size=2.0,
    hand_3d_size=0.3,
    face_3d_size=0.3,
):
    """The MeshCodec config of the crop geometry that the oracle takes as
    keyword arguments (defaults: Hand4Whole)."""
    return dict(
        type='MeshCodec',
        input_size=input_img_shape,
        heatmap_size=output_hm_shape,
        depth_sizes=dict(
            body=body_3d_size, hand=hand_3d_size, face=face_3d_size
        ),
    )


def random_rotation(rng, angle, axis=None):
    axis = rng.normal(size=3) if axis is None else np.asarray(axis, float)
    return axis / np.linalg.norm(axis) * angle


def rotmat(aa):
    return cv2.Rodrigues(np.asarray(aa, dtype=np.float64))[0]


def joints_bbox(params, layers, model_type, margin=1.5):
    """xywh box around the projected joints of a fit (original pixels), from
    the oracle with an identity crop."""
    meta = dict(ori_shape=ORI_SHAPE, img2bb_trans=np.eye(2, 3))
    ref = reference_targets(
        params,
        meta,
        layers,
        model_type,
        input_img_shape=(1, 1),
        output_hm_shape=(8, 1, 1),
    )
    xy = ref[f'{model_type}_joint_img'][:, :2]
    lo, hi = xy.min(0), xy.max(0)
    size = (hi - lo).max() * margin
    center = (lo + hi) / 2
    return np.array([center[0] - size / 2, center[1] - size / 2, size, size])


def make_sample(
    rng,
    params=None,
    flip=False,
    rot=0.0,
    scale=1.0,
    input_img_shape=(512, 384),
    bbox=None,
    img_path='x.jpg',
):
    """A MeshDataSample with the metainfo of generate_patch_image."""
    if bbox is None:
        h = rng.uniform(550, 700)
        cx, cy = 400 + rng.uniform(-60, 60), 500 + rng.uniform(-60, 60)
        w = h * input_img_shape[1] / input_img_shape[0]
        bbox = np.array([cx - w / 2, cy - h / 2, w, h])
    trans = img2bb_trans(bbox, scale, rot, flip, ORI_SHAPE[1], input_img_shape)
    sample = MeshDataSample(
        metainfo=dict(
            ori_shape=ORI_SHAPE,
            img2bb_trans=trans,
            flip=flip,
            rot=rot,
            img_path=img_path,
        )
    )
    if params is not None:
        sample.gt_params = InstanceData(**params)
    return sample


def camera(rng, params, mode, depth=5.0):
    """Camera fields. mode: 'none' (camera-frame params), 'Rt', 'R', 't'."""
    params['focal'] = np.array([[1500.0, 1480.0]]) + rng.uniform(-50, 50, 2)
    params['princpt'] = np.array([[400.0, 500.0]]) + rng.uniform(-20, 20, 2)
    # upright in the world, camera looking at the person (y down)
    upright = np.array([[2.75, 0.0, 0.0]]) + rng.normal(0, 0.1, (1, 3))
    if mode == 'Rt':
        params['cam_R'] = rotmat(random_rotation(rng, 2.6, [1, 0.1, 0.1]))[
            None
        ]
        params['cam_t'] = np.array([[0.1, 0.2, depth]])
        params['root_pose'] = rng.normal(0, 0.15, (1, 3))
        params['trans'] = rng.normal(0, 0.3, (1, 3))
    elif mode == 'R':
        params['cam_R'] = rotmat(random_rotation(rng, 2.6, [1, 0.1, 0.1]))[
            None
        ]
        params['root_pose'] = rng.normal(0, 0.15, (1, 3))
        params['trans'] = np.array([[0.0, 0.04, 1.0]]) * depth
    else:
        params['root_pose'] = upright
        params['trans'] = (
            np.array([[0.0, 0.04, 1.0]]) * depth
            + rng.normal(0, 0.02, (1, 3)) * depth
        )
        if mode == 't':
            params['cam_t'] = np.array([[3.0, 3.0, 3.0]])
    return params


def smplx_params(
    rng,
    gender=None,
    mode='none',
    hands=(True, True),
    face=True,
    big_beta=False,
):
    p = dict(
        body_pose=rng.normal(0, 0.2, (1, 63)), shape=rng.normal(0, 1, (1, 10))
    )
    if big_beta:
        p['shape'][0, 3] = 3.4
    camera(rng, p, mode)
    for part, valid in zip(('lhand', 'rhand'), hands):
        if valid is None:
            continue  # no key at all
        p[f'{part}_pose'] = rng.normal(0, 0.3, (1, 45))
        p[f'{part}_valid'] = np.array([valid])
    if face is not None:
        p['jaw_pose'] = rng.normal(0, 0.2, (1, 3))
        p['expr'] = rng.normal(0, 1, (1, 10))
        p['face_valid'] = np.array([face])
    if gender is not None:
        p['gender'] = [gender]
    return p


def assert_matches_reference(samples, layers, model_type, **cfg):
    """Every sample with gt_params against the float64 oracle."""
    checked = 0
    for sample in samples:
        if 'gt_params' not in sample:
            continue
        ref = reference_targets(
            sample.gt_params, sample.metainfo, layers, model_type, **cfg
        )
        gt = sample.gt_instances
        assert set(ref) <= set(gt.keys()), set(ref) - set(gt.keys())
        for key, expected in ref.items():
            value = gt[key]
            assert value.dtype == torch.float32, key
            assert tuple(value.shape) == (1,) + expected.shape, key
            value = value[0].double().cpu().numpy()
            msg = f'{sample.img_path} {key}'
            if key.endswith('_trunc'):
                hm = ref[key.replace('_trunc', '_img')]
                d, h, w = cfg.get('output_hm_shape', (8, 8, 6))
                bounds = np.array([w, h, d])
                near = (np.abs(hm) < 1e-3) | (np.abs(hm - bounds) < 1e-3)
                far = ~near.any(axis=1)
                np.testing.assert_array_equal(
                    value[far], expected[far], err_msg=msg
                )
            elif key.endswith('_valid'):
                np.testing.assert_array_equal(value, expected, err_msg=msg)
            elif key.endswith('_joint_img'):
                np.testing.assert_allclose(
                    value, expected, rtol=1e-4, atol=1e-4, err_msg=msg
                )
            else:  # metres, axis-angles, shape / expression coefficients
                np.testing.assert_allclose(
                    value, expected, rtol=0, atol=1e-5, err_msg=msg
                )
        checked += 1
    return checked


def run(gen, samples):
    gen(samples)
    return samples


# ----------------------------------------------------------- structure
def test_build_and_empty_state_dict(smplx_gen, human_model_root):
    assert list(smplx_gen.body_models) == ['neutral', 'male', 'female']
    assert smplx_gen.body_models['male'].layer.gender == 'male'
    assert smplx_gen.state_dict() == {}
    init_default_scope('h4w')
    gen = MODELS.build(
        dict(
            type='BodyModelTargetGenerator',
            body_model=dict(type='MANOModel', model_path=human_model_root),
            codec=codec(),
        )
    )
    assert isinstance(gen, BodyModelTargetGenerator)
    assert list(gen.body_models) == ['right', 'left']
    assert gen.body_models['left'].side == 'left'
    assert gen.state_dict() == {}


def test_missing_img2bb_trans_names_the_sample(smplx_gen):
    rng = np.random.default_rng(0)
    sample = make_sample(rng, smplx_params(rng), img_path='imgs/person.jpg')
    meta = dict(sample.metainfo)
    del meta['img2bb_trans']
    bad = MeshDataSample(metainfo=meta)
    bad.gt_params = sample.gt_params
    with pytest.raises(KeyError, match='imgs/person.jpg'):
        run(smplx_gen, [bad])


def test_unknown_gender_is_an_error(human_model_root):
    gen = BodyModelTargetGenerator(
        body_model=dict(type='SMPLModel', model_path=human_model_root),
        codec=codec(),
    )
    rng = np.random.default_rng(0)
    params = camera(
        rng,
        dict(
            body_pose=np.zeros((1, 69)),
            shape=np.zeros((1, 10)),
            gender=['female'],
        ),
        'none',
    )
    with pytest.raises(ValueError, match='female'):
        run(gen, [make_sample(rng, params)])


def test_no_params_adds_nothing(smplx_gen):
    rng = np.random.default_rng(0)
    samples = run(smplx_gen, [make_sample(rng), make_sample(rng)])
    assert all('gt_instances' not in s for s in samples)


# --------------------------------------------------- against the oracle
def test_smplx_matches_float64_reference(smplx_gen, smplx_ref_layers):
    rng = np.random.default_rng(1)
    masks = dict(
        rotation_mask=np.ones((1, 53)),
        coord_mask=np.ones((1, 137)),
        mask_trunc=np.array([True]),
    )
    for name in ('L_Ankle', 'R_Ankle', 'L_Wrist', 'R_Wrist'):
        masks['rotation_mask'][0, SMPLX_PARAM_JOINTS.index(name)] = 0
    masks['coord_mask'][0, 14:20] = 0  # feet
    specs = [
        dict(kw=dict(gender='neutral'), flip=False, rot=0.0),
        dict(
            kw=dict(gender='male', mode='Rt', hands=(False, True)),
            flip=True,
            rot=25.0,
        ),
        dict(
            kw=dict(gender='female', mode='Rt', face=None, big_beta=True),
            flip=False,
            rot=-40.0,
        ),
        dict(kw=dict(hands=(True, None), face=False), flip=True, rot=50.0),
        None,  # no gt_params
        dict(
            kw=dict(gender='male', mode='R'), flip=True, rot=-15.0, extra=masks
        ),
        dict(
            kw=dict(gender='female'),
            flip=True,
            rot=5.0,
            extra=dict(param_valid=np.array([False])),
        ),
        dict(
            kw=dict(gender='neutral', mode='t'),
            flip=False,
            rot=10.0,
            tensors=True,
        ),
    ]
    samples = []
    for i, spec in enumerate(specs):
        if spec is None:
            samples.append(make_sample(rng, img_path=f'{i}.jpg'))
            continue
        params = smplx_params(rng, **spec['kw'])
        params.update(spec.get('extra', {}))
        if spec.get('tensors'):
            params = {
                k: torch.as_tensor(v) if isinstance(v, np.ndarray) else v
                for k, v in params.items()
            }
        samples.append(
            make_sample(
                rng,
                params,
                spec['flip'],
                spec['rot'],
                scale=rng.uniform(0.8, 1.2),
                img_path=f'{i}.jpg',
            )
        )
    samples = run(smplx_gen, samples)
    assert assert_matches_reference(samples, smplx_ref_layers, 'smplx') == 7

    # every sample has the same keys; the one without params is all zeros
    keys = set(samples[0].gt_instances.keys())
    assert all(set(s.gt_instances.keys()) == keys for s in samples)
    for key in keys:
        assert not samples[4].gt_instances[key].any(), key
        assert not samples[6].gt_instances[key].any(), key  # param_valid
    gt = [s.gt_instances for s in samples]
    # parts / flips / masks really happened (the oracle could share a bug)
    assert gt[1].smplx_joint_valid[0, 45:65].sum() == 0  # lhand -> right
    assert gt[1].smplx_joint_valid[0, 25:45].all()
    assert gt[1].smplx_pose_valid[0, 37 * 3 : 52 * 3].sum() == 0
    assert gt[2].smplx_expr_valid[0] == 0 and gt[2].smplx_shape[0].sum() == 0
    assert gt[2].smplx_joint_valid[0, 65:].sum() == 0
    assert gt[3].smplx_pose_valid[0, 22 * 3 : 37 * 3].sum() == 0
    assert gt[5].smplx_joint_valid[0, 14:20].sum() == 0
    assert gt[5].smplx_pose_valid[0, 20 * 3 : 22 * 3].sum() == 0
    assert (gt[5].smplx_joint_trunc <= gt[5].smplx_joint_valid).all()
    assert gt[0].smplx_joint_trunc.sum() > 100  # mostly inside the crop
    assert gt[0].smplx_mesh_cam.shape == (1, 10475, 3)


def test_smpl_matches_float64_reference(human_model_root):
    # body_3d_size 1 m: the arms of the side view leave the depth range
    cfg = dict(
        input_img_shape=(256, 192), output_hm_shape=(8, 8, 6), body_3d_size=1.0
    )
    gen = BodyModelTargetGenerator(
        body_model=dict(type='SMPLModel', model_path=human_model_root),
        codec=codec(**cfg),
        genders=('neutral', 'male', 'female'),
    )
    layers = double_layers(gen.body_models)
    rng = np.random.default_rng(2)
    samples = []
    for i, (gender, mode, flip, rot) in enumerate(
        [
            ('neutral', 'none', False, 0.0),
            ('male', 'Rt', True, 30.0),
            ('female', 'none', True, -20.0),
            (None, 'Rt', False, 45.0),
            ('male', 'side', True, 10.0),
        ]
    ):
        params = camera(
            rng,
            dict(
                body_pose=rng.normal(0, 0.2, (1, 69)),
                shape=rng.normal(0, 1, (1, 10)),
            ),
            'none' if mode == 'side' else mode,
        )
        if mode == 'side':  # turned by 90 degrees about the vertical
            side_view = rotmat([0.0, np.pi / 2, 0.0]) @ rotmat(
                [2.75, 0.0, 0.0]
            )
            params['root_pose'] = cv2.Rodrigues(side_view)[0].reshape(1, 3)
            params['body_pose'][0, 45:] = 0  # arms stretched sideways
        if gender:
            params['gender'] = [gender]
        samples.append(
            make_sample(
                rng,
                params,
                flip,
                rot,
                input_img_shape=(256, 192),
                img_path=f'{i}.jpg',
            )
        )
    samples = run(gen, samples)
    assert assert_matches_reference(samples, layers, 'smpl', **cfg) == 5
    z = samples[4].gt_instances.smpl_joint_img[0, :, 2]
    assert (z >= 8).any() and (z < 0).any()
    assert samples[0].gt_instances.smpl_pose.shape == (1, 72)
    assert samples[0].gt_instances.smpl_joint_img.shape == (1, 33, 3)


def test_mano_matches_float64_reference(human_model_root):
    cfg = dict(
        input_img_shape=(256, 256), output_hm_shape=(8, 8, 8), hand_3d_size=0.3
    )
    gen = BodyModelTargetGenerator(
        body_model=dict(type='MANOModel', model_path=human_model_root),
        codec=codec(**cfg),
    )
    layers = double_layers(gen.body_models)
    rng = np.random.default_rng(3)
    samples = []
    for i, (side, mode, flip, rot) in enumerate(
        [
            ('right', 'none', False, 0.0),
            ('left', 'none', True, 20.0),
            (None, 'Rt', False, -30.0),
            ('left', 'Rt', True, 0.0),
        ]
    ):
        params = camera(
            rng,
            dict(
                hand_pose=rng.normal(0, 0.3, (1, 45)),
                shape=rng.normal(0, 1, (1, 10)),
            ),
            mode,
            depth=0.8,
        )
        if side:
            params['side'] = [side]
        bbox = joints_bbox(params, layers, 'mano')
        samples.append(
            make_sample(
                rng,
                params,
                flip,
                rot,
                bbox=bbox,
                input_img_shape=(256, 256),
                img_path=f'{i}.jpg',
            )
        )
    samples = run(gen, samples)
    assert assert_matches_reference(samples, layers, 'mano', **cfg) == 4
    gt = samples[1].gt_instances
    assert gt.mano_pose.shape == (1, 48) and gt.mano_joint_img.shape == (
        1,
        21,
        3,
    )
    assert gt.mano_mesh_cam.shape == (1, 778, 3)
    # the left hand really went through the left layer
    right = MeshDataSample(metainfo=samples[1].metainfo)
    right.gt_params = InstanceData(**dict(samples[1].gt_params.items()))
    right.gt_params.side = ['right']
    right = run(gen, [right])[0].gt_instances
    assert not torch.allclose(right.mano_mesh_cam, gt.mano_mesh_cam)


def test_flame_matches_float64_reference(human_model_root):
    cfg = dict(
        input_img_shape=(256, 192), output_hm_shape=(8, 8, 6), face_3d_size=0.3
    )
    gen = BodyModelTargetGenerator(
        body_model=dict(type='FLAMEModel', model_path=human_model_root),
        codec=codec(**cfg),
    )
    layers = double_layers(gen.body_models)
    rng = np.random.default_rng(4)
    samples = []
    for i, (mode, flip, rot, with_trans) in enumerate(
        [
            ('none', False, 0.0, True),
            ('none', True, 35.0, False),
            ('Rt', True, -25.0, True),
        ]
    ):
        params = camera(
            rng,
            dict(
                jaw_pose=rng.normal(0, 0.2, (1, 3)),
                shape=rng.normal(0, 1, (1, 10)),
                expr=rng.normal(0, 1, (1, 10)),
            ),
            mode,
            depth=1.0,
        )
        if not with_trans:
            params['root_pose'] = params['root_pose'] + 0.1
            del params['trans']
            params['cam_R'] = rotmat([0.1, 0.2, 0.0])[None]
            params['cam_t'] = np.array([[0.0, 0.0, 1.0]])
        bbox = joints_bbox(params, layers, 'flame', margin=1.2)
        bbox[2] *= 0.75  # crop aspect 192/256
        bbox[0] += bbox[2] / 6
        samples.append(
            make_sample(
                rng,
                params,
                flip,
                rot,
                bbox=bbox,
                input_img_shape=(256, 192),
                img_path=f'{i}.jpg',
            )
        )
    samples = run(gen, samples)
    assert assert_matches_reference(samples, layers, 'flame', **cfg) == 3
    gt = samples[0].gt_instances
    assert gt.flame_root_pose.shape == (1, 3)
    assert gt.flame_jaw_pose_valid.shape == (1,)
    assert gt.flame_joint_cam_orig.shape == (1, 73, 3)
    assert 'flame_pose' not in gt


# ---------------------------------------------------- flip consistency
def test_flip_mirrors_the_targets(smplx_gen):
    """generate_patch_image: flip with rot r = mirror of no flip with -r,
    so the targets must be the mirrored ones with left/right swapped."""
    rng = np.random.default_rng(5)
    params = smplx_params(rng, 'male', mode='Rt', hands=(False, True))
    bbox = np.array([180.0, 150.0, 450.0, 600.0])
    plain = make_sample(rng, params, False, -20.0, 1.1, bbox=bbox)
    flipped = make_sample(rng, params, True, 20.0, 1.1, bbox=bbox)
    a, b = [s.gt_instances for s in run(smplx_gen, [plain, flipped])]
    perm = SMPLX_JOINTS.flip_permutation()
    pperm = SMPLX_PARAM_JOINTS.flip_permutation()
    mirror = torch.tensor([-1.0, 1.0, 1.0])

    img_a, img_b = a.smplx_joint_img[0], b.smplx_joint_img[0, perm]
    torch.testing.assert_close(img_b[:, 0], 6 - img_a[:, 0], atol=1e-4, rtol=0)
    torch.testing.assert_close(img_b[:, 1:], img_a[:, 1:], atol=1e-4, rtol=0)
    torch.testing.assert_close(
        b.smplx_joint_cam[0, perm],
        a.smplx_joint_cam[0] * mirror,
        atol=1e-6,
        rtol=0,
    )
    torch.testing.assert_close(
        b.smplx_joint_valid[0, perm], a.smplx_joint_valid[0]
    )
    pose_a = a.smplx_pose[0].reshape(53, 3)
    pose_b = b.smplx_pose[0].reshape(53, 3)[pperm]
    torch.testing.assert_close(
        pose_b, pose_a * torch.tensor([1.0, -1.0, -1.0]), atol=1e-5, rtol=0
    )
    # the invalid left hand of the fit is the right hand of the flip
    assert a.smplx_joint_valid[0, 25:45].sum() == 0
    assert b.smplx_joint_valid[0, 45:65].sum() == 0
    assert b.smplx_joint_valid[0, 25:45].all()
    torch.testing.assert_close(a.smplx_mesh_cam, b.smplx_mesh_cam)


def test_device_follows_the_module(smplx_gen):
    """Targets are created on the generator's device (CPU here; the
    same code runs on CUDA, see the benchmark tool)."""
    rng = np.random.default_rng(6)
    out = run(smplx_gen, [make_sample(rng, smplx_params(rng))])
    assert out[0].gt_instances.smplx_pose.device == smplx_gen.device


# ------------------------------------------------------- composition
def test_preprocessor_plugin_subclass_keeps_targets(human_model_root):
    """The estimator owns the target generator, so a plugin subclass of
    MeshDataPreprocessor (which only batches images) still gets the
    body-model targets."""
    calls = []

    @MODELS.register_module(force=True)
    class MyPreprocessor(MeshDataPreprocessor):
        def forward(self, data, training=False):
            calls.append(training)
            return super().forward(data, training)

    model = build(
        human_model_root,
        light=True,
        data_preprocessor=dict(type='MyPreprocessor'),
    )
    assert type(model.data_preprocessor) is MyPreprocessor
    assert isinstance(model.target_generator, BodyModelTargetGenerator)
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=1e-4))
    log_vars = model.train_step(get_packed_inputs(2), optim)
    assert calls == [True]
    assert 'loss_smplx_joint_img' in log_vars
    assert all(torch.isfinite(v) for v in log_vars.values())

    packed = get_packed_inputs(2)
    assert 'smplx_joint_img' not in packed['data_samples'][0].gt_instances
    data = model.data_preprocessor(packed, True)
    losses = model(**data, mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())
    gt = data['data_samples'][0].gt_instances
    assert gt.smplx_joint_img.shape == (1, 137, 3)
    assert gt.smplx_pose.shape == (1, 159)


def test_benchmark_tool_runs(human_model_root, capsys):
    module = load_tool('analysis_tools/benchmark_target_generator.py')
    rows = module.main(
        [
            '--model-path',
            human_model_root,
            '--batch-sizes',
            '1',
            '3',
            '--iters',
            '1',
            '--genders',
            'neutral',
        ]
    )
    assert [r['batch'] for r in rows] == [1, 3]
    assert all(r['ms_per_sample'] > 0 for r in rows)
    assert 'ms/sample' in capsys.readouterr().out
