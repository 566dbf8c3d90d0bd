"""Distributed set-up that also works without CUDA.

mmengine's ``init_dist`` calls ``torch.cuda.set_device`` and so cannot start
a CPU run. :func:`init_cpu_dist` starts the process group with the gloo
backend from the variables that torchrun or Slurm export, so that
``tools/dist_train.sh CONFIG 2`` runs two ranks on a CPU machine (CI does).
"""

import os
import subprocess

import torch.distributed as torch_dist


def _export_slurm_env() -> None:
    """Translate Slurm variables into the torch.distributed ones."""
    os.environ['RANK'] = os.environ['SLURM_PROCID']
    os.environ['WORLD_SIZE'] = os.environ['SLURM_NTASKS']
    os.environ['LOCAL_RANK'] = os.environ.get('SLURM_LOCALID', '0')
    os.environ.setdefault('MASTER_PORT', '29500')
    if 'MASTER_ADDR' not in os.environ:
        node_list = os.environ['SLURM_NODELIST']
        os.environ['MASTER_ADDR'] = subprocess.getoutput(
            f'scontrol show hostname {node_list} | head -n1'
        )


def init_cpu_dist(launcher: str, backend: str = 'gloo', **kwargs) -> None:
    """Initialise the default process group for a CPU run.

    Args:
        launcher (str): ``'pytorch'`` (torchrun) or ``'slurm'``.
        backend (str): A CPU backend; ``'nccl'`` (the configs' GPU
            default) becomes ``'gloo'``. Defaults to ``'gloo'``.
        **kwargs: Passed to :func:`torch.distributed.init_process_group`
            (e.g. ``timeout``).
    """
    if launcher == 'slurm':
        _export_slurm_env()
    elif launcher != 'pytorch':
        raise ValueError(
            f'CPU distributed runs support the "pytorch" and '
            f'"slurm" launchers, got "{launcher}"'
        )
    missing = [
        key
        for key in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')
        if key not in os.environ
    ]
    if missing:
        raise RuntimeError(
            f'--launcher {launcher} needs the environment variables '
            f'{missing}; start the run with tools/dist_train.sh (torchrun) '
            'or tools/slurm_train.sh.'
        )
    if backend == 'nccl':
        backend = 'gloo'
    torch_dist.init_process_group(backend=backend, **kwargs)


def close_dist() -> None:
    """Wait for every rank, then destroy the default process group (no-op
    outside a distributed run).

    The tools call it when a run ends. A rank that exits with the group
    alive leaves its destruction to interpreter exit, where gloo's threads
    can be torn down while another rank still talks to them: the process
    then aborts ("terminate called without an active exception") after a
    run that succeeded.
    """
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()
        torch_dist.destroy_process_group()


__all__ = ['init_cpu_dist', 'close_dist']
