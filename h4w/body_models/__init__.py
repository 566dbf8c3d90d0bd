"""Human-model data that datasets, metrics and models share: the joint sets
(names, parts, flip pairs) and the chumpy-free reader of the official model
files. Pure Python and NumPy: nothing here imports torch or ``h4w.models``
(the ``nn.Module`` layers live in :mod:`h4w.models.body_models`)."""

from .joint_sets import JOINT_SETS, JointSet
from .model_files import (
    GENDERS,
    ModelFileError,
    chumpy_free_smplx,
    load_model_data,
    load_pickle,
    missing_model_file,
)
from .param_layouts import (
    FIT_PARAM_DIMS,
    FLAME_LAYOUT,
    MANO_LAYOUT,
    PARAM_LAYOUTS,
    SMPL_LAYOUT,
    SMPLX_LAYOUT,
    ParamLayout,
    PoseBlock,
)

__all__ = [
    'FIT_PARAM_DIMS',
    'FLAME_LAYOUT',
    'MANO_LAYOUT',
    'PARAM_LAYOUTS',
    'SMPL_LAYOUT',
    'SMPLX_LAYOUT',
    'ParamLayout',
    'PoseBlock',
    'GENDERS',
    'JOINT_SETS',
    'JointSet',
    'ModelFileError',
    'chumpy_free_smplx',
    'load_model_data',
    'load_pickle',
    'missing_model_file',
]
