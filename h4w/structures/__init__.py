from h4w.utils.lazy_import import lazy_attributes

from .camera import project_points, to_common_camera
from .image import warp_affine
from .keypoint import affine_points

# needs torch (mmengine.structures): imported on first use
__getattr__ = lazy_attributes(
    __name__, {'MeshDataSample': '.mesh_data_sample'}
)

__all__ = [
    'MeshDataSample',
    'affine_points',
    'project_points',
    'to_common_camera',
    'warp_affine',
]
