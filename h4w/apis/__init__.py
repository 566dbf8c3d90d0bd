from .inference import (
    CheckpointMismatchError,
    inference_mesh,
    inference_mesh_batch,
    init_model,
    load_model_weights,
    prediction_params,
    valid_person_boxes,
)
from .smoothing import (
    OneEuroFilter,
    ParamSmoother,
    axis_angle_to_rot6d,
    rot6d_to_axis_angle,
)
from .tracking import BoxTracker

__all__ = [
    'BoxTracker',
    'CheckpointMismatchError',
    'OneEuroFilter',
    'ParamSmoother',
    'axis_angle_to_rot6d',
    'inference_mesh',
    'inference_mesh_batch',
    'init_model',
    'load_model_weights',
    'prediction_params',
    'rot6d_to_axis_angle',
    'valid_person_boxes',
]
