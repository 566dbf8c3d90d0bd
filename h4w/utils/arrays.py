"""Conversions between tensors and NumPy arrays."""

from typing import Any, Optional

import numpy as np
import torch

__all__ = ['to_numpy']


def to_numpy(value: Any, dtype: Optional[np.dtype] = None) -> np.ndarray:
    """A tensor (any device, detached), array, list or scalar as a NumPy
    array, optionally cast to ``dtype``.

    Examples:
        >>> to_numpy(torch.ones(2), np.float64).tolist()
        [1.0, 1.0]
    """
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=dtype)
