"""roi_align against a literal, loop-per-sample port of torchvision's
CPU kernel (``roi_align_forward_kernel_impl``), written here in numpy
scalars of the input's dtype so that float32 coordinates round like the
C++ ``T`` arithmetic."""

import math

import numpy as np
import pytest
import torch

from h4w.models.task_modules import roi_align

from tests.conftest import load_tool


def ref_bilinear(fmap, y, x, T):
    """fmap: (C, H, W) numpy array; y, x: numpy scalars of type T."""
    _, height, width = fmap.shape
    if y < -1.0 or y > height or x < -1.0 or x > width:
        return np.zeros(fmap.shape[0], T)
    if y <= 0:
        y = T(0)
    if x <= 0:
        x = T(0)
    y_low, x_low = int(y), int(x)
    if y_low >= height - 1:
        y_high = y_low = height - 1
        y = T(y_low)
    else:
        y_high = y_low + 1
    if x_low >= width - 1:
        x_high = x_low = width - 1
        x = T(x_low)
    else:
        x_high = x_low + 1
    ly, lx = y - T(y_low), x - T(x_low)
    hy, hx = T(1) - ly, T(1) - lx
    w1, w2, w3, w4 = hy * hx, hy * lx, ly * hx, ly * lx
    return (
        w1 * fmap[:, y_low, x_low]
        + w2 * fmap[:, y_low, x_high]
        + w3 * fmap[:, y_high, x_low]
        + w4 * fmap[:, y_high, x_high]
    )


def ref_roi_params(
    roi, out_h, out_w, spatial_scale, sampling_ratio, aligned, T
):
    offset = T(0.5) if aligned else T(0)
    scale = T(spatial_scale)
    start_w = T(roi[1]) * scale - offset
    start_h = T(roi[2]) * scale - offset
    end_w = T(roi[3]) * scale - offset
    end_h = T(roi[4]) * scale - offset
    roi_w, roi_h = end_w - start_w, end_h - start_h
    if not aligned:
        roi_w, roi_h = max(roi_w, T(1)), max(roi_h, T(1))
    bin_h, bin_w = roi_h / T(out_h), roi_w / T(out_w)
    grid_h = (
        sampling_ratio
        if sampling_ratio > 0
        else int(math.ceil(roi_h / T(out_h)))
    )
    grid_w = (
        sampling_ratio
        if sampling_ratio > 0
        else int(math.ceil(roi_w / T(out_w)))
    )
    count = max(grid_h * grid_w, 1)
    return start_h, start_w, bin_h, bin_w, grid_h, grid_w, count


def ref_bin(
    img,
    roi,
    ph,
    pw,
    out_h,
    out_w,
    spatial_scale=1.0,
    sampling_ratio=-1,
    aligned=False,
):
    """Value of bin (ph, pw) of one RoI; img is a (N, C, H, W) array."""
    T = img.dtype.type
    start_h, start_w, bin_h, bin_w, grid_h, grid_w, count = ref_roi_params(
        roi, out_h, out_w, spatial_scale, sampling_ratio, aligned, T
    )
    fmap = img[int(roi[0])]
    total = np.zeros(img.shape[1], T)
    for iy in range(grid_h):
        y = start_h + T(ph) * bin_h + T(iy + 0.5) * bin_h / T(grid_h)
        for ix in range(grid_w):
            x = start_w + T(pw) * bin_w + T(ix + 0.5) * bin_w / T(grid_w)
            total += ref_bilinear(fmap, y, x, T)
    return total / T(count)


def ref_roi_align(
    img,
    boxes,
    output_size,
    spatial_scale=1.0,
    sampling_ratio=-1,
    aligned=False,
):
    img, boxes = img.numpy(), boxes.numpy()
    out_h, out_w = output_size
    out = np.zeros((len(boxes), img.shape[1], out_h, out_w), img.dtype)
    for k, roi in enumerate(boxes):
        for ph in range(out_h):
            for pw in range(out_w):
                out[k, :, ph, pw] = ref_bin(
                    img,
                    roi,
                    ph,
                    pw,
                    out_h,
                    out_w,
                    spatial_scale,
                    sampling_ratio,
                    aligned,
                )
    return torch.from_numpy(out)


