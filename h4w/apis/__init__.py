"""Inference, deployment and export APIs.

Importing :mod:`h4w.apis` does not import torch: the names that need it
(``init_model``, ``inference_mesh``, ``export_onnx`` ...) are imported on
first use, so that the onnxruntime backend (:class:`ONNXMeshModel`,
``MeshInferencer(backend='onnxruntime')``) runs without torch installed.
"""

from h4w.utils.lazy_import import lazy_attributes

from .animation_export import AnimationExportError, export_bvh, export_glb
from .detectors import (
    BasePersonDetector,
    FullFramePersonDetector,
    JSONPersonDetector,
    ONNXPersonDetector,
    build_person_detector,
    person_detector_config,
)
from .mesh_inferencer import (
    BACKENDS,
    Frame,
    MeshInferencer,
    check_inputs,
    count_frames,
)
from .onnx_mesh_model import ONNXMeshModel
from .person_boxes import BoxJson
from .person_crops import crop_people, valid_person_boxes
from .result_writer import NPZ_KEYS, ResultWriter, read_npz
from .tracking import BoxTracker

# need torch: imported on first use
__getattr__ = lazy_attributes(
    __name__,
    {
        'CheckpointMismatchError': '.inference',
        'inference_mesh': '.inference',
        'inference_mesh_batch': '.inference',
        'init_model': '.inference',
        'load_model_weights': '.inference',
        'prediction_params': '.inference',
        'MeshOnnxWrapper': '.onnx_export',
        'export_onnx': '.onnx_export',
        'OneEuroFilter': '.smoothing',
        'ParamSmoother': '.smoothing',
        'axis_angle_to_rot6d': '.smoothing',
        'rot6d_to_axis_angle': '.smoothing',
    },
)

__all__ = [
    'AnimationExportError',
    'BACKENDS',
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
    'ONNXMeshModel',
    'ONNXPersonDetector',
    'OneEuroFilter',
    'ParamSmoother',
    'ResultWriter',
    'axis_angle_to_rot6d',
    'build_person_detector',
    'check_inputs',
    'count_frames',
    'crop_people',
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
