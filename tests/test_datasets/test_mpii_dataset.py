"""MPII: fixture in the upstream layout through the config."""

import shutil

import numpy as np
import pytest

from h4w.body_models.joint_sets import SMPL_JOINTS, SMPLX_JOINTS
from h4w.datasets.datasets.base import AnnotationError

from tests.fixtures.datasets.mpii import make_mpii
from tests.test_datasets.helpers import (
    assert_body_only_fit_masks,
    assert_cache_is_used,
    assert_crop_mirrored,
    assert_img_joints_mirrored,
    build_dataset,
    build_preprocessor,
    dataset_cfg_fixture,
    edited_json,
    flip_pair_of_samples,
    numpy_field,
    on_person_fraction,
    pose2pose_pipeline,
    preprocess,
    preprocessor_fixture,
    root_fixture,
)

HM = (8, 8, 6)
#: MPII joints of the SMPL-X / SMPL sets (Thorax and Head_top have none).
NUM_MAPPED = 14
#: Annotation 1 has no fit and an unannotated L_Ankle.
NO_FIT = 1

P2P_INPUT = (256, 192)
P2P_PIPELINE = pose2pose_pipeline(P2P_INPUT, HM, 'smpl_33', 2.0)

mpii_root = root_fixture(make_mpii, 'MPII')
smpl_root = root_fixture(make_mpii, 'MPII', seed=1, model_type='smpl')
train_cfg = dataset_cfg_fixture(
    '_base_/datasets/h36m_mpii_coco.py', 'MPIIDataset'
)
preprocessor = preprocessor_fixture('_base_/models/hand4whole_res50.py')


def test_layout_and_train_only(mpii_root, train_cfg, tmp_path):
    assert train_cfg.model_type == 'smplx'
    dataset = build_dataset(train_cfg, mpii_root, str(tmp_path))
    assert len(dataset) == 4  # 3 images, 4 people
    info = dataset.get_data_info(0)
    # data/<file_name> with file_name = images/<name>.jpg
    assert info['img_path'] == f'{mpii_root}/data/images/000000000.jpg'
    assert info['keypoints'].shape == (16, 3)
    assert (info['keypoints'][:, 2] == 0).all()
    assert info['is_3d'] == 0 and 'keypoints_cam' not in info
    missing = dataset.get_data_info(NO_FIT)
    assert missing['gt_params']['param_valid'] is False
    ankle = dataset.metainfo['joint_names'].index('L_Ankle')
    assert missing['keypoints_valid'][ankle, 0] == 0
    assert missing['keypoints_valid'].sum() == 15
    with pytest.raises(ValueError, match='no test split'):
        build_dataset(train_cfg, mpii_root, str(tmp_path), test_mode=True)


def test_cache_is_used(mpii_root, train_cfg, tmp_path, monkeypatch):
    # another fit file is another cache entry
    assert_cache_is_used(
        monkeypatch,
        train_cfg,
        mpii_root,
        str(tmp_path),
        reload=dict(model_type='smpl'),
    )


def test_train_targets_land_on_the_person(
    mpii_root, train_cfg, tmp_path, preprocessor
):
    dataset = build_dataset(train_cfg, mpii_root, str(tmp_path))
    for seed in range(2):
        data = preprocess(dataset, range(len(dataset)), preprocessor, seed)
        for i, (image, sample) in enumerate(
            zip(data['inputs'], data['data_samples'])
        ):
            joint_img = numpy_field(sample, 'joint_img')
            valid = numpy_field(sample, 'joint_valid')
            assert valid.sum() == NUM_MAPPED - (i == NO_FIT)
            assert on_person_fraction(image, joint_img, valid, HM) > 0.9
            assert np.abs(numpy_field(sample, 'joint_cam')).max() == 0
            assert (joint_img[:, 2] == 0).all()  # no depth
            assert numpy_field(sample, 'is_3d') == 0
            fit_img = numpy_field(sample, 'smplx_joint_img')
            fit_valid = numpy_field(sample, 'smplx_joint_valid')
            if i == NO_FIT:
                # no fit: zero, invalid SMPL-X targets
                assert fit_valid.sum() == 0
                assert numpy_field(sample, 'smplx_pose_valid').sum() == 0
                assert numpy_field(sample, 'smplx_shape_valid') == 0
                assert np.abs(fit_img).max() == 0
                continue
            body = fit_valid[:25, 0] > 0
            assert on_person_fraction(image, fit_img[:25], body, HM) > 0.9
            # keypoints and fit joints coincide (same joints by name)
            both = (valid[:, 0] > 0) & (fit_valid[:, 0] > 0)
            assert both.sum() >= 10
            err = np.abs(joint_img[both, :2] - fit_img[both, :2]).max()
            assert err < 0.05