# image 17 x 23 (H x W), boxes in image pixels (spatial_scale 1)
MIXED_BOXES = [
    [0, 2.3, 3.1, 15.7, 12.4],  # inside
    [0, -5.2, 4.4, 6.3, 10.1],  # out on the left
    [1, 15.5, 2.2, 29.7, 9.9],  # out on the right
    [1, 3.3, -6.6, 12.1, 5.5],  # out at the top
    [0, 4.4, 10.5, 14.2, 24.8],  # out at the bottom
    [1, 30.2, 20.5, 40.1, 28.3],  # fully outside (bottom right)
    [0, -20.0, -15.0, -5.0, -3.0],  # fully outside (top left)
    [0, -0.9, -0.8, -0.2, -0.1],  # outside, within the 1-px margin
    [0, 5.2, 6.1, 5.6, 6.3],  # tiny (< 1 px)
    [1, 10.5, 8.2, 6.1, 12.7],  # x2 < x1
    [0, 20.0, 15.0, 5.0, 3.0],  # x2 < x1 and y2 < y1
    [0, -3.0, -2.5, 27.7, 21.9],  # large: grid 4 x 7 (adaptive)
    [1, 0.0, 0.0, 23.0, 17.0],  # the whole image, integer edges
    [0, 18.0, 3.0, 23.0, 9.0],  # touching the right edge exactly
    [1, 7.25, 1.5, 19.75, 16.0],  # grid 3 x 3
]


def random_image(shape, dtype, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=gen, dtype=torch.float64).to(dtype)


@pytest.mark.parametrize(
    'dtype,atol', [(torch.float64, 1e-10), (torch.float32, 1e-5)]
)
@pytest.mark.parametrize('aligned', [False, True])
@pytest.mark.parametrize('sampling_ratio', [-1, 2])
def test_matches_loop_reference(dtype, atol, aligned, sampling_ratio):
    img = random_image((2, 2, 17, 23), dtype)
    boxes = torch.tensor(MIXED_BOXES, dtype=dtype)
    out = roi_align(
        img, boxes, (7, 5), sampling_ratio=sampling_ratio, aligned=aligned
    )
    ref = ref_roi_align(
        img, boxes, (7, 5), sampling_ratio=sampling_ratio, aligned=aligned
    )
    assert out.shape == (len(MIXED_BOXES), 2, 7, 5)
    assert out.dtype == dtype
    torch.testing.assert_close(out, ref, rtol=0, atol=atol)
    # the mix really covers what it claims to
    zero_rows = ref.flatten(1).abs().amax(1) == 0
    assert zero_rows[5] and zero_rows[6] and not zero_rows[7]
    if sampling_ratio < 0:
        grids = {
            ref_roi_params(b, 7, 5, 1.0, -1, aligned, np.float64)[4:6]
            for b in MIXED_BOXES
        }
        assert {(4, 7), (3, 3), (1, 1)} <= grids


def test_spatial_scale_matches_reference():
    img = random_image((2, 3, 9, 12), torch.float64, seed=1)
    boxes = torch.tensor(MIXED_BOXES, dtype=torch.float64)
    for aligned in (False, True):
        out = roi_align(img, boxes, (4, 3), spatial_scale=0.5, aligned=aligned)
        ref = ref_roi_align(
            img, boxes, (4, 3), spatial_scale=0.5, aligned=aligned
        )
        torch.testing.assert_close(out, ref, rtol=0, atol=1e-10)


