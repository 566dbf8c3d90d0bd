"""MeshCodec: crop geometry (spec §2.6, §2.14, §4.3, §5.1), checked against
the spec formulas written out here."""

import numpy as np
import pytest
import torch

from h4w.codecs import MeshCodec, build_codec, discretize_depth
from h4w.models.utils import get_camera_trans
from h4w.registry import KEYPOINT_CODECS

HAND4WHOLE = dict(
    input_size=(512, 384),
    heatmap_size=(8, 8, 6),
    body_input_size=(256, 192),
    hand_input_size=(256, 256),
    face_input_size=(192, 192),
    hand_heatmap_size=(8, 8, 8),
    depth_sizes=dict(body=2.0, hand=0.3, face=0.3),
)


@pytest.fixture
def codec():
    return MeshCodec(**HAND4WHOLE)


def test_built_from_the_registry():
    codec = build_codec(dict(type='MeshCodec', **HAND4WHOLE))
    assert isinstance(codec, MeshCodec)
    assert KEYPOINT_CODECS.get('MeshCodec') is MeshCodec
    assert build_codec(codec) is codec
    with pytest.raises(TypeError, match='config dict'):
        build_codec([1, 2])
    # Pose2Pose: the body input is the crop, the camera centred on it
    p2p = MeshCodec(input_size=(256, 192), heatmap_size=(8, 8, 6))
    assert p2p.body_input_size == (256, 192)
    assert p2p.princpt == (96.0, 128.0)


def test_crop_heatmap_round_trip_numpy_and_torch(codec):
    xy = np.array([[384.0, 256.0], [10.0, 500.0]], np.float32)
    hm = codec.crop_to_heatmap(xy)
    np.testing.assert_allclose(hm, xy / [384, 512] * [6, 8])
    assert hm.dtype == np.float32
    back = codec.heatmap_to_crop(torch.from_numpy(hm))
    torch.testing.assert_close(back, torch.from_numpy(xy))


def test_depth_discretisation_and_truncation(codec):
    z = np.array([-1.0, 0.0, 0.99, 1.0])
    # (z / (2 / 2) + 1) / 2 * 8
    np.testing.assert_allclose(codec.discretize_depth(z, 2.0), [0, 4, 7.96, 8])
    assert discretize_depth(0.15, 0.3, 8) == pytest.approx(8.0)
    coords = np.array(
        [[0, 0, 0], [5.99, 7.99, 7.99], [6, 1, 1], [1, -0.01, 1], [1, 1, 8]]
    )
    assert codec.truncation(coords).tolist() == [1, 1, 0, 0, 0]
    assert codec.in_heatmap(coords[:, :2], (8, 8, 6)).tolist() == [
        1,
        1,
        0,
        0,
        1,
    ]
    sizes = codec.joint_depth_sizes(
        6, dict(body=(0, 2), lhand=(2, 3), rhand=(3, 4), face=(4, 6)), 'body'
    )
    np.testing.assert_allclose(sizes, [2, 2, 0.3, 0.3, 0.3, 0.3])
    with pytest.raises(KeyError, match='no depth size'):
        codec.depth_size('tail')


def test_hand_heatmap_round_trip(codec):
    bbox = torch.tensor([[40.0, 60.0, 104.0, 124.0]])  # 64 x 64 body pixels
    coords = torch.tensor([[[2.0, 3.0, 5.0], [1.25, 1.875, 1.0]]])
    hand = codec.body_to_hand_heatmap(coords, bbox)
    # x1 = 40/192*6 = 1.25, w = 2 hm units -> x_hand = (x - 1.25) * 4
    torch.testing.assert_close(hand[0, :, 0], torch.tensor([3.0, 0.0]))
    # y1 = 60/256*8 = 1.875, h = 2 -> y_hand = (y - 1.875) * 4
    torch.testing.assert_close(hand[0, :, 1], torch.tensor([4.5, 0.0]))
    torch.testing.assert_close(hand[..., 2], coords[..., 2])
    back = codec.hand_to_body_heatmap(hand, bbox)
    torch.testing.assert_close(back, coords)
    assert codec.hand_depth_scale() == 1.0


def test_camera_and_projection():
    codec = MeshCodec(input_size=(256, 192), heatmap_size=(8, 8, 6))
    cam = torch.tensor([[0.1, -0.2, 0.0]])
    trans = get_camera_trans(cam, 56.38)
    torch.testing.assert_close(trans, torch.tensor([[0.1, -0.2, 28.19]]))
    # a point at (0, 0, t_z) lands on the principal point: (3, 4) hm units
    joints = torch.tensor([[[-0.1, 0.2, 0.0], [0.0, 0.0, 1.0]]])
    proj = codec.project_to_heatmap(joints, trans)
    torch.testing.assert_close(proj[0, 0], torch.tensor([3.0, 4.0]))
    z = 1.0 + 28.19 + 1e-4
    expected_u = 0.1 / z * 5000 + 96
    expected_v = -0.2 / z * 5000 + 128
    torch.testing.assert_close(
        proj[0, 1], torch.tensor([expected_u / 192 * 6, expected_v / 256 * 8])
    )


