from .fitted_whole_body_mesh_metric import FittedWholeBodyMeshMetric

__all__ = ['FittedWholeBodyMeshMetric']
