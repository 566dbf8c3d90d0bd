from .checkpoint import (
    UntrustedCheckpointError,
    load_checkpoint_file,
    trusted_checkpoints,
)
from .runner import H4WRunner

__all__ = [
    'H4WRunner',
    'UntrustedCheckpointError',
    'load_checkpoint_file',
    'trusted_checkpoints',
]
