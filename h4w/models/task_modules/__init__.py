from .part_roi_extractor import PartRoIExtractor
from .roi_align import roi_align

__all__ = ['roi_align', 'PartRoIExtractor']
