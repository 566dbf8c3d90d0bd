from .mesh_visualization_hook import MeshVisualizationHook
from .validate_before_train_hook import ValidateBeforeTrainHook

__all__ = ['MeshVisualizationHook', 'ValidateBeforeTrainHook']
