"""§5.1 transforms against literal re-statements of the spec."""

import random

import cv2
import numpy as np
import pytest
import torch

from h4w.datasets.transforms import (
    KeypointTargets,
    LoadImage,
    MeshTopdownAffine,
    MissingImageError,
    PackMeshInputs,
    PartBBoxTargets,
    RandomMeshAugmentation,
    remap_joints,
)
from h4w.structures.bbox import bbox_from_points, process_bbox, sanitize_bbox

ORI_SHAPE = (480, 640)

#: The crop geometry of Hand4Whole and of the Pose2Pose hand model.
WHOLE_BODY = dict(
    type='MeshCodec', input_size=(512, 384), heatmap_size=(8, 8, 6)
)
P2P_HAND = dict(
    type='MeshCodec',
    input_size=(256, 256),
    heatmap_size=(8, 8, 8),
    depth_sizes=dict(hand=0.3),
)


def test_sanitize_and_process_bbox_follow_the_formulas():
    rng = np.random.default_rng(0)
    for _ in range(200):
        x, y = rng.uniform(-100, 700, 2)
        w, h = rng.uniform(-5, 300, 2)
        out = sanitize_bbox([x, y, w, h], 640, 480)
        x1, y1 = max(0, x), max(0, y)
        x2 = min(639, x1 + max(0, w - 1))
        y2 = min(479, y1 + max(0, h - 1))
        if w * h > 0 and x2 > x1 and y2 > y1:
            np.testing.assert_allclose(
                out, [x1, y1, x2 - x1, y2 - y1], rtol=1e-6, atol=1e-4
            )
            proc = process_bbox([x, y, w, h], 640, 480)
            cx, cy = x1 + (x2 - x1) / 2, y1 + (y2 - y1) / 2
            assert proc[2] / proc[3] == pytest.approx(0.75, rel=1e-5)
            assert min(proc[2] / (x2 - x1), proc[3] / (y2 - y1)) == (
                pytest.approx(1.25, rel=1e-4)
            )
            np.testing.assert_allclose(
                proc[:2] + proc[2:] / 2, [cx, cy], rtol=1e-5, atol=1e-3
            )
        else:
            assert out is None and process_bbox([x, y, w, h], 640, 480) is None
    assert sanitize_bbox([np.nan, 0, 10, 10], 640, 480) is None
    square = process_bbox([10, 10, 50, 20], 640, 480, aspect_ratio=1.0)
    assert square[2] == pytest.approx(square[3])


def test_bbox_from_points():
    pts = np.array([[0, 0], [10, 20], [100, 100]], np.float32)
    box = bbox_from_points(pts, np.array([1, 1, 0]), extend=1.5)
    np.testing.assert_allclose(box, [-2.5, -5, 15, 30])


def test_augmentation_ranges_probabilities_and_seeding():
    aug = RandomMeshAugmentation()
    random.seed(0)
    np.random.seed(0)
    draws = [aug.transform({}) for _ in range(3000)]
    scales = np.array([d['aug_scale'] for d in draws])
    rots = np.array([d['rot'] for d in draws])
    colors = np.stack([d['color_scale'] for d in draws])
    flips = np.array([d['flip'] for d in draws])
    assert scales.min() >= 0.75 and scales.max() <= 1.25
    assert (np.abs(rots) <= 60).all()
    assert np.mean(rots != 0) == pytest.approx(0.6, abs=0.03)
    assert colors.min() >= 0.8 and colors.max() <= 1.2
    assert flips.mean() == pytest.approx(0.5, abs=0.03)
    # same seed, same draws; the generators of the reference
    random.seed(0)
    np.random.seed(0)
    again = [aug.transform({}) for _ in range(5)]
    assert [d['rot'] for d in again] == list(rots[:5])
    assert aug.transform({'enforce_flip': True})['flip'] is True
    assert not any(
        aug.transform({'enforce_flip': False})['flip'] for _ in range(20)
    )


def test_workers_draw_different_augmentations():
    """MMEngine's worker_init_fn seeds NumPy and random per worker."""
    from mmengine.dataset import worker_init_fn

    aug = RandomMeshAugmentation()
    draws = []
    for worker_id in (0, 1):
        worker_init_fn(worker_id, num_workers=2, rank=0, seed=7)
        draws.append([aug.transform({})['aug_scale'] for _ in range(4)])
    assert draws[0] != draws[1]
    worker_init_fn(0, num_workers=2, rank=0, seed=7)
    assert [aug.transform({})['aug_scale'] for _ in range(4)] == draws[0]


