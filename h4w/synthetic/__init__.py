"""Synthetic stand-ins for licensed files, to run h4w without them.

A procedural humanoid written in the exact official formats of the
SMPL-X, SMPL, MANO and FLAME model files (and their vertex-id files and
joint regressors), and :class:`SyntheticPeople`, which poses, places,
projects and draws such people, and :func:`make_synthetic_dataset`, which
renders a synthetic training set in the AGORA layout. Nothing here is
loaded by ``import h4w``.
"""

from .backgrounds import procedural_background
from .random_poses import random_smplx_params
from .synthetic_dataset import check_img_shape, make_synthetic_dataset
from .synthetic_human_models import make_synthetic_human_models
from .synthetic_people import SyntheticPeople, project, rodrigues

__all__ = [
    'check_img_shape',
    'make_synthetic_dataset',
    'make_synthetic_human_models',
    'procedural_background',
    'random_smplx_params',
    'SyntheticPeople',
    'project',
    'rodrigues',
]
