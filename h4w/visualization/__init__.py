from h4w.utils.lazy_import import lazy_attributes

from .draw import draw_boxes, draw_keypoints, draw_mesh
from .renderer import PALETTE, MeshRenderer, track_color

# an mmengine Visualizer (needs torch): imported on first use
__getattr__ = lazy_attributes(__name__, {'MeshVisualizer': '.mesh_visualizer'})

__all__ = [
    'PALETTE',
    'MeshRenderer',
    'MeshVisualizer',
    'draw_boxes',
    'draw_keypoints',
    'draw_mesh',
    'track_color',
]
