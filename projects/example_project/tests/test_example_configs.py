"""Each example config trains one iteration with ``tools/train.py`` and
is evaluated with its metrics on the example data, the plugin loaded by
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
    'default_hooks.checkpoint.save_optimizer=False',  # weights suffice
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


@pytest.mark.parametrize(
    'config, validate',
    [(PLAIN, True), (SVD_HAND, False)],
    ids=['plain', 'svd-hand'],
)
def test_train_one_iteration_and_evaluate(
    config, validate, tmp_path, repo_root, example_data_root, human_model_root
):
    """One iteration, evaluated with the config's metrics: by the
    validation of ``tools/train.py`` (plain config: also the best
    checkpoint rule), or by ``tools/test.py`` on the checkpoint (SVD-head
    config)."""
    options = data_options(example_data_root, human_model_root)
    args = ['tools/train.py', config, '--work-dir', str(tmp_path)]
    if not validate:
        args.append('--no-validate')
    log = run(repo_root, *args, '--cfg-options', *TINY, *options)
    assert 'Epoch(train) [1][1/1]' in log
    assert 'loss_smplx_pose' in log and 'loss_joint_proj' in log
    if validate:
        assert list(tmp_path.glob('best_Folder_PA-MPVPE_all_epoch_1.pth'))
    else:
        log = run(
            repo_root, 'tools/test.py', config, str(tmp_path / 'epoch_1.pth'),
            '--cfg-options', *options,
        )  # fmt: skip
    # persons with a fit: the mesh errors; every person: the 2D error
    assert '4 of 5 samples have a GT mesh' in log
    for key in ('Folder/PA-MPVPE_all', 'Folder/MPVPE_hands', 'MPJPE_2d'):
        assert key in log
