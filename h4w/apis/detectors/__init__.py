from .base_person_detector import BasePersonDetector
from .builder import build_person_detector, person_detector_config
from .full_frame_person_detector import FullFramePersonDetector
from .json_person_detector import JSONPersonDetector
from .onnx_person_detector import ONNXPersonDetector, letterbox, nms

__all__ = [
    'BasePersonDetector',
    'FullFramePersonDetector',
    'JSONPersonDetector',
    'ONNXPersonDetector',
    'build_person_detector',
    'letterbox',
    'nms',
    'person_detector_config',
]
