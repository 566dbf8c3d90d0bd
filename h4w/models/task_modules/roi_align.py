"""RoIAlign in pure PyTorch, with the semantics of torchvision's kernel.

torchvision is not a dependency of h4w, so :func:`roi_align` re-implements
the CPU/CUDA kernel of ``torchvision.ops.roi_align`` (Mask R-CNN RoIAlign,
including the ``aligned`` variant of Detectron2) with ordinary tensor ops.

Bilinear sampling is separable: the value of a sample is
``sum_{a, b} wy_a * wx_b * v[y_a, x_b]`` over the two rows ``y_a`` and two
columns ``x_b`` around it, and a sample is dropped when either of its
coordinates is out of range. The average over a bin's
``grid_h x grid_w`` samples is therefore an interpolation along y followed
by one along x, each a fixed-size weighted sum of gathered rows. Both are
done with :func:`torch.nn.functional.embedding_bag` (``mode='sum'`` with
``per_sample_weights``), which sums the weighted rows without materialising
one tensor per sample: memory is ``O(K * C * out_h * W)`` whatever the
sampling grid, and the backward pass is a scatter-add into the input.
"""

from typing import Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ['roi_align']


def _sample_axis(
    start: Tensor,
    bin_size: Tensor,
    grid: Tensor,
    out_len: int,
    max_grid: int,
    size: int,
) -> Tuple[Tensor, Tensor]:
    """Rows (or columns) and weights of every sample along one axis.

    Args:
        start (Tensor): ``(K,)`` RoI start (``roi_start_h`` or
            ``roi_start_w``) in feature-map pixels.
        bin_size (Tensor): ``(K,)`` bin size along the axis.
        grid (Tensor): ``(K,)`` integer number of samples per bin along the
            axis; samples ``i >= grid`` (padding up to ``max_grid``) get zero
            weight, and so does every sample of a RoI with ``grid <= 0``.
        out_len (int): Number of bins along the axis.
        max_grid (int): Samples per bin that are computed (``>= 1``).
        size (int): Feature-map length along the axis (``H`` or ``W``).

    Returns:
        Tuple[Tensor, Tensor]: ``index`` (long) and ``weight`` (dtype of
        ``start``), both ``(K, out_len, max_grid * 2)``: for each bin, the
        low and high neighbour of each sample and their bilinear weights
        (zero for padding and out-of-range samples).
    """
    dtype, device = start.dtype, start.device
    bins = torch.arange(out_len, dtype=dtype, device=device)
    steps = torch.arange(max_grid, dtype=dtype, device=device) + 0.5
    grid_t = grid.clamp(min=1).to(dtype)
    # same operation order as the kernel:
    # start + p * bin_size + (i + .5) * bin_size / grid
    coord = (
        start[:, None, None] + bins[None, :, None] * bin_size[:, None, None]
    ) + steps[None, None, :] * bin_size[:, None, None] / grid_t[
        :, None, None
    ]  # (K, out_len, max_grid)
    keep = (
        torch.arange(max_grid, device=device)[None, None, :]
        < grid[:, None, None]
    )
    keep = keep & (coord >= -1.0) & (coord <= size)
    coord = coord.clamp(min=0)
    low = coord.floor().clamp(max=size - 1)
    at_end = low >= size - 1
    coord = torch.where(at_end, low, coord)
    frac = coord - low
    low = low.long().clamp(0, size - 1)  # also keeps NaN boxes in range
    high = (low + 1).clamp(max=size - 1)
    index = torch.stack((low, high), dim=-1)
    weight = torch.stack((1 - frac, frac), dim=-1)
    weight = torch.where(keep[..., None], weight, weight.new_zeros(()))
    return (index.flatten(-2), weight.flatten(-2))


