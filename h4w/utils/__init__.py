from .arrays import to_numpy
from .dist_utils import close_dist, init_cpu_dist
from .mesh_io import read_obj, write_obj

__all__ = ['close_dist', 'init_cpu_dist', 'read_obj', 'to_numpy', 'write_obj']
