from .transforms import (
    bbox_from_points,
    bbox_overlaps,
    process_bbox,
    sanitize_bbox,
    xywh_to_xyxy,
    xyxy_to_xywh,
)

__all__ = [
    'bbox_from_points',
    'bbox_overlaps',
    'process_bbox',
    'sanitize_bbox',
    'xywh_to_xyxy',
    'xyxy_to_xywh',
]
