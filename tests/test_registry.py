import glob
import importlib
import os.path as osp

import mmengine.registry as mm_registry
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

import h4w.registry as registry
from h4w.registry import MODELS, RUNNERS

from tests.conftest import REPO_ROOT

#: h4w's own registries: no mmengine counterpart, hence no parent.
ROOTLESS = ('KEYPOINT_CODECS', 'PERSON_DETECTORS')


@pytest.mark.parametrize('name', registry.__all__)
def test_registry_has_mmengine_parent_and_locations(name):
    reg = getattr(registry, name)
    if name in ROOTLESS:
        assert reg.parent is None
    else:
        assert reg.parent is getattr(mm_registry, name)
    assert reg.scope == 'h4w'
    for location in reg._locations:  # each one must import
        assert location.startswith('h4w.')
        importlib.import_module(location)


def test_runtime_base_settings():
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/_base_/default_runtime.py')
    )
    assert cfg.default_scope == 'h4w'
    assert cfg.runner_type == 'H4WRunner'
    backends = [b['type'] for b in cfg.visualizer.vis_backends]
    assert backends == ['LocalVisBackend', 'TensorboardVisBackend']
    assert cfg.default_hooks.checkpoint.rule == 'less'


@pytest.mark.parametrize(
    'config',
    sorted(glob.glob(osp.join(REPO_ROOT, 'configs/**/*.py'), recursive=True)),
)
def test_every_config_loads(config):
    cfg = Config.fromfile(config)
    assert cfg.get('default_scope', 'h4w') == 'h4w'


def test_lazy_locations_find_h4w_modules():
    init_default_scope('h4w')
    assert RUNNERS.get('H4WRunner').__name__ == 'H4WRunner'
    for name in ('SMPLXModel', 'SMPLModel', 'MANOModel', 'FLAMEModel'):
        assert MODELS.get(name).__name__ == name
    # mmengine modules are still reachable from the h4w scope
    assert registry.MODEL_WRAPPERS.get('MMDistributedDataParallel')
    assert registry.OPTIMIZERS.get('Adam').__name__ == 'Adam'


def test_quickstart_config_builds_through_registries(human_model_root):
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/quickstart/pose_lifter_smoke.py')
    )
    cfg.model.body_model.model_path = human_model_root
    init_default_scope('h4w')
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'BodyPoseLifter'
    assert type(model.body_model).__name__ == 'SMPLXModel'
    dataset = registry.DATASETS.build(cfg.train_dataloader.dataset)
    assert len(dataset) == cfg.train_dataloader.dataset.num_samples
    metric = registry.METRICS.build(cfg.val_evaluator)
    assert metric.prefix == 'smoke'
