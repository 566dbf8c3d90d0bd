"""Hand / face boxes from the box head (spec §2.6)."""

from typing import Sequence

import torch
from torch import Tensor

__all__ = ['restore_bbox']


def restore_bbox(
    center: Tensor,
    size: Tensor,
    aspect_ratio: float,
    extension: float,
    input_body_shape: Sequence[int],
    output_hm_shape: Sequence[int],
) -> Tensor:
    """Square-up and enlarge a predicted part box.

    Args:
        center (Tensor): (N, 2) in body heat-map units.
        size (Tensor): (N, 2) (w, h) in body heat-map units.
        aspect_ratio (float): W / H of the part crop.
        extension (float): Enlargement (hands 2.0, face 1.5).
        input_body_shape: (H, W) of the body input, e.g. (256, 192).
        output_hm_shape: (D, H, W) of the body heat map, e.g. (8, 8, 6).

    Returns:
        Tensor: (N, 4) xyxy in body-input pixels.
    """
    x1 = (
        (center[:, 0] - size[:, 0] / 2)
        / output_hm_shape[2]
        * input_body_shape[1]
    )
    y1 = (
        (center[:, 1] - size[:, 1] / 2)
        / output_hm_shape[1]
        * input_body_shape[0]
    )
    x2 = (
        (center[:, 0] + size[:, 0] / 2)
        / output_hm_shape[2]
        * input_body_shape[1]
    )
    y2 = (
        (center[:, 1] + size[:, 1] / 2)
        / output_hm_shape[1]
        * input_body_shape[0]
    )
    w, h = x2 - x1, y2 - y1
    c_x, c_y = x1 + w / 2, y1 + h / 2
    wider = w > aspect_ratio * h
    taller = w < aspect_ratio * h
    h = torch.where(wider, w / aspect_ratio, h)
    w = torch.where(taller, h * aspect_ratio, w)
    w, h = w * extension, h * extension
    x1, y1 = c_x - w / 2, c_y - h / 2
    return torch.stack((x1, y1, x1 + w, y1 + h), dim=1)
