"""Test helpers, e.g. synthetic stand-ins for licensed body model files."""
from .synthetic_human_models import make_synthetic_human_models

__all__ = ['make_synthetic_human_models']
