"""InterHand2.6M: fixture in the upstream layout through the config."""

import shutil

import numpy as np
import pytest
import torch

from h4w.body_models.joint_sets import MANO_JOINTS
from h4w.datasets.datasets.base import AnnotationError

from tests.fixtures.datasets.interhand26m import MANO_TO_IH, make_interhand26m
from tests.test_datasets.helpers import (
    assert_cache_is_used,
    build_dataset,
    config,
    dataset_cfg_fixture,
    edited_json,
    numpy_field,
    on_person_fraction,
    preprocess,
    preprocessor_fixture,
    reference_process_bbox,
    root_fixture,
)

HM = (8, 8, 8)
BASE = '_base_/datasets/freihand_interhand_coco.py'

ih_root = root_fixture(make_interhand26m, 'InterHand26M')
train_cfg = dataset_cfg_fixture(BASE, 'InterHand26MDataset')
preprocessor = preprocessor_fixture('pose2pose/pose2pose_hand_res50.py')


def _mano_joints(preprocessor, side, pose, shape):
    """21 MANO joints of a pose (48,) / shape (10,), wrist-relative."""
    layer = preprocessor.body_models[side]
    out = layer(
        global_orient=torch.as_tensor(pose[None, :3]),
        hand_pose=torch.as_tensor(pose[None, 3:]),
        betas=torch.as_tensor(shape[None]),
    )
    joints = out['joints'][0].numpy()
    return joints - joints[0]


def test_samples_split_and_camera_subsampling(ih_root, train_cfg, tmp_path):
    train = build_dataset(train_cfg, ih_root, str(tmp_path))
    infos = [train.get_data_info(i) for i in range(len(train))]
    # frame 100: 2 cameras x 2 hands; frame 200: right wrist invalid
    assert [(i['frame_idx'], i['side']) for i in infos] == [
        (100, 'right'),
        (100, 'left'),
        (100, 'right'),
        (100, 'left'),
        (200, 'left'),
    ]
    assert [i['enforce_flip'] for i in infos] == [
        False,
        True,
        False,
        True,
        True,
    ]
    assert all(i['is_3d'] == 1 for i in infos)
    # the 21 hand joints in InterHand order, named as the MANO set
    assert infos[0]['joint_names'][0] == 'Thumb_4'
    assert infos[0]['joint_names'][20] == 'Wrist'
    assert infos[0]['flip_pairs'] == ()
    assert infos[0]['keypoints_valid'].sum() == 20  # Pinky_4 invalid
    assert infos[1]['keypoints_valid'].sum() == 21
    assert np.abs(infos[0]['keypoints_cam'][20]).max() == 0
    assert infos[4]['gt_params']['param_valid'] is False  # no left fit
    # one camera per sequence: stride 2 of the sorted cameras
    sparse = build_dataset(
        train_cfg, ih_root, str(tmp_path), cameras_per_sequence=1
    )
    assert {sparse.get_data_info(i)['camera'] for i in range(len(sparse))} == {
        '400262'
    }
    assert len(sparse) == 3
    test = build_dataset(
        train_cfg, ih_root, str(tmp_path), split='test', test_mode=True
    )
    assert len(test) == 2
    assert test.get_data_info(0)['img_path'].count('/images/test/') == 1


def _reference_get_bbox(points, valid, extend):
    """The reference's get_bbox under NumPy 1: min / max and their sum
    and difference in the points' float32, the rest in float64."""
    pts = points[valid > 0]
    (x1, y1), (x2, y2) = pts.min(0), pts.max(0)
    box = []
    for lo, hi in ((x1, x2), (y1, y2)):
        center, half = float(lo + hi) / 2.0, 0.5 * float(hi - lo) * extend
        box.append((center - half, center + half))
    (x1, x2), (y1, y2) = box
    return np.array([x1, y1, x2 - x1, y2 - y1], np.float32)


def test_hand_box_is_float64_as_the_reference(ih_root, train_cfg, tmp_path):
    dataset = build_dataset(train_cfg, ih_root, str(tmp_path))
    float32_moves = 0
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        height, width = info['ori_shape']
        points = info['keypoints'][:, :2]
        valid = info['keypoints_valid'][:, 0]
        box = _reference_get_bbox(points, valid, 1.5)
        expected = reference_process_bbox(box, width, height, 1.0)
        np.testing.assert_allclose(info['bbox'], expected, rtol=0, atol=1e-12)
        # the float32 route moves the box (the check is sensitive)
        pts = points[valid > 0]
        lo, hi = pts.min(0), pts.max(0)
        size = (hi - lo) * np.float32(1.5)
        box32 = np.concatenate([(lo + hi) / np.float32(2) - size / 2, size])
        float32 = reference_process_bbox(box32, width, height, 1.0)
        float32_moves += np.abs(float32 - expected).max() > 1e-7
    assert float32_moves > 0


def test_samples_follow_the_hand_type(ih_root, train_cfg, tmp_path):
    """Only the hands that the annotation's hand_type names are samples,
    even when the other wrist is labelled (both are, at frame 100)."""
    root = tmp_path / 'InterHand26M'
    shutil.copytree(ih_root, root)
    path = root / 'annotations/train/InterHand2.6M_train_data.json'
    with edited_json(path) as content:
        anns = content['annotations']  # frame 100: 2 cameras, then 200
        anns[0]['hand_type'], anns[1]['hand_type'] = 'right', 'left'
    dataset = build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [(i['camera'], i['frame_idx'], i['side']) for i in infos] == [
        ('400262', 100, 'right'),
        ('400263', 100, 'left'),
        ('400262', 200, 'left'),  # interacting, right wrist invalid
    ]


