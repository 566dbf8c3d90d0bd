from .base_body_model import BaseBodyModel
from .flame_model import FLAMEModel
from .joint_sets import JOINT_SETS, JointSet
from .mano_model import MANOModel
from .model_files import (
    ModelFileError,
    chumpy_free_smplx,
    load_model_data,
    load_pickle,
)
from .smpl_model import SMPLModel
from .smplx_model import SMPLXModel

__all__ = [
    'BaseBodyModel',
    'SMPLXModel',
    'SMPLModel',
    'MANOModel',
    'FLAMEModel',
    'JointSet',
    'JOINT_SETS',
    'ModelFileError',
    'chumpy_free_smplx',
    'load_model_data',
    'load_pickle',
]
