"""Every config loads, and every registered type it names exists."""

import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from h4w.registry import DATASETS, METRICS, MODELS, TRANSFORMS

from tests.conftest import REPO_ROOT

CONFIGS = sorted(
    osp.relpath(path, REPO_ROOT)
    for path in glob.glob(
        osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True
    )
)


def _types(node, registry, out):
    """(registry, type) of every dict with a ``type`` under ``node``."""
    if isinstance(node, dict):
        if isinstance(node.get('type'), str):
            out.append((registry, node['type']))
        for key, value in node.items():
            child = registry
            if key in ('pipeline',):
                child = TRANSFORMS
            elif key in ('dataset', 'datasets', 'datasets_3d', 'datasets_2d'):
                child = DATASETS
            _types(value, child, out)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _types(value, registry, out)
    return out


@pytest.mark.parametrize('path', CONFIGS)
def test_config_loads_and_names_registered_types(path):
    init_default_scope('h4w')
    cfg = Config.fromfile(osp.join(REPO_ROOT, path))
    found = []
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key):
            _types(cfg[key].get('dataset'), DATASETS, found)
    for key in ('val_evaluator', 'test_evaluator'):
        if cfg.get(key):
            _types(cfg[key], METRICS, found)
    if cfg.get('model'):
        found.append((MODELS, cfg.model.type))
    for registry, name in found:
        if registry is METRICS and name in (
            'SMPLXModel',
            'SMPLModel',
            'MANOModel',
            'FLAMEModel',
        ):
            registry = MODELS  # a metric's body model
        assert registry.get(name) is not None, f'{path}: {name}'


def test_benchmark_and_recipe_configs_exist():
    names = set(CONFIGS)
    for path in (
        'configs/hand4whole/hand4whole_res50_test_ehf.py',
        'configs/hand4whole/hand4whole_res50_test_agora.py',
        'configs/hand4whole/hand4whole_res50_test_h36m.py',
        'configs/pose2pose/pose2pose_body_res50_test_pw3d.py',
        'configs/pose2pose/pose2pose_hand_res50_test_freihand.py',
        'configs/hand4whole/stage1_h36m_mpii_coco.py',
    ):
        assert path in names


def test_humandata_mix_keeps_the_stage1_sets():
    init_default_scope('h4w')
    stage1 = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/hand4whole/stage1_h36m_mpii_coco.py')
    )
    mixed = Config.fromfile(
        osp.join(
            REPO_ROOT, 'configs/hand4whole/stage1_h36m_mpii_coco_humandata.py'
        )
    )
    base, mix = stage1.train_dataloader.dataset, mixed.train_dataloader.dataset
    assert mix.datasets_3d == base.datasets_3d
    assert mix.datasets_2d[:-1] == base.datasets_2d
    assert mix.datasets_2d[-1].type == 'HumanDataDataset'
    assert mix.datasets_2d[-1].pipeline == base.datasets_2d[0].pipeline
