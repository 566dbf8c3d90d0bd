"""``crop_people``: the crops of both inference backends are the data
pipeline's test-mode crops (process_bbox + MeshTopdownAffine)."""

import numpy as np

from h4w.apis import crop_people
from h4w.datasets.transforms import MeshTopdownAffine
from h4w.structures.bbox import process_bbox


def test_crops_equal_the_test_pipeline():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, (360, 480, 3), dtype=np.uint8)
    boxes = np.array([[40.3, 20.0, 200.0, 330.5], [300, -20, 520, 200]])
    crops = crop_people(img, boxes, (512, 384))
    assert len(crops) == 2
    pipeline = MeshTopdownAffine(
        dict(type='MeshCodec', input_size=(512, 384), heatmap_size=(8, 8, 6))
    )
    for box, crop in zip(boxes, crops):
        xywh = (box[0], box[1], box[2] - box[0], box[3] - box[1])
        crop_box = process_bbox(xywh, 480, 360, aspect_ratio=384 / 512)
        expected = pipeline(dict(img=img.astype(np.float32), bbox=crop_box))
        for key in ('img', 'img2bb_trans', 'bb2img_trans'):
            assert crop[key].dtype == np.float32
            np.testing.assert_array_equal(crop[key], expected[key])
        x, y, w, h = crop_box
        np.testing.assert_allclose(crop['crop_bbox'], [x, y, x + w, y + h])
        np.testing.assert_array_equal(crop['bbox'], box)


def test_unusable_boxes_are_skipped():
    img = np.zeros((100, 80, 3), np.uint8)
    boxes = np.array([[10, 10, 10, 50], [200, 200, 300, 300], [5, 5, 60, 90]])
    crops = crop_people(img, boxes, (256, 256))
    assert [c['bbox'].tolist() for c in crops] == [[5, 5, 60, 90]]
    (whole,) = crop_people(img, None, (256, 256))
    assert whole['bbox'].tolist() == [0, 0, 80, 100]
    assert whole['img'].shape == (256, 256, 3)
