"""Flag parsing of tools/train.py and tools/test.py (no training here)."""

import os.path as osp

import pytest
import torch
from mmengine.config import Config

from tests.conftest import REPO_ROOT, load_tool

CONFIG = osp.join(REPO_ROOT, 'configs/quickstart/pose_lifter_smoke.py')

train_tool = load_tool('train.py')
test_tool = load_tool('test.py')


def train_cfg(*argv):
    args = train_tool.parse_args([CONFIG, *argv])
    return train_tool.merge_args(Config.fromfile(CONFIG), args)


def test_train_defaults():
    cfg = train_cfg()
    assert cfg.work_dir == './work_dirs/pose_lifter_smoke'
    assert cfg.launcher == 'none'
    assert cfg.resume is False and cfg.load_from is None


def test_train_resume_forms():
    cfg = train_cfg('--resume')
    assert cfg.resume is True and cfg.load_from is None
    cfg = train_cfg('--resume', 'work_dirs/x/epoch_2.pth')
    assert cfg.resume is True and cfg.load_from == 'work_dirs/x/epoch_2.pth'


def test_train_overrides():
    cfg = train_cfg(
        '--work-dir',
        '/tmp/wd',
        '--launcher',
        'pytorch',
        '--cfg-options',
        'train_cfg.max_epochs=7',
        'optim_wrapper.optimizer.lr=0.5',
        '--no-validate',
        '--auto-scale-lr',
    )
    assert cfg.work_dir == '/tmp/wd'
    assert cfg.launcher == 'pytorch'
    assert cfg.train_cfg.max_epochs == 7
    assert cfg.optim_wrapper.optimizer.lr == 0.5
    assert cfg.val_dataloader is None and cfg.val_cfg is None
    assert cfg.auto_scale_lr.enable is True


def test_train_rejects_bad_launcher(capsys):
    with pytest.raises(SystemExit):
        train_tool.parse_args([CONFIG, '--launcher', 'mpi'])
    assert 'invalid choice' in capsys.readouterr().err


def test_auto_scale_lr_needs_base_batch_size():
    args = train_tool.parse_args([CONFIG, '--auto-scale-lr'])
    cfg = Config.fromfile(CONFIG)
    cfg.pop('auto_scale_lr')
    with pytest.raises(SystemExit, match='base_batch_size'):
        train_tool.merge_args(cfg, args)


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the CPU path')
def test_amp_without_cuda_is_a_clear_error():
    with pytest.raises(SystemExit, match='--amp needs a CUDA device'):
        train_cfg('--amp')


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_amp_switches_optim_wrapper():
    cfg = train_cfg('--amp')
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'bfloat16'


def test_show_dir_needs_visualization_hook():
    cfg = Config.fromfile(CONFIG)
    del cfg.default_hooks['visualization']
    args = train_tool.parse_args([CONFIG, '--show-dir', 'vis'])
    with pytest.raises(SystemExit, match='visualization'):
        train_tool.merge_args(cfg, args)
    cfg = Config.fromfile(CONFIG)
    cfg.default_hooks.visualization = dict(
        type='SomeVisualizationHook', enable=False
    )
    cfg = train_tool.merge_args(cfg, args)
    assert cfg.default_hooks.visualization.enable is True
    assert cfg.default_hooks.visualization.out_dir == 'vis'


def test_test_tool_flags():
    args = test_tool.parse_args(
        [CONFIG, 'ckpt.pth', '--out', 'res.pkl', '--work-dir', '/tmp/t']
    )
    cfg = test_tool.merge_args(Config.fromfile(CONFIG), args)
    assert cfg.load_from == 'ckpt.pth'
    assert cfg.work_dir == '/tmp/t'
    assert cfg.test_evaluator[-1] == dict(
        type='DumpResults', out_file_path='res.pkl'
    )
    assert cfg.test_evaluator[0].type == 'JointErrorMetric'


def test_test_tool_rejects_non_pickle_out():
    args = test_tool.parse_args([CONFIG, 'ckpt.pth', '--out', 'res.json'])
    with pytest.raises(ValueError, match='.pkl'):
        test_tool.merge_args(Config.fromfile(CONFIG), args)


def test_print_config(capsys):
    module = load_tool('analysis_tools/print_config.py')
    module.main([CONFIG, '--cfg-options', 'train_cfg.max_epochs=11'])
    out = capsys.readouterr().out
    assert "type='BodyPoseLifter'" in out
    assert 'max_epochs=11' in out
