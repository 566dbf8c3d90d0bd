from .base import (AnnotationError, BaseMeshDataset, annotation_context,
                   require_file)
from .human36m_dataset import Human36MDataset
from .mpii_dataset import MPIIDataset
from .mpi_inf_3dhp_dataset import MPIINF3DHPDataset

__all__ = [
    'AnnotationError', 'BaseMeshDataset', 'annotation_context',
    'require_file', 'Human36MDataset'
]
__all__ += ['MPIIDataset', 'MPIINF3DHPDataset']