def roi_align(
    input: Tensor,
    boxes: Tensor,
    output_size: Union[int, Tuple[int, int]],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = False,
) -> Tensor:
    """RoIAlign (Mask R-CNN), identical in semantics to torchvision's.

    A RoI ``[x1, y1, x2, y2]`` (input-image pixels) is mapped to the feature
    map as ``x * spatial_scale - offset`` with ``offset = 0.5`` when
    ``aligned`` else ``0``; without ``aligned`` its width and height are
    clamped to at least 1. It is divided into ``out_h x out_w`` bins; each
    bin averages ``grid_h x grid_w`` regularly placed bilinear samples,
    where ``grid = sampling_ratio`` if it is positive, else
    ``ceil(roi_size / out_size)`` per RoI. Pixel ``(i, j)`` of the map is
    the point ``(y, x) = (i, j)``. A sample farther than one pixel outside
    the map contributes zero (but still counts in the average); one within
    that margin takes the value at the clamped position. A RoI with
    ``x2 < x1`` under ``aligned=True`` has no samples and gives zeros.

    Computation is in ``input.dtype`` (``boxes`` are cast to it) and fully
    vectorised over RoIs, bins and samples. The result is differentiable
    w.r.t. ``input``; ``boxes`` are treated as constants (detached), as in
    torchvision.

    Args:
        input (Tensor): Feature map or image ``(N, C, H, W)``, floating.
        boxes (Tensor): RoIs ``(K, 5)``, rows
            ``[batch_index, x1, y1, x2, y2]`` in input-image pixels.
        output_size (int | Tuple[int, int]): ``(out_h, out_w)``, or one int
            for a square output.
        spatial_scale (float): Feature-map pixels per input-image pixel
            (``1.0`` when ``input`` is the image itself).
        sampling_ratio (int): Samples per bin along each axis; ``<= 0``
            for the adaptive ``ceil(roi_size / out_size)``. Memory and time
            grow linearly with it (not quadratically).
        aligned (bool): Shift box corners by -0.5 pixel so that pixel
            centres, not corners, sit on integer coordinates.

    Returns:
        Tensor: Pooled features ``(K, C, out_h, out_w)``, dtype and device
        of ``input``.
    """
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    out_h, out_w = (int(s) for s in output_size)
    if input.dim() != 4:
        raise ValueError(f'input must be (N, C, H, W), got {input.shape}')
    if boxes.dim() != 2 or boxes.shape[1] != 5:
        raise ValueError(f'boxes must be (K, 5), got {boxes.shape}')
    if not input.is_floating_point():
        raise TypeError(f'input must be floating point, got {input.dtype}')
    n, c, h, w = input.shape
    k = boxes.shape[0]
    if k == 0 or c == 0:
        return input.new_zeros((k, c, out_h, out_w))

    boxes = boxes.detach().to(dtype=input.dtype, device=input.device)
    batch = boxes[:, 0].long()
    offset = 0.5 if aligned else 0.0
    start_w = boxes[:, 1] * spatial_scale - offset
    start_h = boxes[:, 2] * spatial_scale - offset
    roi_w = boxes[:, 3] * spatial_scale - offset - start_w
    roi_h = boxes[:, 4] * spatial_scale - offset - start_h
    if not aligned:
        roi_w = roi_w.clamp(min=1)
        roi_h = roi_h.clamp(min=1)
    bin_h = roi_h / out_h
    bin_w = roi_w / out_w
    if sampling_ratio > 0:
        grid_h = torch.full_like(batch, sampling_ratio)
        grid_w = grid_h
        max_h = max_w = sampling_ratio
    else:
        grid_h = torch.ceil(roi_h / out_h).long()
        grid_w = torch.ceil(roi_w / out_w).long()
        max_h = max(int(grid_h.max()), 1)
        max_w = max(int(grid_w.max()), 1)
    count = (grid_h * grid_w).clamp(min=1).to(input.dtype)

    y_index, y_weight = _sample_axis(start_h, bin_h, grid_h, out_h, max_h, h)
    x_index, x_weight = _sample_axis(start_w, bin_w, grid_w, out_w, max_w, w)

    # 1) along y: bag (k, c, ph) = weighted sum of rows (batch_k, c, y) of
    #    the (N * C * H, W) view of the input -> (K, C, out_h, W)
    channel = torch.arange(c, device=input.device)
    rows = (
        batch[:, None, None, None] * c + channel[None, :, None, None]
    ) * h + y_index[:, None]  # (K, C, out_h, 2 * max_h)
    cols = F.embedding_bag(
        rows.reshape(-1, rows.shape[-1]),
        input.reshape(n * c * h, w),
        per_sample_weights=y_weight[:, None]
        .expand_as(rows)
        .reshape(-1, rows.shape[-1]),
        mode='sum',
    )
    # 2) along x: bag (k, pw) = weighted sum of columns (k, x) of the
    #    (K * W, C * out_h) transposed result -> (K, out_w, C, out_h)
    cols = cols.view(k, c * out_h, w).transpose(1, 2).reshape(k * w, c * out_h)
    x_rows = (
        torch.arange(k, device=input.device)[:, None, None] * w + x_index
    )  # (K, out_w, 2 * max_w)
    out = F.embedding_bag(
        x_rows.reshape(k * out_w, -1),
        cols,
        per_sample_weights=x_weight.reshape(k * out_w, -1),
        mode='sum',
    )
    # 3) average: sum over the samples, then divide, like the kernel
    out = out.view(k, out_w * c * out_h) / count[:, None]
    return out.view(k, out_w, c, out_h).permute(0, 2, 3, 1).contiguous()