@pytest.mark.parametrize(
    'dtype,atol', [(torch.float64, 1e-10), (torch.float32, 1e-5)]
)
def test_large_box_into_large_output(dtype, atol):
    """A 600-px box into a 256 x 256 output (grid 2 x 3) next to a small
    one (grid 1 x 1); the reference is evaluated on a random subset of
    bins."""
    img = random_image((1, 2, 300, 400), dtype, seed=2)
    boxes = torch.tensor(
        [[0, -50.3, -20.7, 549.9, 330.2], [0, 10.0, 20.0, 200.0, 220.0]],
        dtype=dtype,
    )
    out = roi_align(img, boxes, (256, 256))
    assert out.shape == (2, 2, 256, 256)
    img_np, boxes_np = img.numpy(), boxes.numpy()
    assert ref_roi_params(
        boxes_np[0], 256, 256, 1.0, -1, False, img_np.dtype.type
    )[4:6] == (2, 3)
    gen = torch.Generator().manual_seed(3)
    bins = torch.randint(0, 256, (2, 60, 2), generator=gen)
    bins[:, :4] = torch.tensor([[0, 0], [0, 255], [255, 0], [255, 255]])
    for k in range(2):
        for ph, pw in bins[k].tolist():
            ref = ref_bin(img_np, boxes_np[k], ph, pw, 256, 256)
            np.testing.assert_allclose(
                out[k, :, ph, pw].numpy(), ref, rtol=0, atol=atol
            )


@pytest.mark.parametrize('aligned', [False, True])
def test_constant_image(aligned):
    img = torch.full((1, 3, 10, 12), 5.0, dtype=torch.float64)
    boxes = torch.tensor(
        [[0, 1.3, 2.2, 10.9, 8.7], [0, 0, 0, 12, 10]], dtype=torch.float64
    )
    out = roi_align(img, boxes, (4, 6), aligned=aligned)
    torch.testing.assert_close(
        out, torch.full_like(out, 5.0), rtol=0, atol=1e-12
    )


@pytest.mark.parametrize('aligned', [False, True])
def test_ramp_gives_bin_centres(aligned):
    """v = 10 * row + column is reproduced exactly by bilinear sampling,
    and the samples of a bin are symmetric about its centre."""
    rows, cols = torch.meshgrid(
        torch.arange(16.0), torch.arange(20.0), indexing='ij'
    )
    img = (10 * rows + cols)[None, None].double()
    boxes = torch.tensor([[0, 2.0, 4.0, 12.0, 10.0]], dtype=torch.float64)
    out = roi_align(img, boxes, (3, 5), aligned=aligned)  # grid 2 x 2
    # bins are 2 x 2 px: centres y = 5, 7, 9 and x = 3, 5, 7, 9, 11
    expected = torch.tensor(
        [
            [53.0, 55.0, 57.0, 59.0, 61.0],
            [73.0, 75.0, 77.0, 79.0, 81.0],
            [93.0, 95.0, 97.0, 99.0, 101.0],
        ],
        dtype=torch.float64,
    )
    if aligned:  # corners shifted by half a pixel
        expected = expected - 0.5 * 10 - 0.5
    torch.testing.assert_close(out[0, 0], expected, rtol=0, atol=1e-12)


def test_samples_on_the_validity_border():
    """A sample exactly at -1 or at H / W is still valid (the clamped edge
    value); one just beyond is zero. Each box below has a single sample,
    at its centre."""
    img = random_image((1, 2, 6, 8), torch.float64, seed=7)
    centres = [
        (-1.0, -1.0),
        (6.0, 8.0),
        (-1.0, 8.0),
        (6.0, -1.0),
        (-1.001, 3.0),
        (3.0, 8.001),
        (6.001, 3.0),
        (3.0, -1.001),
    ]
    boxes = torch.tensor(
        [[0, x - 0.5, y - 0.5, x + 0.5, y + 0.5] for y, x in centres],
        dtype=torch.float64,
    )
    out = roi_align(img, boxes, (1, 1))[:, :, 0, 0]
    corners = img[0][:, [0, 5, 0, 5], [0, 7, 7, 0]].T
    torch.testing.assert_close(out[:4], corners, rtol=0, atol=0)
    assert out[4:].eq(0).all()
    torch.testing.assert_close(
        out, ref_roi_align(img, boxes, (1, 1))[:, :, 0, 0], rtol=0, atol=0
    )


