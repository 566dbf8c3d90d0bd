"""Small factories for tests: random packed batches and crops.

The synthetic human-model files moved to :mod:`h4w.synthetic`.
"""

from .crops import smooth_crops
from .packed_inputs import get_packed_inputs

__all__ = ['get_packed_inputs', 'smooth_crops']
