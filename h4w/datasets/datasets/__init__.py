from .base import (AnnotationError, BaseMeshDataset, annotation_context,
                   require_file)
from .human36m_dataset import Human36MDataset

__all__ = [
    'AnnotationError', 'BaseMeshDataset', 'annotation_context',
    'require_file', 'Human36MDataset'
]
