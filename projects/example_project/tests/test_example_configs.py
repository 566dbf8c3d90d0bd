"""Each example config trains one iteration with ``tools/train.py`` and
evaluates with ``tools/test.py`` on the example data, the plugin loaded by
``custom_imports`` alone (CI runs this with the core's tests)."""

import os
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

CONFIGS = osp.join(osp.dirname(osp.dirname(__file__)), 'configs')
PLAIN = osp.join(CONFIGS, 'hand4whole_res50_folder.py')
SVD_HAND = osp.join(CONFIGS, 'hand4whole-svd-hand_res50_folder.py')
#: One iteration of two people, no worker processes.
TINY = (
    'train_dataloader.batch_size=2',
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'train_dataloader.dataset.indices=2',
    'val_dataloader.num_workers=0',
    'val_dataloader.persistent_workers=False',
    'train_cfg.max_epochs=1',
    'default_hooks.logger.interval=1',
)


def run(repo_root, *args):
    """Run a tool of the repository from its root; fail with its output."""
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    env['PYTHONPATH'] = os.pathsep.join(
        [repo_root] + [p for p in [env.get('PYTHONPATH')] if p]
    )
    proc = subprocess.run(
        [sys.executable, *args],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        pytest.fail(f'{" ".join(args)} failed:\n{output[-5000:]}')
    return output


def data_options(data_root, human_model_root):
    return (
        f'human_model_path={human_model_root}',
        f'model.body_model.model_path={human_model_root}',
        f'val_evaluator.0.body_model.model_path={human_model_root}',
        f'test_evaluator.0.body_model.model_path={human_model_root}',
        f'train_dataloader.dataset.data_root={data_root}',
        f'val_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.data_root={data_root}',
    )


def test_configs_name_the_plugin():
    plain, svd = Config.fromfile(PLAIN), Config.fromfile(SVD_HAND)
    assert plain.model.hand_rotation_head.type == 'HandRotationHead'
    assert svd.model.hand_rotation_head.type == 'SVDHandRotationHead'
    assert svd.model.hand_rotation_head.in_channels == 2048
    assert plain.train_dataloader.dataset.type == 'WholeBodyFolderDataset'


def test_train_and_test_each_config(
    tmp_path, repo_root, example_data_root, human_model_root
):
    options = data_options(example_data_root, human_model_root)

    # the plain config: one iteration, validation, checkpoint
    work = tmp_path / 'plain'
    log = run(
        repo_root, 'tools/train.py', PLAIN, '--work-dir', str(work),
        '--cfg-options', *TINY, *options,
    )  # fmt: skip
    assert 'Epoch(train) [1][1/1]' in log
    assert 'loss_smplx_pose' in log and 'loss_joint_proj' in log
    assert 'Folder/PA-MPVPE_all' in log
    plain_ckpt = work / 'epoch_1.pth'
    log = run(
        repo_root, 'tools/test.py', PLAIN, str(plain_ckpt),
        '--cfg-options', *options,
    )  # fmt: skip
    assert 'Folder/PA-MPVPE_all' in log

    # the SVD-head config, started from the plain model: every weight
    # but the new head's last layer loads
    work = tmp_path / 'svd'
    log = run(
        repo_root, 'tools/train.py', SVD_HAND, '--work-dir', str(work),
        '--cfg-options', *TINY, *options, f'load_from={plain_ckpt}',
    )  # fmt: skip
    assert 'Epoch(train) [1][1/1]' in log
    assert 'hand_rotation_head.rotmat_out' in log  # reported as missing
    log = run(
        repo_root, 'tools/test.py', SVD_HAND, str(work / 'epoch_1.pth'),
        '--cfg-options', *options,
    )  # fmt: skip
    assert 'Folder/PA-MPVPE_all' in log