def _affine_results(flip=False, rot=0.0, scale=1.0):
    img = np.zeros(ORI_SHAPE + (3,), np.float32)
    img[100:110, 200:210] = 255  # a bright square
    return dict(
        img=img,
        bbox=np.array([150, 50, 120, 160], np.float32),
        ori_shape=ORI_SHAPE,
        flip=flip,
        rot=rot,
        aug_scale=scale,
    )


@pytest.mark.parametrize('flip', [False, True])
@pytest.mark.parametrize('rot', [0.0, 30.0])
def test_affine_maps_box_onto_crop(flip, rot):
    out = MeshTopdownAffine(WHOLE_BODY).transform(
        _affine_results(flip, rot, 1.1)
    )
    assert out['img'].shape == (512, 384, 3)
    trans, inv = out['img2bb_trans'], out['bb2img_trans']
    # centre of the (flipped) box -> centre of the crop
    cx = 150 + 60
    if flip:
        cx = ORI_SHAPE[1] - cx - 1
    np.testing.assert_allclose(trans @ [cx, 130, 1], [192, 256], atol=1e-3)
    # the inverse is the inverse
    full = np.vstack([trans, [0, 0, 1]]) @ np.vstack([inv, [0, 0, 1]])
    np.testing.assert_allclose(full, np.eye(3), atol=1e-4)
    # the bright square lands where the transform says
    x = 204.5 if not flip else ORI_SHAPE[1] - 1 - 204.5
    px, py = trans @ [x, 104.5, 1]
    assert out['img'][int(round(py)), int(round(px))].max() > 200
    # scale 1.1 shrinks the box: the box width maps to 384 / 1.1 pixels
    side = np.linalg.norm(trans[:, :2] @ [120, 0])
    assert side == pytest.approx(384 / 1.1, rel=1e-4)


def _reference_patch_trans(bbox, aug, img_width, out_hw, inv, dtype):
    """The reference's img2bb_trans / bb2img_trans (§5.1
    generate_patch_image): box centre and sizes in ``dtype`` (float64:
    the reference, whose NumPy 1 promoted the float32 box scalars;
    float32: NumPy 2 on the same scalars), points rounded to float32,
    float32 matrix."""
    scale, rot, flip = aug
    x, y, w, h = np.asarray(bbox, np.float32).astype(dtype)
    half = dtype(0.5)
    c_x, c_y = x + half * w, y + half * h
    if flip:
        c_x = dtype(img_width) - c_x - dtype(1)
    rad = dtype(np.pi * rot / 180)
    sn, cs = np.sin(rad), np.cos(rad)

    def rotate(px, py):
        px, py = np.float32(px).astype(dtype), np.float32(py).astype(dtype)
        return np.array([px * cs - py * sn, px * sn + py * cs], np.float32)

    center = np.array([c_x, c_y], np.float32)
    src = np.stack(
        [
            center,
            center + rotate(0, h * dtype(scale) * half),
            center + rotate(w * dtype(scale) * half, 0),
        ]
    ).astype(np.float32)
    out_h, out_w = out_hw
    dst = np.array(
        [[out_w / 2, out_h / 2], [out_w / 2, out_h], [out_w, out_h / 2]],
        np.float32,
    )
    pair = (dst, src) if inv else (src, dst)
    return cv2.getAffineTransform(*pair).astype(np.float32)


