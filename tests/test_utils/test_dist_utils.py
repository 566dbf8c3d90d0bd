import os

import pytest
import torch.distributed as torch_dist

from h4w.utils import dist_utils


@pytest.fixture
def clean_env(monkeypatch):
    for key in (
        'RANK',
        'WORLD_SIZE',
        'LOCAL_RANK',
        'MASTER_ADDR',
        'MASTER_PORT',
        'SLURM_PROCID',
        'SLURM_NTASKS',
        'SLURM_LOCALID',
        'SLURM_NODELIST',
    ):
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


def test_slurm_variables_become_torch_variables(clean_env):
    clean_env.setenv('SLURM_PROCID', '3')
    clean_env.setenv('SLURM_NTASKS', '4')
    clean_env.setenv('SLURM_LOCALID', '1')
    clean_env.setenv('MASTER_ADDR', 'node0')
    dist_utils._export_slurm_env()
    assert (
        os.environ['RANK'],
        os.environ['WORLD_SIZE'],
        os.environ['LOCAL_RANK'],
    ) == ('3', '4', '1')
    assert os.environ['MASTER_PORT'] == '29500'
    assert os.environ['MASTER_ADDR'] == 'node0'


def test_missing_variables_are_named(clean_env):
    with pytest.raises(RuntimeError, match='RANK.*dist_train.sh'):
        dist_utils.init_cpu_dist('pytorch')
    with pytest.raises(ValueError, match='mpi'):
        dist_utils.init_cpu_dist('mpi')


def test_single_process_gloo_group(clean_env):
    clean_env.setenv('RANK', '0')
    clean_env.setenv('WORLD_SIZE', '1')
    clean_env.setenv('MASTER_ADDR', '127.0.0.1')
    clean_env.setenv('MASTER_PORT', '29531')
    dist_utils.init_cpu_dist('pytorch', backend='nccl')  # -> gloo
    try:
        assert torch_dist.get_backend() == 'gloo'
        assert torch_dist.get_world_size() == 1
    finally:
        torch_dist.destroy_process_group()


def test_close_dist_destroys_the_group(clean_env):
    dist_utils.close_dist()  # not distributed: nothing to do
    clean_env.setenv('RANK', '0')
    clean_env.setenv('WORLD_SIZE', '1')
    clean_env.setenv('MASTER_ADDR', '127.0.0.1')
    clean_env.setenv('MASTER_PORT', '29532')
    dist_utils.init_cpu_dist('pytorch')
    try:
        dist_utils.close_dist()
        assert not torch_dist.is_initialized()
    finally:
        if torch_dist.is_initialized():
            torch_dist.destroy_process_group()
