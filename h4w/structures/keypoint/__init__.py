from .transforms import affine_points, flip_permutation, flip_x, rot_z

__all__ = ['affine_points', 'flip_permutation', 'flip_x', 'rot_z']
