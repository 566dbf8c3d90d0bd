"""ValidateBeforeTrainHook: the untrained model is validated at epoch 0,
a resumed run is not validated again."""

import os.path as osp

from mmengine.config import Config
from mmengine.registry import init_default_scope

from h4w.engine import H4WRunner

from tests.conftest import REPO_ROOT, load_tool

CONFIG = osp.join(REPO_ROOT, 'configs/quickstart/pose_lifter_smoke.py')


def run(work_dir, human_model_root, max_epochs, resume=False):
    init_default_scope('h4w')
    cfg = Config.fromfile(CONFIG)
    cfg.work_dir = str(work_dir)
    cfg.model.body_model.model_path = human_model_root
    cfg.train_cfg.max_epochs = max_epochs
    cfg.train_dataloader.dataset.num_samples = 32
    cfg.custom_hooks = [dict(type='ValidateBeforeTrainHook')]
    cfg.resume = resume
    # mmengine keeps one visualizer per name and process: a fresh one
    cfg.visualizer.name = f'{work_dir}_{max_epochs}'
    cfg.default_hooks.checkpoint.save_best = 'smoke/MPJPE'
    cfg.default_hooks.checkpoint.rule = 'less'
    H4WRunner.from_cfg(cfg).train()


def val_epochs(work_dir):
    """Epochs of the validation records, in order, over every run."""
    _, records = load_tool('analysis_tools/summarize_run.py').read_records(
        str(work_dir)
    )
    return [r['step'] for r in records if 'smoke/MPJPE' in r]


def test_validates_before_training_and_not_after_resume(
    tmp_path, human_model_root
):
    run(tmp_path, human_model_root, max_epochs=1)
    assert val_epochs(tmp_path) == [0, 1]
    run(tmp_path, human_model_root, max_epochs=2, resume=True)
    assert val_epochs(tmp_path) == [0, 1, 2]
