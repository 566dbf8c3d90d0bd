from .base_mesh_dataset import (
    AnnotationError,
    BaseMeshDataset,
    annotation_context,
    coco_data_info,
    finite_array,
    read_json,
    require_file,
)
from .fit_params import (
    FIT_FILES,
    fit_file_tag,
    fit_params,
    flame_fit_params,
    mano_fit_params,
    wholebody_fit_masks,
)

__all__ = [
    'AnnotationError',
    'BaseMeshDataset',
    'annotation_context',
    'coco_data_info',
    'finite_array',
    'read_json',
    'require_file',
    'FIT_FILES',
    'fit_file_tag',
    'fit_params',
    'mano_fit_params',
    'flame_fit_params',
    'wholebody_fit_masks',
]
