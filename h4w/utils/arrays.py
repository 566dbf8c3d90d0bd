"""Conversions between tensors and NumPy arrays.

Nothing here imports torch: a value can only be a tensor when torch is
already loaded, so the NumPy-only paths (the onnxruntime backend) stay
free of it.
"""

import sys
from typing import Any, Optional

import numpy as np

__all__ = ['is_tensor', 'to_numpy']


def is_tensor(value: Any) -> bool:
    """Whether ``value`` is a ``torch.Tensor`` (without importing torch).

    Examples:
        >>> is_tensor(np.zeros(2))
        False
    """
    torch = sys.modules.get('torch')
    return torch is not None and isinstance(value, torch.Tensor)


def to_numpy(value: Any, dtype: Optional[np.dtype] = None) -> np.ndarray:
    """A tensor (any device, detached), array, list or scalar as a NumPy
    array, optionally cast to ``dtype``.

    Examples:
        >>> import torch
        >>> to_numpy(torch.ones(2), np.float64).tolist()
        [1.0, 1.0]
    """
    if is_tensor(value):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=dtype)
