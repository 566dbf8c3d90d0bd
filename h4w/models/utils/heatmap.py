"""Soft-argmax and joint-feature sampling (spec §2.4, §2.5, §2.8).

Coordinates are in heat-map index units: 0 is the centre of the first
cell, W - 1 the centre of the last.
"""

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ['soft_argmax_2d', 'soft_argmax_3d', 'sample_joint_features']


def soft_argmax_2d(heatmap: Tensor) -> Tensor:
    """Expected (x, y) under a softmax over the H*W cells.

    Args:
        heatmap (Tensor): Logits (N, J, H, W).

    Returns:
        Tensor: (N, J, 2), x in [0, W-1], y in [0, H-1].
    """
    n, j, h, w = heatmap.shape
    prob = F.softmax(heatmap.reshape(n, j, h * w), dim=2).reshape(n, j, h, w)
    xs = torch.arange(w, dtype=prob.dtype, device=prob.device)
    ys = torch.arange(h, dtype=prob.dtype, device=prob.device)
    x = (prob.sum(dim=2) * xs).sum(dim=2, keepdim=True)
    y = (prob.sum(dim=3) * ys).sum(dim=2, keepdim=True)
    return torch.cat((x, y), dim=2)


def soft_argmax_3d(heatmap: Tensor) -> Tensor:
    """Expected (x, y, z) under a softmax over the D*H*W cells.

    Args:
        heatmap (Tensor): Logits (N, J, D, H, W).

    Returns:
        Tensor: (N, J, 3) as (x, y, z) in index units.
    """
    n, j, d, h, w = heatmap.shape
    prob = F.softmax(heatmap.reshape(n, j, d * h * w), dim=2)
    prob = prob.reshape(n, j, d, h, w)
    xs = torch.arange(w, dtype=prob.dtype, device=prob.device)
    ys = torch.arange(h, dtype=prob.dtype, device=prob.device)
    zs = torch.arange(d, dtype=prob.dtype, device=prob.device)
    x = (prob.sum(dim=(2, 3)) * xs).sum(dim=2, keepdim=True)
    y = (prob.sum(dim=(2, 4)) * ys).sum(dim=2, keepdim=True)
    z = (prob.sum(dim=(3, 4)) * zs).sum(dim=2, keepdim=True)
    return torch.cat((x, y, z), dim=2)


def sample_joint_features(feat: Tensor, coords: Tensor) -> Tensor:
    """Bilinear features at joint positions (zero outside the map).

    Args:
        feat (Tensor): (N, C, H, W).
        coords (Tensor): (N, J, >=2), x and y in index units of ``feat``.

    Returns:
        Tensor: (N, J, C).
    """
    h, w = feat.shape[2:]
    x = coords[:, :, 0] / (w - 1) * 2 - 1
    y = coords[:, :, 1] / (h - 1) * 2 - 1
    grid = torch.stack((x, y), dim=2)[:, :, None, :]
    sampled = F.grid_sample(feat, grid, align_corners=True)
    return sampled[:, :, :, 0].permute(0, 2, 1).contiguous()
