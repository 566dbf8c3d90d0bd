"""Write the OpenCV 4 warp fixture of ``tests/data/opencv4_warp``.

The reference (and its released weights) cropped with OpenCV 4, whose
``cv2.warpAffine`` samples at 1/32 pixel; :func:`h4w.structures.warp_affine`
reproduces it under any OpenCV. This script records OpenCV 4's outputs on
a small synthetic image so that the tests can check that claim without
OpenCV 4. It NEEDS OpenCV 4 (it refuses to run under another version),
e.g. in a separate target directory::

    pip install --target /tmp/cv4 --no-deps \\
        opencv-python-headless==4.10.0.84
    PYTHONPATH=/tmp/cv4 python tools/misc/make_opencv4_warp_fixture.py

It does not import h4w: the crop case follows the reference's
``generate_patch_image`` (box centre and sizes in float64, points
rounded to float32, float32 matrix).

Written arrays (``np.savez_compressed``):

* ``img`` (48, 64) float32 grey image with sharp edges (checkerboard of
  8-pixel squares and a disc off the pixel grid), ``img_u8`` its uint8
  rounding.
* ``matrices`` (N, 2, 3) float32 source -> output maps (scale, rotation,
  flip, sub-pixel shifts, border) and ``out_size`` (2,) output (W, H);
  ``warp_f32`` (N, H, W) float32 and ``warp_u8`` (N, H, W) uint8 outputs
  of ``cv2.warpAffine(..., flags=cv2.INTER_LINEAR)``.
* Crop case: ``crop_img`` (48, 64, 3) float32 RGB image (``img``,
  ``img / 2``, ``255 - img``), ``crop_bbox`` (4,) float32 xywh,
  ``crop_aug`` (3,) float64 (scale, rotation degrees, flip 0 / 1),
  ``crop_size`` (2,) (H, W) and ``crop`` (H, W, 3) float32: the
  reference crop (``generate_patch_image``, flip included).
"""

import argparse
import math
import os.path as osp

import cv2
import numpy as np

DEFAULT_OUT = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
    'tests',
    'data',
    'opencv4_warp',
    'warp_cases.npz',
)

#: Output (W, H) of the plain warps.
OUT_SIZE = (24, 32)


def grey_image() -> np.ndarray:
    """(48, 64) float32: 8-pixel checkerboard (20.25 / 230.75) with a disc
    (150.5) centred off the pixel grid."""
    yy, xx = np.mgrid[:48, :64].astype(np.float64)
    img = np.where((xx // 8 + yy // 8) % 2 == 0, 20.25, 230.75)
    disc = (xx - 40.3) ** 2 + (yy - 22.7) ** 2 < 11.6**2
    return np.where(disc, 150.5, img).astype(np.float32)


def _similarity(scale, rot_deg, shift, flip=False) -> np.ndarray:
    """(2, 3) float32 map: optional mirror, rotation, scale, shift."""
    rad = math.radians(rot_deg)
    lin = scale * np.array(
        [[math.cos(rad), -math.sin(rad)], [math.sin(rad), math.cos(rad)]]
    )
    if flip:
        lin = lin @ np.diag([-1.0, 1.0])
    return np.hstack([lin, np.reshape(shift, (2, 1))]).astype(np.float32)


def matrices() -> np.ndarray:
    """(N, 2, 3) float32 test maps (image -> output pixels)."""
    return np.stack(
        [
            _similarity(0.5, 0.0, (0.13, 0.37)),  # downscale
            _similarity(1.7, 0.0, (-40.3, -25.6)),  # zoom, sub-pixel shift
            _similarity(0.8, 30.0, (1.9, -6.2)),  # rotation
            _similarity(0.6, 0.0, (38.21, 1.1), flip=True),  # mirror
            _similarity(1.3, -45.0, (-12.7, 20.4)),  # rotation, border
            _similarity(1.1, 163.0, (30.3, 50.9), flip=True),
        ]
    )


def reference_crop_matrix(bbox, scale, rot, flip, out_hw, img_width):
    """The reference's ``img2bb_trans`` (generate_patch_image): box
    centre in float64, then float32 points, float32 matrix."""
    x, y, w, h = (float(v) for v in bbox)
    c_x, c_y = x + 0.5 * w, y + 0.5 * h
    if flip:
        c_x = img_width - c_x - 1
    rad = np.pi * rot / 180

    def rotate(pt):
        px, py = (float(v) for v in np.asarray(pt, dtype=np.float32))
        sn, cs = np.sin(rad), np.cos(rad)
        return np.array([px * cs - py * sn, px * sn + py * cs], np.float32)

    center = np.array([c_x, c_y], dtype=np.float32)
    src = np.stack(
        [
            center,
            center + rotate((0, h * scale * 0.5)),
            center + rotate((w * scale * 0.5, 0)),
        ]
    ).astype(np.float32)
    out_h, out_w = out_hw
    dst = np.array(
        [
            [out_w * 0.5, out_h * 0.5],
            [out_w * 0.5, out_h * 0.5 + out_h * 0.5],
            [out_w * 0.5 + out_w * 0.5, out_h * 0.5],
        ],
        dtype=np.float32,
    )
    return cv2.getAffineTransform(src, dst).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=DEFAULT_OUT, help='npz to write')
    args = parser.parse_args()
    if cv2.__version__.split('.')[0] != '4':
        raise SystemExit(f'needs OpenCV 4, found {cv2.__version__}')
    img = grey_image()
    img_u8 = np.rint(img).astype(np.uint8)
    mats = matrices()

    def warp(src, mat, size):
        return cv2.warpAffine(src, mat, size, flags=cv2.INTER_LINEAR)

    bbox = np.array([13.37, 5.71, 31.19, 41.53], dtype=np.float32)
    aug = np.array([1.1, 17.0, 1.0])
    crop_size = np.array([32, 24])
    color = np.stack([img, img / 2, 255 - img], -1).astype(np.float32)
    crop_mat = reference_crop_matrix(
        bbox, aug[0], aug[1], bool(aug[2]), crop_size, img.shape[1]
    )
    # the reference mirrors the whole image before the warp
    flipped = np.ascontiguousarray(color[:, ::-1] if aug[2] else color)
    np.savez_compressed(
        args.out,
        img=img,
        img_u8=img_u8,
        matrices=mats,
        out_size=np.array(OUT_SIZE),
        warp_f32=np.stack([warp(img, m, OUT_SIZE) for m in mats]),
        warp_u8=np.stack([warp(img_u8, m, OUT_SIZE) for m in mats]),
        crop_img=color,
        crop_bbox=bbox,
        crop_aug=aug,
        crop_size=crop_size,
        crop=warp(flipped, crop_mat, (int(crop_size[1]), int(crop_size[0]))),
    )
    print(f'wrote {args.out} (OpenCV {cv2.__version__})')


if __name__ == '__main__':
    main()
