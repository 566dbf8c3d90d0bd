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
)

EVAL_JOINTS = [1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 13, 14, 15, 16]
KEYS = ['MPJPE', 'PA-MPJPE', 'MPVPE', 'PA-MPVPE']


@pytest.fixture(scope='module')
def smpl(human_model_root):
    init_default_scope('h4w')
    cfg = dict(
        type='SMPLModel',
        model_path=human_model_root,
        h36m_regressor_file='smpl/J_regressor_h36m_smpl.npy',
    )
    model = MODELS.build(cfg)
    rng = np.random.default_rng(0)
    with torch.no_grad():
        meshes = model(
            betas=torch.as_tensor(
                rng.normal(size=(3, 10)), dtype=torch.float32
            ),
            body_pose=torch.as_tensor(
                rng.normal(scale=0.2, size=(3, 69)), dtype=torch.float32
            ),
        )['vertices'].numpy()
    return dict(
        metric=METRICS.build(dict(type='PW3DMetric', body_model=cfg)),
        H=model.h36m_regressor.numpy().astype(np.float64),
        meshes=meshes.astype(np.float32).astype(np.float64),
    )


def run(metric, preds, gts):
    samples = [
        make_sample(gt=dict(smpl_mesh_cam=g), pred=dict(smpl_mesh_cam=p))
        for p, g in zip(preds, gts)
    ]
    metric.process({}, samples[:2])
    metric.process({}, samples[2:])
    return metric.evaluate(len(samples))


def reference(pred, gt, H):
    """Spec §6.5 3DPW, written out."""
    jp, jg = H @ pred, H @ gt
    pred_c, gt_c = pred - jp[0], gt - jg[0]
    jp, jg = (jp - jp[0])[EVAL_JOINTS], (jg - jg[0])[EVAL_JOINTS]
    return [
        mean_distance(jp, jg),
        pa_error(jp, jg),
        mean_distance(pred_c, gt_c),
        pa_error(pred_c, gt_c),
    ]


def test_key_order_and_zero(smpl):
    meshes = list(smpl['meshes'])
    metrics = run(smpl['metric'], meshes, meshes)
    assert list(metrics) == [f'3DPW/{k}' for k in KEYS]
    np.testing.assert_allclose(list(metrics.values()), 0, atol=1e-3)
    moved = [m + np.array([0.5, -1.0, 2.0]) for m in meshes]
    metrics = run(smpl['metric'], moved, meshes)
    np.testing.assert_allclose(list(metrics.values()), 0, atol=1e-3)


def test_scaled_prediction(smpl):
    """A prediction scaled about its H36M root: PA scores 0, the others
    equal (s - 1) times the root-relative distances."""
    s = 1.1
    preds, refs = [], []
    for mesh in smpl['meshes']:
        root = (smpl['H'] @ mesh)[0]
        pred = (root + s * (mesh - root)).astype(np.float32)
        preds.append(pred.astype(np.float64))
        joints = smpl['H'] @ mesh
        refs.append(
            [
                (s - 1)
                * np.linalg.norm(
                    joints[EVAL_JOINTS] - joints[0], axis=1
                ).mean(),
                (s - 1) * np.linalg.norm(mesh - root, axis=1).mean(),
            ]
        )
    metrics = run(smpl['metric'], preds, list(smpl['meshes']))
    expected = 1000 * np.mean(refs, axis=0)
    assert metrics['3DPW/MPJPE'] == pytest.approx(expected[0], abs=1e-3)
    assert metrics['3DPW/MPVPE'] == pytest.approx(expected[1], abs=1e-3)
    assert metrics['3DPW/PA-MPJPE'] < 1e-3
    assert metrics['3DPW/PA-MPVPE'] < 1e-3
    assert expected.min() > 1


def test_noisy_prediction_matches_reference(smpl):
    rng = np.random.default_rng(3)
    preds, refs = [], []
    for mesh in smpl['meshes']:
        pred = mesh @ random_rotation(rng).T * 0.9 + np.array([0, 0, 2.0])
        pred = pred + rng.normal(scale=0.01, size=mesh.shape)
        pred = pred.astype(np.float32).astype(np.float64)
        preds.append(pred)
        refs.append(reference(pred, mesh, smpl['H']))
    metrics = run(smpl['metric'], preds, list(smpl['meshes']))
    expected = 1000 * np.mean(refs, axis=0)
    for key, value in zip(KEYS, expected):
        assert abs(metrics[f'3DPW/{key}'] - value) < 1e-6, key
        assert value > 1
