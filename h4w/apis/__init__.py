from .smoothing import (
    OneEuroFilter,
    ParamSmoother,
    axis_angle_to_rot6d,
    rot6d_to_axis_angle,
)
from .tracking import BoxTracker

__all__ = [
    'BoxTracker',
    'OneEuroFilter',
    'ParamSmoother',
    'axis_angle_to_rot6d',
    'rot6d_to_axis_angle',
]