def test_cache_is_used(ih_root, train_cfg, tmp_path, monkeypatch):
    assert_cache_is_used(
        monkeypatch,
        train_cfg,
        ih_root,
        str(tmp_path),
        reload=dict(cameras_per_sequence=1),
    )


def test_targets_land_on_the_hand(ih_root, train_cfg, tmp_path, preprocessor):
    dataset = build_dataset(train_cfg, ih_root, str(tmp_path))
    pinky_4 = MANO_JOINTS.index('Pinky_4')
    for seed in range(2):
        data = preprocess(dataset, range(len(dataset)), preprocessor, seed)
        for i, (image, sample) in enumerate(
            zip(data['inputs'], data['data_samples'])
        ):
            # no random flip: left hands always, right hands never
            assert sample.flip == (sample.side == 'left')
            joint_img = numpy_field(sample, 'joint_img')
            valid = numpy_field(sample, 'joint_valid')
            assert valid.shape == (21, 1)
            # frame 100 (samples 0-3): the right Pinky_4 is invalid
            assert valid.sum() == (20 if i in (0, 2) else 21)
            if i in (0, 2):
                assert valid[pinky_4, 0] == 0
            assert on_person_fraction(image, joint_img, valid, HM) > 0.9
            fit_valid = numpy_field(sample, 'mano_joint_valid')
            if i == 4:  # fit missing
                assert fit_valid.sum() == 0
                assert numpy_field(sample, 'mano_shape_valid') == 0
                continue
            fit_img = numpy_field(sample, 'mano_joint_img')
            assert fit_valid.sum() == 21
            assert on_person_fraction(image, fit_img, fit_valid, HM) > 0.9
            # the dataset joints are the fit's joints (same hand): the
            # camera, the joint order, the flip and the depth agree
            both = valid[:, 0] > 0
            np.testing.assert_allclose(
                joint_img[both], fit_img[both], atol=2e-3
            )
            np.testing.assert_allclose(
                numpy_field(sample, 'joint_cam')[both],
                numpy_field(sample, 'mano_joint_cam')[both],
                atol=1e-4,
            )


def test_flipped_left_hand_is_a_right_hand(
    ih_root, train_cfg, tmp_path, preprocessor
):
    """The pose / shape targets of a (flipped) left hand, run through the
    RIGHT MANO, give the target joints."""
    dataset = build_dataset(train_cfg, ih_root, str(tmp_path))
    data = preprocess(dataset, [0, 1], preprocessor, seed=3)
    for sample in data['data_samples']:
        pose = numpy_field(sample, 'mano_pose')
        shape = numpy_field(sample, 'mano_shape')
        joints = _mano_joints(preprocessor, 'right', pose, shape)
        np.testing.assert_allclose(
            joints, numpy_field(sample, 'mano_joint_cam'), atol=1e-4
        )
    right, left = data['data_samples']
    assert right.side == 'right' and left.side == 'left'
    # the left hand's own layer with the same targets does not fit
    pose = numpy_field(left, 'mano_pose')
    wrong = _mano_joints(
        preprocessor, 'left', pose, numpy_field(left, 'mano_shape')
    )
    assert np.abs(wrong - numpy_field(left, 'mano_joint_cam')).max() > 1e-2


def test_test_split(ih_root, train_cfg, tmp_path, preprocessor):
    cfg = dict(
        train_cfg,
        split='test',
        pipeline=config(BASE).test_dataloader.dataset.pipeline,
    )
    dataset = build_dataset(cfg, ih_root, str(tmp_path), test_mode=True)
    data = preprocess(dataset, [0, 1], preprocessor, training=False)
    for image, sample in zip(data['inputs'], data['data_samples']):
        assert sample.flip == (sample.side == 'left')
        gt = numpy_field(sample, 'keypoints_cam')  # InterHand order
        assert gt.shape == (21, 3)
        # GT mesh (un-flipped camera frame, the hand's own MANO side)
        mesh = numpy_field(sample, 'mano_mesh_cam')
        layer = preprocessor.body_models[sample.side]
        joints = layer.joint_regressor.numpy() @ mesh
        joints = joints - joints[0]
        np.testing.assert_allclose(joints[list(MANO_TO_IH)], gt, atol=1e-4)
        # the fit's joints land on the (flipped) crop
        fit_img = numpy_field(sample, 'mano_joint_img')
        fit_valid = numpy_field(sample, 'mano_joint_valid')
        assert on_person_fraction(image, fit_img, fit_valid, HM) > 0.9


def test_bad_input_names_file_and_id(ih_root, train_cfg, tmp_path):
    root = tmp_path / 'InterHand26M'
    shutil.copytree(ih_root, root)
    path = root / 'annotations' / 'train' / 'InterHand2.6M_train_data.json'
    with edited_json(path) as content:
        content['annotations'][1]['joint_valid'] = [[1]] * 5
    bad_id = content['annotations'][1]['id']
    with pytest.raises(
        AnnotationError, match=rf'train_data.json: annotation {bad_id}'
    ):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
    (
        root
        / 'annotations'
        / 'train'
        / 'InterHand2.6M_train_MANO_NeuralAnnot.json'
    ).unlink()
    with pytest.raises(
        FileNotFoundError, match='InterHand2.6M_train_MANO_NeuralAnnot.json'
    ):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
