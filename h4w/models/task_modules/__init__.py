from .body_model_target_generator import (
    BodyModelTargetGenerator,
    build_target_generator,
)
from .gt_params_reader import GtParamsReader
from .part_roi_extractor import PartRoIExtractor
from .roi_align import roi_align

__all__ = [
    'BodyModelTargetGenerator',
    'build_target_generator',
    'GtParamsReader',
    'PartRoIExtractor',
    'roi_align',
]
