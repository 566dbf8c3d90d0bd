from .base import (AnnotationError, BaseMeshDataset, annotation_context,
                   require_file)
from .human36m_dataset import Human36MDataset
from .mpii_dataset import MPIIDataset
from .mpi_inf_3dhp_dataset import MPIINF3DHPDataset
from .ehf_dataset import EHFDataset
from .pw3d_dataset import PW3DDataset
from .agora_dataset import AGORADataset
from .coco_dataset import MSCOCODataset
from .freihand_dataset import FreiHANDDataset
from .interhand26m_dataset import InterHand26MDataset
from .ffhq_dataset import FFHQDataset

__all__ = [
    'AnnotationError', 'BaseMeshDataset', 'annotation_context',
    'require_file', 'Human36MDataset'
]
__all__ += ['MPIIDataset', 'MPIINF3DHPDataset']
__all__ += ['EHFDataset', 'PW3DDataset']
__all__ += ['AGORADataset']
__all__ += ['MSCOCODataset']
__all__ += ['FreiHANDDataset', 'InterHand26MDataset', 'FFHQDataset']
