from .draw import draw_boxes, draw_keypoints, draw_mesh
from .mesh_visualizer import MeshVisualizer
from .renderer import PALETTE, MeshRenderer, track_color

__all__ = [
    'PALETTE',
    'MeshRenderer',
    'MeshVisualizer',
    'draw_boxes',
    'draw_keypoints',
    'draw_mesh',
    'track_color',
]