def test_affine_matrices_follow_the_float64_reference():
    """Box centre and sizes in float64 as the reference; the float32
    arithmetic of NumPy 2 moves the matrices (the check is sensitive)."""
    rng = np.random.default_rng(0)
    out_hw = (64, 48)
    img = np.zeros(ORI_SHAPE + (3,), np.float32)
    affine = MeshTopdownAffine(
        dict(type='MeshCodec', input_size=out_hw, heatmap_size=(8, 8, 6))
    )
    float32_moves = 0
    for _ in range(100):
        bbox = rng.uniform([-50, -50, 20, 20], [600, 400, 500, 600])
        bbox = bbox.astype(np.float32)
        aug = (
            rng.uniform(0.75, 1.25),
            rng.uniform(-60, 60),
            rng.random() < 0.5,
        )
        out = affine.transform(
            dict(img=img, bbox=bbox, aug_scale=aug[0], rot=aug[1], flip=aug[2])
        )
        for key, inv in (('img2bb_trans', False), ('bb2img_trans', True)):
            ref = _reference_patch_trans(
                bbox, aug, 640, out_hw, inv, np.float64
            )
            np.testing.assert_allclose(out[key], ref, rtol=0, atol=1e-12)
            f32 = _reference_patch_trans(
                bbox, aug, 640, out_hw, inv, np.float32
            )
            float32_moves += np.abs(f32 - ref).max() > 1e-7
    assert float32_moves > 0


def test_affine_color_scale_is_applied_after_warp_and_clipped():
    res = _affine_results()
    res['color_scale'] = np.array([1.2, 1.0, 0.5], np.float32)
    out = MeshTopdownAffine(WHOLE_BODY).transform(res)
    assert out['img'].max() <= 255
    bright = out['img'][out['img'][..., 1] > 200]
    assert np.allclose(bright[:, 2], bright[:, 1] * 0.5, atol=1e-3)


def _keypoint_results(flip, rot=0.0):
    res = MeshTopdownAffine(WHOLE_BODY).transform(_affine_results(flip, rot))
    res.update(
        keypoints=np.array(
            [[200, 100, 3.0], [240, 150, 5.0], [210, 140, 1.0]], np.float32
        ),
        keypoints_cam=np.array(
            [[0.1, 0.2, 0.3], [-0.1, 0.4, 0.2], [0.0, 0.0, 0.0]], np.float32
        ),
        keypoints_valid=np.ones((3, 1), np.float32),
        joint_names=('L_Wrist', 'R_Wrist', 'Pelvis'),
        flip_pairs=((0, 1),),
    )
    return KeypointTargets(WHOLE_BODY).transform(res)


def test_keypoint_targets_flip_mirrors_and_swaps():
    plain, flipped = _keypoint_results(False), _keypoint_results(True)
    from h4w.body_models.joint_sets import SMPLX_JOINTS

    lw, rw, pel = SMPLX_JOINTS.indices_of(('L_Wrist', 'R_Wrist', 'Pelvis'))
    for a, b in ((lw, rw), (rw, lw), (pel, pel)):
        np.testing.assert_allclose(
            flipped['joint_img'][b, 0], 6 - plain['joint_img'][a, 0], atol=1e-4
        )
        np.testing.assert_allclose(
            flipped['joint_img'][b, 1:], plain['joint_img'][a, 1:], atol=1e-4
        )
        np.testing.assert_allclose(
            flipped['joint_cam'][b], plain['joint_cam'][a] * [-1, 1, 1]
        )
    # other joints of the 137 set: zero and invalid
    assert plain['joint_valid'].sum() == 3
    assert plain['joint_img'].shape == (137, 3)


def test_keypoint_targets_rotation_and_truncation():
    res = _keypoint_results(False, rot=90.0)
    from h4w.body_models.joint_sets import SMPLX_JOINTS

    lw = SMPLX_JOINTS.index('L_Wrist')
    # R_z(-90) (x, y, z) -> (y, -x, z)
    np.testing.assert_allclose(
        res['joint_cam'][lw], [0.2, -0.1, 0.3], atol=1e-6
    )
    # z = 5 and 3 are inside [0, 8); a point far outside is truncated
    far = MeshTopdownAffine(WHOLE_BODY).transform(_affine_results())
    far.update(
        keypoints=np.array([[600, 400, 1.0]], np.float32),
        keypoints_valid=np.ones((1, 1)),
        joint_names=('Pelvis',),
        flip_pairs=(),
    )
    far = KeypointTargets(WHOLE_BODY).transform(far)
    assert far['joint_valid'].sum() == 1 and far['joint_trunc'].sum() == 0


