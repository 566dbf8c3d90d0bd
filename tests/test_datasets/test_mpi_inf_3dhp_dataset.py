"""MPI-INF-3DHP: fixture in the upstream layout, configured like the
Human3.6M entry of the whole-body data config."""

import shutil

import numpy as np
import pytest

from h4w.body_models.joint_sets import SMPL_JOINTS, SMPLX_JOINTS
from h4w.datasets.datasets.base import AnnotationError
from h4w.datasets.transforms import MissingImageError

from tests.fixtures.datasets.mpi_inf_3dhp import make_mpi_inf_3dhp
from tests.test_datasets.helpers import (
    assert_body_only_fit_masks,
    assert_cache_is_used,
    assert_cam_x_mirrored,
    assert_img_joints_mirrored,
    build_dataset,
    build_preprocessor,
    config,
    edited_json,
    find_dataset_cfg,
    flip_pair_of_samples,
    numpy_field,
    on_person_fraction,
    pose2pose_pipeline,
    preprocess,
    preprocessor_fixture,
    root_fixture,
)

HM = (8, 8, 6)
#: 3DHP joints of the SMPL-X / SMPL sets (Torso, Head, Head_top: none).
NUM_MAPPED = 14
DATA_CFG = '_base_/datasets/h36m_mpii_coco.py'

P2P_INPUT = (256, 192)
P2P_PIPELINE = pose2pose_pipeline(P2P_INPUT, HM, 'smpl_33', 2.0)

hp_root = root_fixture(make_mpi_inf_3dhp, 'MPI_INF_3DHP')
smpl_root = root_fixture(
    make_mpi_inf_3dhp, 'MPI_INF_3DHP', seed=1, model_type='smpl'
)


@pytest.fixture(scope='module')
def train_cfg():
    """The Human3.6M entry of the whole-body config, as MPI-INF-3DHP."""
    cfg = config(DATA_CFG)
    h36m = find_dataset_cfg(cfg.train_dataloader.dataset, 'Human36MDataset')
    return dict(h36m, type='MPIINF3DHPDataset')


preprocessor = preprocessor_fixture('_base_/models/hand4whole_res50.py')


def test_sampling_and_layout(hp_root, train_cfg, tmp_path):
    dataset = build_dataset(train_cfg, hp_root, str(tmp_path))
    # frames 0 and 3; frame 4 is off the every-3rd-frame grid
    assert len(dataset) == 2
    info = dataset.get_data_info(1)
    assert info['img_path'] == (
        f'{hp_root}/data/images_1k/S1/Seq2/imageSequence/img_2_000003.jpg'
    )
    assert info['is_3d'] == 1 and info['keypoints_valid'].sum() == 17
    root = dataset.metainfo['root_idx']
    assert dataset.metainfo['joint_names'][root] == 'Pelvis'
    assert np.abs(info['keypoints_cam'][root]).max() == 0
    # whole body: z discretised 4 (z + 1), metres when body_3d_size=None
    np.testing.assert_allclose(
        info['keypoints'][:, 2],
        4 * (info['keypoints_cam'][:, 2] + 1),
        atol=1e-5,
    )
    metres = build_dataset(
        train_cfg, hp_root, str(tmp_path), body_3d_size=None
    ).get_data_info(1)
    np.testing.assert_allclose(
        metres['keypoints'][:, 2], info['keypoints_cam'][:, 2], atol=1e-6
    )
    every = build_dataset(train_cfg, hp_root, str(tmp_path), sampling_ratio=1)
    assert len(every) == 3


def test_cache_is_used(hp_root, train_cfg, tmp_path, monkeypatch):
    assert_cache_is_used(
        monkeypatch,
        train_cfg,
        hp_root,
        str(tmp_path),
        reload=dict(use_cache=False),
    )


def test_full_samples_land_on_the_person(
    hp_root, train_cfg, tmp_path, preprocessor
):
    """§10.2: upstream ``__getitem__`` returned (inputs, targets) only;
    here a sample carries every target and validity."""
    dataset = build_dataset(train_cfg, hp_root, str(tmp_path))
    sample = dataset[0]['data_samples']
    for key in (
        'joint_img',
        'joint_cam',
        'joint_valid',
        'joint_trunc',
        'is_3d',
        'lhand_bbox_valid',
        'face_bbox_valid',
    ):
        assert key in sample.gt_instances, key
    assert 'root_pose' in sample.gt_params and 'cam_R' in sample.gt_params
    for seed in range(3):
        data = preprocess(dataset, range(len(dataset)), preprocessor, seed)
        for image, sample in zip(data['inputs'], data['data_samples']):
            joint_img = numpy_field(sample, 'joint_img')
            valid = numpy_field(sample, 'joint_valid')
            assert valid.sum() == NUM_MAPPED
            assert on_person_fraction(image, joint_img, valid, HM) > 0.9
            assert numpy_field(sample, 'is_3d') == 1
            fit_img = numpy_field(sample, 'smplx_joint_img')
            fit_valid = numpy_field(sample, 'smplx_joint_valid')
            body = fit_valid[:25, 0] > 0
            assert on_person_fraction(image, fit_img[:25], body, HM) > 0.9
            # dataset joints are the fit's joints (same model, world frame
            # through the camera): image and camera targets coincide
            both = (valid[:, 0] > 0) & (fit_valid[:, 0] > 0)
            assert both.sum() == NUM_MAPPED
            np.testing.assert_allclose(
                joint_img[both], fit_img[both], atol=2e-2
            )
            np.testing.assert_allclose(
                numpy_field(sample, 'joint_cam')[both],
                numpy_field(sample, 'smplx_joint_cam')[both],
                atol=2e-3,
            )


