from .transforms import affine_points

__all__ = ['affine_points']
