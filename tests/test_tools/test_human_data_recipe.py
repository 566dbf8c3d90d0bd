"""The HumanData fixture loads through its config, trains one iteration
of the full Hand4Whole (``tools/train.py``) and is validated with the
config's whole-body mesh metric (test mode of the compressed file). Tiny
sizes: this checks that config, dataset, targets and metric fit
together, not what the model learns."""

import os.path as osp

from tests.conftest import PYTHON, run_tool
from tests.fixtures.datasets.human_data import FILES, make_human_data

CONFIG = 'configs/hand4whole/hand4whole_res50_humandata.py'
#: One iteration of two samples, no workers, a log line per iteration.
TINY = (
    'train_dataloader.batch_size=2',
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'train_dataloader.dataset.indices=2',
    'train_cfg.max_epochs=1',
    'default_hooks.logger.interval=1',
    'default_hooks.checkpoint.save_optimizer=False',
    'val_dataloader.batch_size=2',
    'val_dataloader.num_workers=0',
    'val_dataloader.persistent_workers=False',
)
METRIC_KEYS = tuple(
    f'HumanData/{a}_{p}'
    for a in ('PA-MPVPE', 'MPVPE')
    for p in ('all', 'hands', 'face')
)


def test_human_data_trains_and_validates(tmp_path, human_model_root):
    root = make_human_data(str(tmp_path / 'humandata'), human_model_root)
    work_dir = tmp_path / 'work'
    proc = run_tool(
        [
            PYTHON,
            'tools/train.py',
            CONFIG,
            '--work-dir',
            str(work_dir),
            '--cfg-options',
            f'model.body_model.model_path={human_model_root}',
            f'val_evaluator.0.body_model.model_path={human_model_root}',
            f'train_dataloader.dataset.data_root={root}',
            f'train_dataloader.dataset.ann_file={FILES["smplx"]}',
            f'val_dataloader.dataset.data_root={root}',
            f'val_dataloader.dataset.ann_file={FILES["compressed"]}',
            *TINY,
        ],
        timeout=600,
    )
    log = proc.stdout + proc.stderr
    assert 'Epoch(train) [1][1/1]' in log
    for key in (
        'loss_smplx_pose',
        'loss_smplx_shape',
        'loss_smplx_expr',
        'loss_smplx_joint_cam',
        'loss_smplx_joint_img',
        'loss_joint_img',
        'loss_lhand_bbox',
    ):
        assert key in log, key
    assert osp.isfile(work_dir / 'epoch_1.pth')
    assert 'HumanData whole-body mesh errors (4 samples)' in log
    for key in METRIC_KEYS:
        assert key in log, key
