import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

import h4w.evaluation  # noqa: F401 (registers the metrics)
from h4w.registry import METRICS, MODELS

from tests.test_evaluation.eval_reference import (
    make_sample,
    mean_distance,
    pa_error,
    random_rotation,
    rodrigues,
)

EHF_ROTATION = [-2.98747896, 0.01172457, -0.05704687]
ALL_KEYS = [
    'PA-MPVPE_all',
    'PA-MPVPE_hands',
    'PA-MPVPE_face',
    'MPVPE_all',
    'MPVPE_hands',
    'MPVPE_face',
    'PA-MPJPE_body',
    'PA-MPJPE_hands',
]


def smplx_cfg(root):
    return dict(
        type='SMPLXModel',
        model_path=root,
        h36m_regressor_file='smplx/J_regressor_h36m_smplx.npy',
    )


@pytest.fixture(scope='module')
def smplx(human_model_root):
    """Reference arrays and a posed GT mesh of the synthetic SMPL-X."""
    init_default_scope('h4w')
    model = MODELS.build(smplx_cfg(human_model_root))
    rng = np.random.default_rng(0)
    with torch.no_grad():
        mesh = model(
            body_pose=torch.as_tensor(
                rng.normal(scale=0.2, size=(2, 63)), dtype=torch.float32
            ),
            betas=torch.as_tensor(
                rng.normal(size=(2, 10)), dtype=torch.float32
            ),
        )['vertices'].numpy()
    arrays = {
        name: getattr(model, name).numpy().astype(np.float64)
        for name in ('j14_regressor', 'lhand_regressor', 'rhand_regressor')
    }
    arrays['J'] = model.layer.J_regressor.numpy().astype(np.float64)
    for name in ('lhand_vertex_ids', 'rhand_vertex_ids', 'face_vertex_ids'):
        arrays[name] = getattr(model, name).numpy()
    arrays['meshes'] = mesh.astype(np.float64)
    return arrays


@pytest.fixture(scope='module')
def ehf_metric(human_model_root):
    init_default_scope('h4w')
    return METRICS.build(
        dict(
            type='WholeBodyMeshMetric',
            body_model=smplx_cfg(human_model_root),
            gt_rotation=EHF_ROTATION,
            with_joints=True,
            prefix='EHF',
        )
    )


@pytest.fixture(scope='module')
def agora_metric(human_model_root):
    init_default_scope('h4w')
    return METRICS.build(
        dict(
            type='WholeBodyMeshMetric',
            body_model=smplx_cfg(human_model_root),
            prefix='AGORA',
        )
    )


def f32(x):
    return np.asarray(x, np.float32).astype(np.float64)


def run(metric, pairs):
    """Feed (pred, gt) mesh pairs in two batches and evaluate."""
    samples = [
        make_sample(gt=dict(smplx_mesh_cam=g), pred=dict(smplx_mesh_cam=p))
        for p, g in pairs
    ]
    metric.process({}, samples[:1])
    metric.process({}, samples[1:])
    return metric.evaluate(len(samples))


def reference_errors(pred, gt, arrays, with_joints):
    """Spec §6.2, written out per part."""
    J = arrays['J']
    out = {}
    left, right = arrays['lhand_vertex_ids'], arrays['rhand_vertex_ids']
    face = arrays['face_vertex_ids']
    out['PA-MPVPE_all'] = pa_error(pred, gt)
    out['PA-MPVPE_hands'] = (
        pa_error(pred[left], gt[left]) + pa_error(pred[right], gt[right])
    ) / 2
    out['PA-MPVPE_face'] = pa_error(pred[face], gt[face])

    def shifted(ids, row):
        return pred[ids] - J[row] @ pred + J[row] @ gt

    out['MPVPE_all'] = mean_distance(shifted(slice(None), 0), gt)
    out['MPVPE_hands'] = (
        mean_distance(shifted(left, 20), gt[left])
        + mean_distance(shifted(right, 21), gt[right])
    ) / 2
    out['MPVPE_face'] = mean_distance(shifted(face, 12), gt[face])
    if with_joints:
        j14 = arrays['j14_regressor']
        out['PA-MPJPE_body'] = pa_error(j14 @ pred, j14 @ gt)
        out['PA-MPJPE_hands'] = np.mean(
            [
                pa_error(arrays[k] @ pred, arrays[k] @ gt)
                for k in ('lhand_regressor', 'rhand_regressor')
            ]
        )
    return out


def test_key_order_and_prefix(ehf_metric, agora_metric, smplx):
    gt = f32(smplx['meshes'][0])
    ehf = run(ehf_metric, [(gt, gt), (gt, gt)])
    assert list(ehf) == [f'EHF/{k}' for k in ALL_KEYS]
    agora = run(agora_metric, [(gt, gt), (gt, gt)])
    assert list(agora) == [f'AGORA/{k}' for k in ALL_KEYS[:6]]
    np.testing.assert_allclose(list(agora.values()), 0, atol=1e-6)


