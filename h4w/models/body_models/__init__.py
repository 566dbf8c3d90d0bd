from .base_body_model import BaseBodyModel
from .flame_model import FLAMEModel
from .mano_model import MANOModel
from .smpl_model import SMPLModel
from .smplx_model import SMPLXModel

__all__ = [
    'BaseBodyModel',
    'SMPLXModel',
    'SMPLModel',
    'MANOModel',
    'FLAMEModel',
]
