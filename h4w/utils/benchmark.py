"""Timing and peak memory for the scripts in ``tools/analysis_tools``.

Numbers are for comparing settings on one machine; tests never assert
them.
"""

import resource
import time
from typing import Callable, Iterable

import torch

__all__ = ['peak_memory_mb', 'time_calls']


def peak_memory_mb(device: torch.device) -> float:
    """CUDA: the allocator's peak; CPU: the process's max RSS, in MiB."""
    if device.type == 'cuda':
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_calls(
    calls: Iterable[Callable[[], object]],
    device: torch.device,
    warmup: Callable[[], object],
) -> float:
    """Seconds spent in ``calls`` after one ``warmup`` call, with CUDA
    synchronised around the timed region and its peak memory reset."""
    warmup()
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
    start = time.perf_counter()
    for call in calls:
        call()
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    return time.perf_counter() - start