def test_fixed_sampling_ratio_counts_outside_samples():
    """A bin whose samples are all out of range is 0; one half-outside
    averages its inside samples over the full count."""
    img = torch.ones(1, 1, 4, 4, dtype=torch.float64)
    # x from 2 to 10: bin 0 covers x in [2, 6] with samples at 3 and 5
    # (5 > W = 4 is outside), bin 1 covers [6, 10], all outside
    boxes = torch.tensor([[0, 2.0, 0.0, 10.0, 4.0]], dtype=torch.float64)
    out = roi_align(img, boxes, (1, 2), sampling_ratio=2)
    torch.testing.assert_close(
        out, torch.tensor([[[[0.5, 0.0]]]], dtype=torch.float64)
    )


def test_no_boxes():
    out = roi_align(torch.rand(2, 3, 8, 8), torch.zeros(0, 5), (4, 4))
    assert out.shape == (0, 3, 4, 4)


def test_gradcheck():
    img = random_image((2, 2, 6, 7), torch.float64, seed=4)
    img.requires_grad_(True)
    boxes = torch.tensor(
        [
            [0, 0.7, 1.2, 5.3, 4.9],
            [1, -1.5, 2.5, 4.1, 7.8],
            [1, 4.2, 3.3, 6.9, 5.9],
            [0, 2.1, 1.1, 2.4, 1.3],
        ],
        dtype=torch.float64,
    )
    for aligned in (False, True):
        assert torch.autograd.gradcheck(
            lambda x: roi_align(x, boxes, (3, 4), aligned=aligned), (img,)
        )


def test_gradient_is_the_adjoint():
    """The gradient of <roi_align(img), g> is the transpose applied to g,
    so it must match the reference evaluated on unit images."""
    img = random_image((1, 1, 5, 6), torch.float64, seed=5)
    img.requires_grad_(True)
    boxes = torch.tensor(
        [[0, 0.5, 0.5, 4.5, 3.5], [0, -1, 1, 7, 6]], dtype=torch.float64
    )
    grad_out = random_image((2, 1, 2, 3), torch.float64, seed=6)
    (roi_align(img, boxes, (2, 3)) * grad_out).sum().backward()
    expected = torch.zeros(5, 6, dtype=torch.float64)
    for i in range(5):
        for j in range(6):
            unit = torch.zeros(1, 1, 5, 6, dtype=torch.float64)
            unit[0, 0, i, j] = 1
            expected[i, j] = (
                ref_roi_align(unit, boxes, (2, 3)) * grad_out
            ).sum()
    torch.testing.assert_close(img.grad[0, 0], expected, rtol=0, atol=1e-12)


def test_boxes_may_require_grad():
    img = torch.rand(1, 3, 8, 8, requires_grad=True)
    boxes = torch.tensor([[0, 1.0, 1.0, 6.0, 6.0]], requires_grad=True)
    roi_align(img, boxes, (2, 2)).sum().backward()
    assert img.grad is not None and boxes.grad is None


def test_benchmark_script_runs(capsys):
    module = load_tool('analysis_tools/benchmark_roi_align.py')
    rows = module.main(
        [
            '--num-rois',
            '2',
            '--img-shape',
            '32',
            '24',
            '--output-size',
            '16',
            '16',
            '--iters',
            '1',
            '--backward',
        ]
    )
    assert [r['mode'] for r in rows] == ['forward', 'forward+backward']
    assert all(r['ms_per_call'] > 0 and r['peak_mb'] > 0 for r in rows)
    assert 'ms/call' in capsys.readouterr().out
