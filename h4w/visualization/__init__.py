from .draw import draw_boxes, draw_keypoints, draw_mesh
from .renderer import PALETTE, MeshRenderer, track_color

__all__ = [
    'PALETTE',
    'MeshRenderer',
    'draw_boxes',
    'draw_keypoints',
    'draw_mesh',
    'track_color',
]
