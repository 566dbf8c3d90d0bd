from .animation_export import (
    AnimationExportError,
    export_bvh,
    export_glb,
)
from .detectors import (
    BasePersonDetector,
    FullFramePersonDetector,
    JSONPersonDetector,
    ONNXPersonDetector,
    build_person_detector,
    person_detector_config,
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
    'BasePersonDetector',
    'BoxJson',
    'BoxTracker',
    'CheckpointMismatchError',
    'Frame',
    'FullFramePersonDetector',
    'JSONPersonDetector',
    'MeshInferencer',
    'MeshOnnxWrapper',
    'NPZ_KEYS',
    'ONNXPersonDetector',
    'OneEuroFilter',
    'ParamSmoother',
    'ResultWriter',
    'axis_angle_to_rot6d',
    'build_person_detector',
    'check_inputs',
    'count_frames',
    'export_bvh',
    'export_glb',
    'export_onnx',
    'inference_mesh',
    'inference_mesh_batch',
    'init_model',
    'load_model_weights',
    'person_detector_config',
    'prediction_params',
    'read_npz',
    'rot6d_to_axis_angle',
    'valid_person_boxes',
]
