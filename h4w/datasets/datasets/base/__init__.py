from .base_mesh_dataset import (AnnotationError, BaseMeshDataset,
                                annotation_context, require_file)

__all__ = [
    'AnnotationError', 'BaseMeshDataset', 'annotation_context',
    'require_file'
]
