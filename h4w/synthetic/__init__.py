"""Synthetic stand-ins for licensed files, to run h4w without them.

A procedural humanoid written in the exact official formats of the
SMPL-X, SMPL, MANO and FLAME model files (and their vertex-id files and
joint regressors), and :class:`SyntheticPeople`, which poses, places,
projects and draws such people to render synthetic data. Nothing here is
loaded by ``import h4w``.
"""

from .synthetic_human_models import make_synthetic_human_models
from .synthetic_people import SyntheticPeople, project, rodrigues

__all__ = [
    'make_synthetic_human_models',
    'SyntheticPeople',
    'project',
    'rodrigues',
]
