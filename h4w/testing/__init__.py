"""Small factories for tests: random packed batches.

The synthetic human-model files moved to :mod:`h4w.synthetic`.
"""

from .packed_inputs import get_packed_inputs

__all__ = ['get_packed_inputs']
