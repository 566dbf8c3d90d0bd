from .agora_result_writer import (
    AGORAResultWriter,
    dumps_numpy1_compatible,
    zip_agora_predictions,
)
from .freihand_dump_metric import FreiHANDDumpMetric
from .human36m_metric import Human36MMetric
from .projected_joint_metric import ProjectedJointMetric
from .pw3d_metric import PW3DMetric
from .whole_body_mesh_metric import WholeBodyMeshMetric

__all__ = [
    'WholeBodyMeshMetric',
    'Human36MMetric',
    'PW3DMetric',
    'ProjectedJointMetric',
    'FreiHANDDumpMetric',
    'AGORAResultWriter',
    'dumps_numpy1_compatible',
    'zip_agora_predictions',
]
