import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

import h4w.evaluation  # noqa: F401 (registers the metrics)
from h4w.registry import METRICS, MODELS

from tests.test_evaluation.eval_reference import make_sample


@pytest.fixture(scope='module')
def mano(human_model_root):
    """MANO outputs of four random hands (mesh and 21 joints, camera frame
    with a translation)."""
    init_default_scope('h4w')
    cfg = dict(type='MANOModel', model_path=human_model_root)
    model = MODELS.build(cfg)
    rng = np.random.default_rng(0)
    with torch.no_grad():
        out = model(
            hand_pose=torch.as_tensor(
                rng.normal(scale=0.3, size=(4, 45)), dtype=torch.float32
            ),
            betas=torch.as_tensor(
                rng.normal(size=(4, 10)), dtype=torch.float32
            ),
        )
    trans = rng.normal(size=(4, 1, 3)) + np.array([0, 0, 1.0])
    meshes = (out['vertices'].numpy() + trans).astype(np.float32)
    joints = out['joints'].numpy() + trans
    return cfg, meshes, joints


def build(cfg, out_dir):
    return METRICS.build(
        dict(type='FreiHANDDumpMetric', body_model=cfg, out_dir=out_dir)
    )


def test_pred_json(mano, tmp_path):
    cfg, meshes, joints = mano
    out_dir = tmp_path / 'result' / 'FreiHAND'  # does not exist yet
    metric = build(cfg, str(out_dir))
    order = [2, 0, 3, 1]  # e.g. what two ranks collect, interleaved
    samples = [
        make_sample(pred=dict(mano_mesh_cam=meshes[i]), sample_idx=i)
        for i in order
    ]
    metric.process({}, samples[:2])
    metric.process({}, samples[2:])
    assert metric.evaluate(4) == {}

    with open(out_dir / 'pred.json') as f:
        pred = json.load(f)
    assert isinstance(pred, list) and len(pred) == 2
    xyz, verts = np.array(pred[0]), np.array(pred[1])
    assert xyz.shape == (4, 21, 3) and verts.shape == (4, 778, 3)
    # Dataset order, whatever the processing order.
    np.testing.assert_allclose(verts, meshes, atol=1e-7)
    # Joints = the MANO 21-joint regression of each predicted mesh.
    np.testing.assert_allclose(xyz, joints, atol=1e-5)


def test_duplicate_sample_rejected(mano, tmp_path):
    cfg, meshes, _ = mano
    metric = build(cfg, str(tmp_path))
    metric.process(
        {},
        [
            make_sample(pred=dict(mano_mesh_cam=meshes[0]), sample_idx=0),
            make_sample(pred=dict(mano_mesh_cam=meshes[1]), sample_idx=0),
        ],
    )
    with pytest.raises(ValueError, match='sample_idx'):
        metric.evaluate(2)


def test_default_folder_is_the_log_folder(mano, tmp_path):
    cfg, meshes, _ = mano
    name = 'test_freihand_dump_metric'
    log_file = tmp_path / 'work_dir' / '20240101_000000' / 'run.log'
    log_file.parent.mkdir(parents=True)
    logger = MMLogger.get_instance(name, log_file=str(log_file))
    try:
        metric = build(cfg, None)
        metric.process(
            {}, [make_sample(pred=dict(mano_mesh_cam=meshes[0]), sample_idx=0)]
        )
        metric.evaluate(1)
        assert osp.isfile(log_file.parent / 'pred.json')
        with open(log_file) as f:
            assert str(log_file.parent / 'pred.json') in f.read()
    finally:
        for handler in logger.handlers:
            handler.close()
        MMLogger._instance_dict.pop(name)
