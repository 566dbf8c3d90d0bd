from .animation_export import (
    AnimationExportError,
    export_bvh,
    export_glb,
)
from .inference import (
    CheckpointMismatchError,
    inference_mesh,
    inference_mesh_batch,
    init_model,
    load_model_weights,
    prediction_params,
    valid_person_boxes,
)
from .mesh_inferencer import Frame, MeshInferencer, check_inputs, count_frames
from .onnx_export import MeshOnnxWrapper, export_onnx
from .person_boxes import BoxJson
from .result_writer import NPZ_KEYS, ResultWriter, read_npz
from .smoothing import (
    OneEuroFilter,
    ParamSmoother,
    axis_angle_to_rot6d,
    rot6d_to_axis_angle,
)
from .tracking import BoxTracker

__all__ = [
    'AnimationExportError',
    'BoxJson',
    'BoxTracker',
    'CheckpointMismatchError',
    'Frame',
    'MeshInferencer',
    'MeshOnnxWrapper',
    'NPZ_KEYS',
    'OneEuroFilter',
    'ParamSmoother',
    'ResultWriter',
    'axis_angle_to_rot6d',
    'check_inputs',
    'count_frames',
    'export_bvh',
    'export_glb',
    'export_onnx',
    'inference_mesh',
    'inference_mesh_batch',
    'init_model',
    'load_model_weights',
    'prediction_params',
    'read_npz',
    'rot6d_to_axis_angle',
    'valid_person_boxes',
]
