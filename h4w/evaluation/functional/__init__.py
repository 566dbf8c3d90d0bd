from .mesh_eval import mean_point_error, rigid_align, rigid_transform

__all__ = ['rigid_transform', 'rigid_align', 'mean_point_error']
