from .arrays import to_numpy
from .dist_utils import init_cpu_dist

__all__ = ['init_cpu_dist', 'to_numpy']
