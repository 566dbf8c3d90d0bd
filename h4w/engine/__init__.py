from .checkpoint import (
    UntrustedCheckpointError,
    load_checkpoint_file,
    trusted_checkpoints,
)
from .hooks import MeshVisualizationHook, ValidateBeforeTrainHook
from .runner import H4WRunner

__all__ = [
    'H4WRunner',
    'MeshVisualizationHook',
    'UntrustedCheckpointError',
    'ValidateBeforeTrainHook',
    'load_checkpoint_file',
    'trusted_checkpoints',
]
