"""Test helpers: synthetic stand-ins for licensed body-model files and
random packed batches."""

from .packed_inputs import get_packed_inputs
from .synthetic_human_models import make_synthetic_human_models

__all__ = ['get_packed_inputs', 'make_synthetic_human_models']
