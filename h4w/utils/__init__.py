from .arrays import is_tensor, to_numpy
from .lazy_import import lazy_attributes
from .mesh_io import read_obj, write_obj

# need torch.distributed: imported on first use
__getattr__ = lazy_attributes(
    __name__, {'close_dist': '.dist_utils', 'init_cpu_dist': '.dist_utils'}
)

__all__ = [
    'close_dist',
    'init_cpu_dist',
    'is_tensor',
    'lazy_attributes',
    'read_obj',
    'to_numpy',
    'write_obj',
]
