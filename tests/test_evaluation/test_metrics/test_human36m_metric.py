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
)

EVAL_JOINTS = [1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 13, 14, 15, 16]


def body_cfg(root, kind):
    if kind == 'smplx':
        return dict(
            type='SMPLXModel',
            model_path=root,
            h36m_regressor_file='smplx/J_regressor_h36m_smplx.npy',
        )
    return dict(
        type='SMPLModel',
        model_path=root,
        h36m_regressor_file='smpl/J_regressor_h36m_smpl.npy',
    )


@pytest.fixture(scope='module')
def models(human_model_root):
    """Per body model: the metric, its H36M regressor and two meshes."""
    init_default_scope('h4w')
    out = {}
    for kind in ('smplx', 'smpl'):
        cfg = body_cfg(human_model_root, kind)
        model = MODELS.build(cfg)
        rng = np.random.default_rng(0)
        with torch.no_grad():
            meshes = model(
                betas=torch.as_tensor(
                    rng.normal(size=(2, 10)), dtype=torch.float32
                ),
                global_orient=torch.as_tensor(
                    rng.normal(scale=0.3, size=(2, 3)), dtype=torch.float32
                ),
            )['vertices'].numpy()
        metric = METRICS.build(
            dict(
                type='Human36MMetric',
                body_model=cfg,
                pred_key=f'{kind}_mesh_cam',
            )
        )
        out[kind] = dict(
            metric=metric,
            key=f'{kind}_mesh_cam',
            H=model.h36m_regressor.numpy().astype(np.float64),
            meshes=meshes.astype(np.float32).astype(np.float64),
        )
    return out


def gt_joints(H, mesh):
    joints = H @ mesh
    return (joints - joints[0]).astype(np.float32).astype(np.float64)


def run(entry, preds, gts):
    samples = [
        make_sample(gt=dict(keypoints_cam=g), pred={entry['key']: p})
        for p, g in zip(preds, gts)
    ]
    for sample in samples:
        entry['metric'].process({}, [sample])
    return entry['metric'].evaluate(len(samples))


@pytest.mark.parametrize('kind', ['smplx', 'smpl'])
def test_exact_prediction_and_translation(models, kind):
    entry = models[kind]
    gts = [gt_joints(entry['H'], m) for m in entry['meshes']]
    metrics = run(entry, list(entry['meshes']), gts)
    assert list(metrics) == ['H36M/MPJPE', 'H36M/PA-MPJPE']
    np.testing.assert_allclose(list(metrics.values()), 0, atol=1e-3)
    # A translated mesh is root-relative, so it scores 0 too.
    moved = [m + np.array([1.0, 2.0, 3.0]) for m in entry['meshes']]
    metrics = run(entry, moved, gts)
    np.testing.assert_allclose(list(metrics.values()), 0, atol=1e-3)


def test_known_joint_offset(models):
    """One evaluated joint off by 14 mm: MPJPE = 14 mm / 14 joints."""
    entry = models['smplx']
    mesh = entry['meshes'][0]
    gt = gt_joints(entry['H'], mesh)
    gt[EVAL_JOINTS[3]] += np.array([0.0, 0.014, 0.0])
    metrics = run(entry, [mesh], [gt])
    assert metrics['H36M/MPJPE'] == pytest.approx(1.0, abs=1e-3)
    joints = entry['H'] @ mesh
    joints = joints - joints[0]
    expected = 1000 * pa_error(joints[EVAL_JOINTS], gt[EVAL_JOINTS])
    assert metrics['H36M/PA-MPJPE'] == pytest.approx(expected, abs=1e-4)
    assert expected > 0.1
    # The root is not evaluated but anchors the root-relative joints.
    gt = gt_joints(entry['H'], mesh)
    gt[7] += 0.5  # joint 7 (spine) is not among the evaluated joints
    metrics = run(entry, [mesh], [gt])
    np.testing.assert_allclose(list(metrics.values()), 0, atol=1e-3)


def test_noisy_prediction_matches_reference(models):
    entry = models['smplx']
    rng = np.random.default_rng(5)
    preds, gts, refs = [], [], []
    for mesh in entry['meshes']:
        gt = gt_joints(entry['H'], mesh)
        # The dataset may give GT that is not exactly root-relative.
        gt_in = gt + np.array([0.2, 0.1, 4.0])
        pred = mesh + rng.normal(scale=0.02, size=mesh.shape)
        pred = pred.astype(np.float32).astype(np.float64)
        joints = entry['H'] @ pred
        joints = joints - joints[0]
        gt_rel = gt_in - gt_in[0]
        refs.append(
            (
                mean_distance(joints[EVAL_JOINTS], gt_rel[EVAL_JOINTS]),
                pa_error(joints[EVAL_JOINTS], gt_rel[EVAL_JOINTS]),
            )
        )
        preds.append(pred)
        gts.append(gt_in)
    metrics = run(entry, preds, gts)
    expected = 1000 * np.mean(refs, axis=0)
    assert abs(metrics['H36M/MPJPE'] - expected[0]) < 1e-4
    assert abs(metrics['H36M/PA-MPJPE'] - expected[1]) < 1e-4
    assert expected[0] > expected[1] > 0.1
