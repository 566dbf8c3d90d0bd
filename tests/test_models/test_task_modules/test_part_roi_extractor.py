import pytest
import torch
from mmengine.registry import init_default_scope

from h4w.models.task_modules import PartRoIExtractor, roi_align
from h4w.registry import MODELS


def coordinate_image(n, height, width):
    """Channel 0 holds the column (x), channel 1 the row (y), channel 2 the
    sample index; bilinear sampling reproduces them exactly inside."""
    rows, cols = torch.meshgrid(
        torch.arange(height, dtype=torch.float64),
        torch.arange(width, dtype=torch.float64),
        indexing='ij',
    )
    img = torch.stack([cols, rows, torch.zeros_like(rows)])[None].repeat(
        n, 1, 1, 1
    )
    img[:, 2] = torch.arange(n, dtype=torch.float64)[:, None, None]
    return img


def test_output_shape_and_dtype():
    img = torch.rand(2, 3, 512, 384)
    bboxes = torch.tensor(
        [[10.0, 20.0, 60.0, 70.0], [100.0, 150.0, 180.0, 250.0]]
    )
    for size in [(256, 256), (192, 192), (8, 6)]:
        out = PartRoIExtractor(size)(img, bboxes)
        assert out.shape == (2, 3, *size) and out.dtype == img.dtype


def test_boxes_are_scaled_to_the_image():
    """Body-input box (40.25, 60.5)-(104.25, 124.5) is image box
    (80.5, 121)-(208.5, 249): 128 x 128 px, so 8 x 8 bins of 16 px whose
    centres are 88.5 + 16 j (x) and 129 + 16 i (y)."""
    img = coordinate_image(2, 512, 384)
    bboxes = torch.tensor(
        [[40.25, 60.5, 104.25, 124.5], [10.0, 20.0, 30.0, 40.0]],
        dtype=torch.float64,
    )
    out = PartRoIExtractor((8, 8))(img, bboxes)
    centres = torch.arange(8, dtype=torch.float64) * 16
    torch.testing.assert_close(out[0, 0], (88.5 + centres).expand(8, 8))
    torch.testing.assert_close(
        out[0, 1], (129 + centres)[:, None].expand(8, 8)
    )
    # every crop comes from its own image
    torch.testing.assert_close(
        out[:, 2],
        torch.arange(2, dtype=torch.float64)[:, None, None].expand(2, 8, 8),
    )
    # second box: image (20, 40)-(60, 80), 5 px bins
    centres = torch.arange(8, dtype=torch.float64) * 5
    torch.testing.assert_close(out[1, 0], (22.5 + centres).expand(8, 8))
    torch.testing.assert_close(
        out[1, 1], (42.5 + centres)[:, None].expand(8, 8)
    )


def test_x_and_y_scales_follow_width_and_height():
    img = coordinate_image(1, 64, 48)
    extractor = PartRoIExtractor(
        (2, 2), input_img_shape=(64, 48), input_body_shape=(32, 16)
    )  # x3, y2
    out = extractor(
        img, torch.tensor([[2.0, 4.0, 6.0, 12.0]], dtype=torch.float64)
    )
    # image box (6, 8)-(18, 24): bin centres x 9, 15 and y 12, 20
    torch.testing.assert_close(
        out[0, 0],
        torch.tensor([[9.0, 15.0], [9.0, 15.0]], dtype=torch.float64),
    )
    torch.testing.assert_close(
        out[0, 1],
        torch.tensor([[12.0, 12.0], [20.0, 20.0]], dtype=torch.float64),
    )


def test_matches_roi_align_on_scaled_rois():
    gen = torch.Generator().manual_seed(0)
    img = torch.rand(3, 3, 512, 384, generator=gen)
    bboxes = torch.tensor(
        [
            [-5.0, 3.0, 40.0, 50.0],
            [100.0, 120.0, 190.0, 250.0],
            [60.3, 70.7, 61.0, 71.2],
        ]
    )
    out = PartRoIExtractor((16, 12))(img, bboxes)
    rois = torch.tensor(
        [
            [0, -10.0, 6.0, 80.0, 100.0],
            [1, 200.0, 240.0, 380.0, 500.0],
            [2, 120.6, 141.4, 122.0, 142.4],
        ]
    )
    torch.testing.assert_close(
        out, roi_align(img, rois, (16, 12)), rtol=0, atol=0
    )


def test_flip():
    gen = torch.Generator().manual_seed(1)
    img = torch.rand(2, 3, 512, 384, generator=gen)
    bboxes = torch.tensor(
        [[10.0, 20.0, 60.0, 70.0], [100.0, 150.0, 180.0, 250.0]]
    )
    extractor = PartRoIExtractor((32, 24))
    crop = extractor(img, bboxes)
    flipped = extractor(img, bboxes, flip=True)
    torch.testing.assert_close(flipped, torch.flip(crop, dims=[3]))
    assert not torch.equal(flipped, crop)


def test_differentiable_wrt_image_only():
    img = torch.rand(2, 3, 512, 384, requires_grad=True)
    bboxes = torch.tensor(
        [[10.0, 20.0, 60.0, 70.0], [100.0, 150.0, 180.0, 250.0]],
        requires_grad=True,
    )
    PartRoIExtractor((16, 16))(img, bboxes, flip=True).sum().backward()
    assert bboxes.grad is None
    grad = img.grad
    assert grad[0, :, 40:140, 20:120].sum() > 0
    # nothing outside the (scaled) boxes, plus the bilinear neighbours
    assert grad[0, :, 142:].abs().sum() == 0
    assert grad[0, :, :, 122:].abs().sum() == 0
    assert grad[1, :, :298].abs().sum() == 0


def test_rejects_wrong_image_size_and_boxes():
    extractor = PartRoIExtractor((8, 8))
    with pytest.raises(ValueError, match='input_img_shape'):
        extractor(torch.rand(1, 3, 256, 192), torch.zeros(1, 4))
    with pytest.raises(ValueError, match='bboxes'):
        extractor(torch.rand(2, 3, 512, 384), torch.zeros(1, 4))


def test_registry_build():
    init_default_scope('h4w')
    extractor = MODELS.build(
        dict(type='PartRoIExtractor', output_size=(256, 256))
    )
    assert isinstance(extractor, PartRoIExtractor)
    assert extractor.output_size == (256, 256)
    assert extractor.input_img_shape == (512, 384)
    assert extractor.input_body_shape == (256, 192)
    assert 'output_size=(256, 256)' in repr(extractor)
    out = extractor(
        torch.rand(1, 3, 512, 384), torch.tensor([[10.0, 20.0, 60.0, 70.0]])
    )
    assert out.shape == (1, 3, 256, 256)