def test_restore_part_bbox_squares_and_extends():
    hand = MeshCodec(
        input_size=(256, 192),
        heatmap_size=(8, 8, 6),
        hand_input_size=(256, 256),
        face_input_size=(192, 192),
    )
    center = torch.tensor([[3.0, 4.0], [3.0, 4.0]])
    size = torch.tensor([[1.0, 0.5], [0.25, 1.0]])
    out = hand.restore_part_bbox(center, size, 'hand')
    # box 1: 32 x 16 px around (96, 128) -> 32 x 32 -> x2 = 64 x 64
    # box 2: 8 x 32 px -> 32 x 32 -> 64 x 64
    expected = torch.tensor([[64.0, 96.0, 128.0, 160.0]]).expand(2, 4)
    torch.testing.assert_close(out, expected)
    # face: aspect 1, extension 1.5
    out = hand.restore_part_bbox(center[:1], size[:1], 'face')
    torch.testing.assert_close(
        out, torch.tensor([[72.0, 104.0, 120.0, 152.0]])
    )


def test_decode_to_the_original_image(codec):
    # crop = original scaled by 1/2 and shifted by (10, 20):
    # bb2img: x = 2 u + 10, y = 2 v + 20
    bb2img = torch.tensor([[[2.0, 0.0, 10.0], [0.0, 2.0, 20.0]]])
    hm = torch.tensor([[[3.0, 4.0]]])  # crop (192, 256)
    torch.testing.assert_close(
        codec.heatmap_to_image(hm, bb2img), torch.tensor([[[394.0, 532.0]]])
    )
    boxes = torch.tensor([[0.0, 0.0, 10.0, 20.0]])
    torch.testing.assert_close(
        codec.boxes_to_image(boxes, bb2img),
        torch.tensor([[10.0, 20.0, 30.0, 60.0]]),
    )
    focal, princpt = codec.camera_to_image(bb2img)
    # body input -> crop x2, crop -> image x2
    torch.testing.assert_close(focal, torch.tensor([[20000.0, 20000.0]]))
    torch.testing.assert_close(princpt, torch.tensor([[394.0, 532.0]]))


def test_decode_to_image_numpy_equals_torch(codec):
    """The onnxruntime backend decodes NumPy arrays with the same
    arithmetic as the PyTorch path (float32 in and out, equal to float32
    rounding)."""
    rng = np.random.default_rng(0)
    angle = rng.uniform(-0.3, 0.3, 3)
    scale = rng.uniform(0.5, 3.0, 3)
    bb2img = np.zeros((3, 2, 3), np.float32)
    bb2img[:, 0, 0] = bb2img[:, 1, 1] = scale * np.cos(angle)
    bb2img[:, 0, 1] = -scale * np.sin(angle)
    bb2img[:, 1, 0] = scale * np.sin(angle)
    bb2img[:, :, 2] = rng.uniform(-50, 500, (3, 2))
    preds = dict(
        joint_img=rng.uniform(0, 8, (3, 65, 3)).astype(np.float32),
        smplx_joint_proj=rng.uniform(0, 8, (3, 137, 2)).astype(np.float32),
        lhand_bbox=rng.uniform(0, 300, (3, 4)).astype(np.float32),
        cam_trans=rng.uniform(0, 5, (3, 3)).astype(np.float32),
    )
    out_np = codec.decode_to_image(preds, bb2img)
    out_torch = codec.decode_to_image(
        {k: torch.from_numpy(v) for k, v in preds.items()},
        torch.from_numpy(bb2img),
    )
    assert (
        set(out_np)
        == set(out_torch)
        == set(preds)
        | {
            'focal',
            'princpt',
            'joint_img_orig',
            'smplx_joint_proj_orig',
            'lhand_bbox_orig',
        }
    )
    for key, value in out_np.items():
        assert isinstance(value, np.ndarray) and value.dtype == np.float32
        np.testing.assert_allclose(
            value, out_torch[key].numpy(), rtol=1e-6, atol=1e-4, err_msg=key
        )


def test_to_config_rebuilds_the_codec(codec):
    import json

    config = json.loads(json.dumps(codec.to_config()))
    rebuilt = build_codec(config)
    assert repr(rebuilt) == repr(codec)
    assert (rebuilt.focal, rebuilt.princpt) == (codec.focal, codec.princpt)
    assert rebuilt.bbox_extension == codec.bbox_extension