def test_wholebody_masks(mpii_root, train_cfg, tmp_path, preprocessor):
    dataset = build_dataset(train_cfg, mpii_root, str(tmp_path))
    data = preprocess(dataset, [0, 2], preprocessor)
    for sample in data['data_samples']:
        assert_body_only_fit_masks(sample)
        assert numpy_field(sample, 'smplx_joint_valid').sum() > 100
        assert numpy_field(sample, 'smplx_shape_valid') == 1


def test_flip_mirrors_the_targets(
    mpii_root, train_cfg, tmp_path, preprocessor
):
    """Same sample with and without flip (no scale / rotation): x mirrors
    and left / right swap, validities included."""
    dataset = build_dataset(train_cfg, mpii_root, str(tmp_path))
    outs = flip_pair_of_samples(dataset, 0, preprocessor)
    plain, flipped = (o['data_samples'][0] for o in outs)
    perm = SMPLX_JOINTS.flip_permutation()
    keys = ('joint_img', 'smplx_joint_img')
    assert_img_joints_mirrored(plain, flipped, keys, perm, HM[2])
    for key in keys:
        valid = numpy_field(plain, key.replace('img', 'valid'))[:, 0] > 0
        assert valid.sum() >= NUM_MAPPED
        # the swapped validity is the validity of the mirrored joints
        np.testing.assert_array_equal(
            numpy_field(flipped, key.replace('img', 'valid'))[perm, 0] > 0,
            valid,
        )
    assert_crop_mirrored(*outs)


def test_pose2pose_body_smpl_variant(
    smpl_root, train_cfg, tmp_path, human_model_root
):
    """``model_type='smpl'`` with a Pose2Pose body pipeline (256 x 192,
    SMPL 33 joints, z discretised by the pipeline: MPII z = 0 -> D / 2)
    through the Pose2Pose body preprocessor."""
    cfg = dict(train_cfg, model_type='smpl', pipeline=P2P_PIPELINE)
    dataset = build_dataset(cfg, smpl_root, str(tmp_path))
    assert len(dataset) == 4
    pre = build_preprocessor(
        'pose2pose/pose2pose_body_res50.py', human_model_root
    )
    data = preprocess(dataset, range(len(dataset)), pre)
    assert data['inputs'].shape == (4, 3) + P2P_INPUT
    for i, (image, sample) in enumerate(
        zip(data['inputs'], data['data_samples'])
    ):
        joint_img = numpy_field(sample, 'joint_img')
        valid = numpy_field(sample, 'joint_valid')
        assert joint_img.shape == (SMPL_JOINTS.num_joints, 3)
        assert valid.sum() == NUM_MAPPED - (i == NO_FIT)
        assert on_person_fraction(image, joint_img, valid, HM) > 0.9
        np.testing.assert_allclose(joint_img[valid[:, 0] > 0, 2], HM[0] / 2)
        fit_valid = numpy_field(sample, 'smpl_joint_valid')
        pose_valid = numpy_field(sample, 'smpl_pose_valid')
        assert pose_valid.shape == (72,)
        if i == NO_FIT:
            assert fit_valid.sum() == 0 and pose_valid.sum() == 0
            continue
        # Pose2Pose: no whole-body masks, every SMPL target valid
        assert fit_valid.all() and pose_valid.all()
        fit_img = numpy_field(sample, 'smpl_joint_img')
        assert on_person_fraction(image, fit_img, fit_valid, HM) > 0.9
        both = (valid[:, 0] > 0) & (fit_valid[:, 0] > 0)
        err = np.abs(joint_img[both, :2] - fit_img[both, :2]).max()
        assert err < 0.05


def test_bad_input_names_file_and_id(mpii_root, train_cfg, tmp_path):
    root = tmp_path / 'MPII'
    shutil.copytree(mpii_root, root)
    ann_dir = root / 'data' / 'annotations'
    path = ann_dir / 'train.json'
    with edited_json(path) as content:
        content['annotations'][2]['keypoints'] = [1.0, 2.0]
    bad_id = content['annotations'][2]['id']
    with pytest.raises(
        AnnotationError, match=rf'train.json: annotation {bad_id}\b'
    ):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
    # a malformed fit names the fit file
    shutil.copy(f'{mpii_root}/data/annotations/train.json', path)
    fit_path = ann_dir / 'MPII_train_SMPLX_NeuralAnnot.json'
    with edited_json(fit_path) as fits:
        del fits['2']['cam_param']
    with pytest.raises(
        AnnotationError, match=r'SMPLX_NeuralAnnot.json: annotation 2\b'
    ):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
    fit_path.unlink()
    with pytest.raises(FileNotFoundError, match='SMPLX_NeuralAnnot.json'):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
