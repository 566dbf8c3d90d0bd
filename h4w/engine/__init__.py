from .checkpoint import (
    UntrustedCheckpointError,
    load_checkpoint_file,
    trusted_checkpoints,
)
from .checkpoint_conversion import (
    DEFAULT_CONFIGS,
    KEY_MAPS,
    ConversionError,
    LoadedWeights,
    check_shapes,
    convert_state_dict,
    expected_shapes,
    extract_state_dict,
    load_weights,
    map_key,
    save_checkpoint_atomic,
)
from .hooks import MeshVisualizationHook, ValidateBeforeTrainHook
from .runner import H4WRunner

__all__ = [
    'DEFAULT_CONFIGS',
    'KEY_MAPS',
    'ConversionError',
    'H4WRunner',
    'LoadedWeights',
    'MeshVisualizationHook',
    'UntrustedCheckpointError',
    'ValidateBeforeTrainHook',
    'check_shapes',
    'convert_state_dict',
    'expected_shapes',
    'extract_state_dict',
    'load_checkpoint_file',
    'load_weights',
    'map_key',
    'save_checkpoint_atomic',
    'trusted_checkpoints',
]
