from .dist_utils import init_cpu_dist

__all__ = ['init_cpu_dist']
