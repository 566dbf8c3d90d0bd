from .camera import project_points, to_common_camera
from .image import warp_affine
from .keypoint import affine_points
from .mesh_data_sample import MeshDataSample

__all__ = [
    'MeshDataSample',
    'affine_points',
    'project_points',
    'to_common_camera',
    'warp_affine',
]
