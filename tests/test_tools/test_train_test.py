"""End-to-end runs of the tools on the quick-start config (CPU)."""

import os
import os.path as osp
import pickle
import socket

import pytest
import torch

from h4w.engine.checkpoint import load_checkpoint_file

from tests.conftest import PYTHON, REPO_ROOT, run_tool

CONFIG = osp.join(REPO_ROOT, 'configs/quickstart/pose_lifter_smoke.py')
#: The resume runs train on 128 samples: 4 iterations an epoch (the
#: config's 512 give the DDP test its 8 iterations).
RESUME_SAMPLES = 'train_dataloader.dataset.num_samples=128'


def train(work_dir, human_model_root, *extra):
    return run_tool(
        [
            PYTHON,
            'tools/train.py',
            CONFIG,
            '--work-dir',
            work_dir,
            '--cfg-options',
            f'model.body_model.model_path={human_model_root}',
            'randomness.seed=0',
            'randomness.deterministic=True',
            *extra,
        ]
    )


def load(path):
    return load_checkpoint_file(path, 'cpu', trusted=True)


@pytest.fixture(scope='module')
def interrupted_and_straight_runs(tmp_path_factory, human_model_root):
    """The same 3 epochs trained straight, and as 2 epochs + --resume."""
    root = tmp_path_factory.mktemp('runs')
    straight, resumed = str(root / 'straight'), str(root / 'resumed')
    train(straight, human_model_root, RESUME_SAMPLES)
    train(resumed, human_model_root, RESUME_SAMPLES, 'train_cfg.max_epochs=2')
    assert not osp.exists(osp.join(resumed, 'epoch_3.pth'))
    log = train(
        resumed,
        human_model_root,
        RESUME_SAMPLES,
        'train_cfg.max_epochs=3',
        '--resume',
    )
    return straight, resumed, log


def test_resume_restores_optimizer_and_scheduler(
    interrupted_and_straight_runs,
):
    straight, resumed, proc = interrupted_and_straight_runs
    assert 'resumed epoch: 2' in proc.stdout + proc.stderr
    a = load(osp.join(straight, 'epoch_3.pth'))
    b = load(osp.join(resumed, 'epoch_3.pth'))
    assert b['meta']['epoch'] == 3
    for key, value in a['state_dict'].items():
        torch.testing.assert_close(b['state_dict'][key], value)
    # Adam moments continue from the saved ones: a restart from zero would
    # give different moments after the third epoch.
    for idx, state in a['optimizer']['state'].items():
        for name in ('exp_avg', 'exp_avg_sq', 'step'):
            torch.testing.assert_close(
                b['optimizer']['state'][idx][name], state[name]
            )
    assert a['param_schedulers'] == b['param_schedulers']
    assert b['optimizer']['param_groups'][0]['lr'] == pytest.approx(3e-4)


def test_resume_flag_with_explicit_checkpoint(
    interrupted_and_straight_runs, human_model_root, tmp_path
):
    """``--resume PATH``: the named checkpoint (the straight run's first
    epoch, from another work dir), not the work dir's latest."""
    straight = interrupted_and_straight_runs[0]
    work_dir = str(tmp_path / 'wd')
    proc = run_tool(
        [
            PYTHON,
            'tools/train.py',
            CONFIG,
            '--work-dir',
            work_dir,
            '--resume',
            osp.join(straight, 'epoch_1.pth'),
            '--cfg-options',
            f'model.body_model.model_path={human_model_root}',
            RESUME_SAMPLES,
            'train_cfg.max_epochs=2',
        ]
    )
    assert 'resumed epoch: 1' in proc.stdout + proc.stderr
    assert load(osp.join(work_dir, 'epoch_2.pth'))['meta']['epoch'] == 2


def test_test_tool_evaluates_and_dumps(
    interrupted_and_straight_runs, human_model_root, tmp_path
):
    straight = interrupted_and_straight_runs[0]
    out = str(tmp_path / 'preds.pkl')
    proc = run_tool(
        [
            PYTHON,
            'tools/test.py',
            CONFIG,
            osp.join(straight, 'epoch_3.pth'),
            '--work-dir',
            str(tmp_path / 'test'),
            '--out',
            out,
            '--cfg-options',
            f'model.body_model.model_path={human_model_root}',
        ]
    )
    assert 'smoke/MPJPE' in proc.stdout + proc.stderr
    with open(out, 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 32
    assert preds[0]['pred_joints'].shape == (22, 3)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_dist_train_two_cpu_ranks(tmp_path, human_model_root):
    work_dir = str(tmp_path / 'ddp')
    proc = run_tool(
        [
            'bash',
            'tools/dist_train.sh',
            CONFIG,
            '2',
            '--work-dir',
            work_dir,
            '--cfg-options',
            f'model.body_model.model_path={human_model_root}',
            'train_cfg.max_epochs=1',
        ],
        env=dict(PORT=str(free_port())),
    )
    log = proc.stdout + proc.stderr
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    # 512 samples, batch 32 per rank, 2 ranks -> 8 iterations per epoch
    assert 'Epoch(train) [1][8/8]' in log
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))


def test_dist_test_two_cpu_ranks(
    interrupted_and_straight_runs, human_model_root, tmp_path
):
    straight = interrupted_and_straight_runs[0]
    proc = run_tool(
        [
            'bash',
            'tools/dist_test.sh',
            CONFIG,
            osp.join(straight, 'epoch_3.pth'),
            '2',
            '--work-dir',
            str(tmp_path / 'ddp_test'),
            '--cfg-options',
            f'model.body_model.model_path={human_model_root}',
        ],
        env=dict(PORT=str(free_port())),
    )
    log = proc.stdout + proc.stderr
    assert 'GPU number: 2' in log
    # 32 test samples, batch 16 per rank, 2 ranks -> 1 iteration
    assert 'Epoch(test) [1/1]' in log and 'smoke/MPJPE' in log


FAKE_SRUN = """#!/usr/bin/env bash
# records the srun options, then runs the task as Slurm rank 0 of 1
echo "$@" > "$SRUN_LOG"
while [ "$1" != python ]; do shift; done
export SLURM_PROCID=0 SLURM_NTASKS=1 SLURM_LOCALID=0 SLURM_NODELIST=local
exec "$@"
"""


def test_slurm_train_on_cpu_with_a_fake_srun(tmp_path, human_model_root):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (bin_dir / 'srun').write_text(FAKE_SRUN)
    (bin_dir / 'srun').chmod(0o755)
    work_dir = str(tmp_path / 'slurm')
    env = dict(
        PATH=f'{bin_dir}:{os.environ["PATH"]}',
        GPUS='1',
        GPUS_PER_NODE='1',
        SRUN_LOG=str(tmp_path / 'srun.log'),
        MASTER_ADDR='127.0.0.1',
        MASTER_PORT=str(free_port()),
    )
    proc = run_tool(
        [
            'bash',
            'tools/slurm_train.sh',
            'gpu_partition',
            'h4w_job',
            CONFIG,
            work_dir,
            '--cfg-options',
            f'model.body_model.model_path={human_model_root}',
            'train_cfg.max_epochs=1',
        ],
        env=env,
    )
    srun_options = (tmp_path / 'srun.log').read_text()
    assert '-p gpu_partition --job-name=h4w_job' in srun_options
    assert '--launcher=slurm' in srun_options
    assert 'Distributed launcher: slurm' in proc.stdout + proc.stderr
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
