"""Crops sample as the reference's OpenCV 4 does, whatever OpenCV is
installed: against the OpenCV 4.10 outputs of ``tests/data/opencv4_warp``
(written by ``tools/misc/make_opencv4_warp_fixture.py``)."""

import os.path as osp

import cv2
import numpy as np
import pytest

from h4w.datasets.transforms import MeshTopdownAffine
from h4w.structures import warp_affine

FIXTURE = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
    'data',
    'opencv4_warp',
    'warp_cases.npz',
)


@pytest.fixture(scope='module')
def cases():
    with np.load(FIXTURE) as data:
        return {key: data[key] for key in data.files}


def _max_diff(a, b) -> float:
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max())


@pytest.mark.parametrize(
    'img_key,out_key,atol',
    [('img', 'warp_f32', 1e-3), ('img_u8', 'warp_u8', 1)],
)
def test_warp_affine_equals_opencv4(cases, img_key, out_key, atol):
    size = tuple(int(v) for v in cases['out_size'])
    for mat, expected in zip(cases['matrices'], cases[out_key]):
        out = warp_affine(cases[img_key], mat, size)
        assert out.dtype == expected.dtype and out.shape == expected.shape
        assert _max_diff(out, expected) <= atol


@pytest.mark.skipif(
    cv2.__version__.startswith('4.'), reason='OpenCV 4 is the reference'
)
def test_plain_warp_of_the_installed_opencv_differs(cases):
    """The fixture is meaningful: this OpenCV's own warpAffine is more
    than one grey level off OpenCV 4 on some case."""
    size = tuple(int(v) for v in cases['out_size'])
    diffs = [
        _max_diff(
            cv2.warpAffine(cases['img'], mat, size, flags=cv2.INTER_LINEAR),
            expected,
        )
        for mat, expected in zip(cases['matrices'], cases['warp_f32'])
    ]
    assert max(diffs) > 1


def test_crop_equals_the_reference_opencv4_crop(cases):
    """MeshTopdownAffine (flip, scale, rotation) crops as the reference's
    generate_patch_image under OpenCV 4."""
    scale, rot, flip = cases['crop_aug']
    codec = dict(
        type='MeshCodec',
        input_size=tuple(cases['crop_size']),
        heatmap_size=(8, 8, 6),
    )
    out = MeshTopdownAffine(codec).transform(
        dict(
            img=cases['crop_img'],
            bbox=cases['crop_bbox'],
            aug_scale=scale,
            rot=rot,
            flip=bool(flip),
        )
    )
    assert out['img'].shape == cases['crop'].shape
    assert _max_diff(out['img'], cases['crop']) <= 1e-3