def test_wholebody_masks(hp_root, train_cfg, tmp_path, preprocessor):
    dataset = build_dataset(train_cfg, hp_root, str(tmp_path))
    data = preprocess(dataset, [0, 1], preprocessor)
    for sample in data['data_samples']:
        assert_body_only_fit_masks(sample)


def test_flip_mirrors_the_targets(hp_root, train_cfg, tmp_path, preprocessor):
    dataset = build_dataset(train_cfg, hp_root, str(tmp_path))
    outs = flip_pair_of_samples(dataset, 1, preprocessor)
    plain, flipped = (o['data_samples'][0] for o in outs)
    perm = SMPLX_JOINTS.flip_permutation()
    assert_img_joints_mirrored(
        plain, flipped, ('joint_img', 'smplx_joint_img'), perm, HM[2]
    )
    cam_keys = ('joint_cam', 'smplx_joint_cam')
    assert_cam_x_mirrored(plain, flipped, cam_keys, perm)
    for key in cam_keys:  # y and z kept
        a, b = numpy_field(plain, key), numpy_field(flipped, key)
        np.testing.assert_allclose(b[perm][:, 1:], a[:, 1:], atol=1e-5)


def test_pose2pose_body_smpl_variant(
    smpl_root, train_cfg, tmp_path, human_model_root
):
    """``model_type='smpl'`` and ``body_3d_size=None`` (z in metres) with
    a Pose2Pose body pipeline that discretises z, through the Pose2Pose
    body preprocessor."""
    cfg = dict(
        train_cfg, model_type='smpl', body_3d_size=None, pipeline=P2P_PIPELINE
    )
    dataset = build_dataset(cfg, smpl_root, str(tmp_path))
    assert dataset.fit_file.endswith('MPI-INF-3DHP_SMPL_NeuralAnnot.json')
    pre = build_preprocessor(
        'pose2pose/pose2pose_body_res50.py', human_model_root
    )
    data = preprocess(dataset, range(len(dataset)), pre)
    assert data['inputs'].shape == (2, 3) + P2P_INPUT
    for image, sample in zip(data['inputs'], data['data_samples']):
        joint_img = numpy_field(sample, 'joint_img')
        valid = numpy_field(sample, 'joint_valid')
        assert joint_img.shape == (SMPL_JOINTS.num_joints, 3)
        assert valid.sum() == NUM_MAPPED
        assert on_person_fraction(image, joint_img, valid, HM) > 0.9
        fit_img = numpy_field(sample, 'smpl_joint_img')
        fit_valid = numpy_field(sample, 'smpl_joint_valid')
        assert fit_valid.all() and numpy_field(sample, 'smpl_pose_valid').all()
        assert on_person_fraction(image, fit_img, fit_valid, HM) > 0.9
        both = valid[:, 0] > 0
        # pipeline discretisation of metres == preprocessor's of the fit
        np.testing.assert_allclose(joint_img[both], fit_img[both], atol=2e-2)


def test_test_mode_runs_the_test_pipeline(hp_root, train_cfg, tmp_path):
    cfg = dict(
        train_cfg,
        pipeline=config(
            'hand4whole/hand4whole_res50_test_h36m.py'
        ).test_dataloader.dataset.pipeline,
    )
    dataset = build_dataset(cfg, hp_root, str(tmp_path), test_mode=True)
    assert len(dataset) == 2
    sample = dataset[0]['data_samples']
    kpts = numpy_field(sample, 'keypoints_cam')
    assert kpts.shape == (17, 3)
    assert sample.flip is False and 'bb2img_trans' in sample
    # no training sample is skipped silently at test time
    info = dataset.get_data_info
    dataset.get_data_info = lambda i: dict(info(i), img_path='x.missing')
    with pytest.raises(MissingImageError, match='x.missing'):
        dataset[0]


def test_bad_input_names_file_and_id(hp_root, train_cfg, tmp_path):
    root = tmp_path / 'MPI_INF_3DHP'
    shutil.copytree(hp_root, root)
    # a frame without a fit: invalid fit targets, not an error
    fit_path = root / 'data' / 'MPI-INF-3DHP_SMPLX_NeuralAnnot.json'
    with edited_json(fit_path) as fits:
        del fits['1']['2']['3']
    dataset = build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
    assert dataset.get_data_info(0)['gt_params'].get('param_valid', True)
    assert dataset.get_data_info(1)['gt_params']['param_valid'] is False
    with edited_json(root / 'data' / 'MPI-INF-3DHP_joint_3d.json') as joints:
        del joints['1']['2']['3']
    with pytest.raises(
        AnnotationError, match=r'MPI-INF-3DHP_1k.json: annotation 1\b'
    ):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
    (root / 'data' / 'MPI-INF-3DHP_camera_1k.json').unlink()
    with pytest.raises(FileNotFoundError, match='camera_1k.json'):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