def test_rotated_gt(ehf_metric, agora_metric, smplx):
    """EHF rotates the GT mesh (R G): a prediction equal to R G scores 0
    everywhere, and the unrotated GT only scores 0 after Procrustes."""
    R = rodrigues(EHF_ROTATION)
    meshes = [f32(m) for m in smplx['meshes']]
    pairs = [(f32(m @ R.T), m) for m in meshes]
    metrics = run(ehf_metric, pairs)
    np.testing.assert_allclose(list(metrics.values()), 0, atol=1e-4)
    metrics = run(ehf_metric, [(m, m) for m in meshes])
    for key in ALL_KEYS:
        value = metrics[f'EHF/{key}']
        if key.startswith('PA'):
            assert value < 1e-4, key
        else:
            assert value > 10, key  # mm


def test_translation_is_removed(agora_metric, smplx):
    gt = f32(smplx['meshes'][1])
    pred = f32(gt + np.array([0.3, -0.2, 5.0]))
    metrics = run(agora_metric, [(pred, gt), (pred, gt)])
    np.testing.assert_allclose(list(metrics.values()), 0, atol=1e-3)


def test_noisy_prediction_matches_reference(ehf_metric, smplx):
    rng = np.random.default_rng(1)
    R_ehf = rodrigues(EHF_ROTATION)
    pairs, refs = [], []
    for mesh in smplx['meshes']:
        gt = f32(mesh)
        pred = 1.05 * gt @ random_rotation(rng).T + np.array([0.1, 0, 3.0])
        pred = f32(pred + rng.normal(scale=0.01, size=gt.shape))
        pairs.append((pred, gt))
        refs.append(
            reference_errors(pred, gt @ R_ehf.T, smplx, with_joints=True)
        )
    metrics = run(ehf_metric, pairs)
    for key in ALL_KEYS:
        expected = 1000 * np.mean([r[key] for r in refs])
        assert abs(metrics[f'EHF/{key}'] - expected) < 1e-6, key
        assert expected > 1  # a real error, not a trivial zero


def test_only_hand_noise(agora_metric, smplx):
    """Noise on the left-hand vertices only changes the hand scores (the
    mean of left and right) and the all-vertex scores."""
    rng = np.random.default_rng(2)
    gt = f32(smplx['meshes'][0])
    pred = gt.copy()
    left = smplx['lhand_vertex_ids']
    pred[left] += rng.normal(scale=0.005, size=(len(left), 3))
    pred = f32(pred)
    metrics = run(agora_metric, [(pred, gt), (pred, gt)])
    assert metrics['AGORA/PA-MPVPE_face'] < 1e-4
    expected = 1000 * pa_error(pred[left], gt[left]) / 2
    assert abs(metrics['AGORA/PA-MPVPE_hands'] - expected) < 1e-6
    assert metrics['AGORA/PA-MPVPE_hands'] > 1


def test_parts_and_alignments(human_model_root, smplx):
    metric = METRICS.build(
        dict(
            type='WholeBodyMeshMetric',
            body_model=smplx_cfg(human_model_root),
            parts=('face', 'all'),
            alignments=('translation',),
        )
    )
    # Only what is needed is taken from the model.
    assert metric.body_arrays_needed == (
        'layer.J_regressor',
        'face_vertex_ids',
    )
    metric.results.append({'MPVPE_all': 0.001, 'MPVPE_face': 0.002})
    metrics = metric.evaluate(1)
    assert list(metrics) == ['WholeBody/MPVPE_all', 'WholeBody/MPVPE_face']
    assert metrics['WholeBody/MPVPE_face'] == pytest.approx(2.0)
    with pytest.raises(ValueError, match='parts'):
        METRICS.build(
            dict(type='WholeBodyMeshMetric', body_model={}, parts=('leg',))
        )
    with pytest.raises(ValueError, match='alignments'):
        METRICS.build(
            dict(
                type='WholeBodyMeshMetric', body_model={}, alignments=('none',)
            )
        )


def test_missing_prediction_key(agora_metric, smplx):
    gt = f32(smplx['meshes'][0])
    with pytest.raises(KeyError, match='smplx_mesh_cam'):
        agora_metric.process(
            {},
            [
                make_sample(
                    gt=dict(smplx_mesh_cam=gt), pred=dict(smpl_mesh_cam=gt)
                )
            ],
        )


def test_person_without_fit_is_refused(agora_metric, smplx):
    """A zero GT mesh (no fit) is an error naming the image, not a 0 mm
    score."""
    sample = make_sample(
        gt=dict(smplx_mesh_cam=np.zeros_like(smplx['meshes'][0])),
        pred=dict(smplx_mesh_cam=f32(smplx['meshes'][0])),
        img_path='images/person_without_fit.jpg',
    )
    with pytest.raises(ValueError, match='person_without_fit.jpg.*no fit'):
        agora_metric.process({}, [sample])
