from .agora_dataset import AGORADataset
from .base import (
    AnnotationError,
    BaseMeshDataset,
    annotation_context,
    require_file,
)
from .coco_dataset import MSCOCODataset
from .ehf_dataset import EHFDataset
from .ffhq_dataset import FFHQDataset
from .freihand_dataset import FreiHANDDataset
from .human36m_dataset import Human36MDataset
from .human_data_dataset import HumanDataDataset
from .interhand26m_dataset import InterHand26MDataset
from .mpi_inf_3dhp_dataset import MPIINF3DHPDataset
from .mpii_dataset import MPIIDataset
from .pw3d_dataset import PW3DDataset

__all__ = [
    'AnnotationError',
    'BaseMeshDataset',
    'annotation_context',
    'require_file',
    'Human36MDataset',
]
__all__ += ['MPIIDataset', 'MPIINF3DHPDataset']
__all__ += ['EHFDataset', 'PW3DDataset']
__all__ += ['AGORADataset']
__all__ += ['MSCOCODataset']
__all__ += ['FreiHANDDataset', 'InterHand26MDataset', 'FFHQDataset']
__all__ += ['HumanDataDataset']
