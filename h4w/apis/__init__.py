from .inference import (
    CheckpointMismatchError,
    inference_mesh,
    inference_mesh_batch,
    init_model,
    load_model_weights,
    prediction_params,
    valid_person_boxes,
)

__all__ = [
    'CheckpointMismatchError',
    'inference_mesh',
    'inference_mesh_batch',
    'init_model',
    'load_model_weights',
    'prediction_params',
    'valid_person_boxes',
]
