from .draw import draw_boxes, draw_keypoints, draw_mesh

__all__ = ['draw_boxes', 'draw_keypoints', 'draw_mesh']