def test_keypoint_targets_p2p_depth_and_missing_keypoints():
    res = MeshTopdownAffine(P2P_HAND).transform(_affine_results())
    res.update(
        keypoints=np.array([[200, 100, 0.15]], np.float32),
        keypoints_valid=np.ones((1, 1)),
        joint_names=('Wrist',),
        flip_pairs=(),
    )
    out = KeypointTargets(P2P_HAND, 'mano_21', depth_part='hand').transform(
        res
    )
    assert out['joint_img'][0, 2] == pytest.approx(8.0)
    assert out['joint_trunc'][0, 0] == 0  # z == D is outside
    empty = KeypointTargets(WHOLE_BODY).transform({})
    assert empty['joint_img'].shape == (137, 3)
    assert empty['joint_valid'].sum() == 0


def test_remap_joints_by_name():
    out = remap_joints(
        np.arange(6.0).reshape(3, 2), ('a', 'b', 'c'), ('c', 'x', 'a')
    )
    np.testing.assert_array_equal(out, [[4, 5], [0, 0], [0, 1]])


def test_part_boxes():
    res = MeshTopdownAffine(WHOLE_BODY).transform(_affine_results())
    res.update(
        lhand_bbox=np.array([150, 50, 180, 80], np.float32),
        rhand_bbox=None,
        face_bbox=np.array([200, 60, 230, 90]),
    )
    plain = PartBBoxTargets(WHOLE_BODY).transform(dict(res))
    trans = res['img2bb_trans']
    corner = trans @ [150, 50, 1] * np.array([6 / 384, 8 / 512])
    np.testing.assert_allclose(
        plain['lhand_bbox_center'] - plain['lhand_bbox_size'] / 2,
        corner,
        atol=1e-5,
    )
    assert plain['lhand_bbox_valid'] == 1 and plain['rhand_bbox_valid'] == 0
    np.testing.assert_allclose(plain['rhand_bbox_center'], [0.5, 0.5])
    flipped = MeshTopdownAffine(WHOLE_BODY).transform(
        _affine_results(flip=True)
    )
    flipped.update(
        lhand_bbox=res['lhand_bbox'],
        rhand_bbox=None,
        face_bbox=res['face_bbox'],
    )
    flipped = PartBBoxTargets(WHOLE_BODY).transform(flipped)
    # the left hand becomes the right one, mirrored in the crop
    assert flipped['rhand_bbox_valid'] == 1
    assert flipped['lhand_bbox_valid'] == 0
    np.testing.assert_allclose(
        flipped['rhand_bbox_center'][0],
        6 - plain['lhand_bbox_center'][0],
        atol=1e-4,
    )
    np.testing.assert_allclose(
        flipped['face_bbox_size'], plain['face_bbox_size'], atol=1e-4
    )


def test_load_image_rgb_and_missing(tmp_path):
    img = np.zeros((4, 5, 3), np.uint8)
    img[..., 0] = 255  # blue in BGR
    path = str(tmp_path / 'a.png')
    cv2.imwrite(path, img)
    out = LoadImage().transform(dict(img_path=path))
    assert out['img'].dtype == np.float32 and out['ori_shape'] == (4, 5)
    assert (out['img'][..., 2] == 255).all() and (
        out['img'][..., 0] == 0
    ).all()
    with pytest.raises(MissingImageError, match='nothere.png'):
        LoadImage().transform(dict(img_path=str(tmp_path / 'nothere.png')))
    (tmp_path / 'bad.png').write_bytes(b'not an image')
    with pytest.raises(MissingImageError, match='bad.png'):
        LoadImage().transform(dict(img_path=str(tmp_path / 'bad.png')))


def test_pack():
    res = MeshTopdownAffine(WHOLE_BODY).transform(_affine_results())
    res.update(
        joint_img=np.ones((137, 3)),
        is_3d=1.0,
        img_path='x.jpg',
        gt_params=dict(
            root_pose=np.zeros(3),
            gender='male',
            param_valid=False,
            unused=None,
        ),
    )
    out = PackMeshInputs().transform(res)
    assert out['inputs'].shape == (3, 512, 384)
    assert out['inputs'].dtype == torch.float32
    sample = out['data_samples']
    assert sample.gt_instances.joint_img.shape == (1, 137, 3)
    assert sample.gt_instances.joint_img.dtype == np.float32
    assert sample.gt_params.gender == ['male']
    assert sample.gt_params.param_valid.tolist() == [False]
    assert 'unused' not in sample.gt_params
    assert sample.img_path == 'x.jpg' and sample.img2bb_trans.shape == (2, 3)
