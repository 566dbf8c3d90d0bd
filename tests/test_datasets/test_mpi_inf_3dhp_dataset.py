"""MPI-INF-3DHP: fixture in the upstream layout, configured like the
Human3.6M entry of the whole-body data config."""

import json
import shutil

import numpy as np
import pytest

from h4w.datasets.datasets.base import AnnotationError
from h4w.datasets.transforms import MissingImageError
from h4w.models.body_models.joint_sets import SMPL_JOINTS, SMPLX_JOINTS
from h4w.testing.datasets.mpi_inf_3dhp import make_mpi_inf_3dhp
from tests.test_datasets.helpers import (
    build_dataset,
    build_preprocessor,
    config,
    find_dataset_cfg,
    numpy_field,
    on_person_fraction,
    preprocess,
)

HM = (8, 8, 6)
#: 3DHP joints of the SMPL-X / SMPL sets (Torso, Head, Head_top: none).
NUM_MAPPED = 14
DATA_CFG = '_base_/datasets/h36m_mpii_coco.py'

P2P_INPUT = (256, 192)
P2P_PIPELINE = [
    dict(type='LoadImage'),
    dict(type='RandomMeshAugmentation'),
    dict(type='MeshTopdownAffine', input_size=P2P_INPUT),
    dict(
        type='KeypointTargets',
        target_joint_set='smpl_33',
        input_size=P2P_INPUT,
        output_hm_shape=HM,
        depth_3d_size=2.0,
    ),
    dict(type='PackMeshInputs'),
]


@pytest.fixture(scope='module')
def hp_root(tmp_path_factory, human_model_root):
    root = tmp_path_factory.mktemp('data') / 'MPI_INF_3DHP'
    return make_mpi_inf_3dhp(str(root), human_model_root)


@pytest.fixture(scope='module')
def train_cfg():
    """The Human3.6M entry of the whole-body config, as MPI-INF-3DHP."""
    cfg = config(DATA_CFG)
    h36m = find_dataset_cfg(cfg.train_dataloader.dataset, 'Human36MDataset')
    return dict(h36m, type='MPIINF3DHPDataset')


@pytest.fixture(scope='module')
def preprocessor(human_model_root):
    return build_preprocessor(
        '_base_/models/hand4whole_res50.py', human_model_root
    )


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
    first = build_dataset(train_cfg, hp_root, str(tmp_path))
    calls = []
    monkeypatch.setattr(
        type(first),
        'load_annotations',
        lambda self: calls.append(1) or [dict(x=1)],
    )
    second = build_dataset(train_cfg, hp_root, str(tmp_path))
    assert not calls and len(second) == len(first)
    third = build_dataset(train_cfg, hp_root, str(tmp_path), use_cache=False)
    assert calls and len(third) == 1


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
    feet = SMPLX_JOINTS.indices_of(
        [
            'L_Big_toe',
            'L_Small_toe',
            'L_Heel',
            'R_Big_toe',
            'R_Small_toe',
            'R_Heel',
        ]
    )
    for sample in data['data_samples']:
        valid = numpy_field(sample, 'smplx_joint_valid')[:, 0]
        trunc = numpy_field(sample, 'smplx_joint_trunc')[:, 0]
        assert valid[feet].sum() == 0 and trunc[feet].sum() == 0
        assert (trunc <= valid).all()
        pose_valid = numpy_field(sample, 'smplx_pose_valid').reshape(53, 3)
        assert pose_valid[[7, 8, 20, 21]].sum() == 0
        assert pose_valid[[0, 1, 2, 52]].all()


def test_flip_mirrors_the_targets(hp_root, train_cfg, tmp_path, preprocessor):
    dataset = build_dataset(train_cfg, hp_root, str(tmp_path))
    aug = dataset.pipeline.transforms[1]
    original = aug.transform
    outs = []
    for flip in (False, True):
        aug.transform = lambda r, f=flip: dict(
            r,
            aug_scale=1.0,
            rot=0.0,
            flip=f,
            color_scale=np.ones(3, np.float32),
        )
        try:
            outs.append(preprocess(dataset, [1], preprocessor))
        finally:
            aug.transform = original
    plain, flipped = (o['data_samples'][0] for o in outs)
    perm = SMPLX_JOINTS.flip_permutation()
    for key in ('joint_img', 'smplx_joint_img'):
        a, b = numpy_field(plain, key), numpy_field(flipped, key)
        valid = numpy_field(plain, key.replace('img', 'valid'))[:, 0] > 0
        np.testing.assert_allclose(
            b[perm][valid, 0], HM[2] - a[valid, 0], atol=2e-3
        )
        np.testing.assert_allclose(b[perm][valid, 1:], a[valid, 1:], atol=2e-3)
    for key in ('joint_cam', 'smplx_joint_cam'):
        a, b = numpy_field(plain, key), numpy_field(flipped, key)
        np.testing.assert_allclose(b[perm][:, 0], -a[:, 0], atol=1e-5)
        np.testing.assert_allclose(b[perm][:, 1:], a[:, 1:], atol=1e-5)


def test_pose2pose_body_smpl_variant(
    tmp_path_factory, train_cfg, tmp_path, human_model_root
):
    """``model_type='smpl'`` and ``body_3d_size=None`` (z in metres) with
    a Pose2Pose body pipeline that discretises z, through the Pose2Pose
    body preprocessor."""
    root = make_mpi_inf_3dhp(
        str(tmp_path_factory.mktemp('smpl') / 'MPI_INF_3DHP'),
        human_model_root,
        seed=1,
        model_type='smpl',
    )
    cfg = dict(
        train_cfg, model_type='smpl', body_3d_size=None, pipeline=P2P_PIPELINE
    )
    dataset = build_dataset(cfg, root, str(tmp_path))
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
    cfg = dict(train_cfg, pipeline=config(DATA_CFG).test_pipeline)
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
    fits = json.loads(fit_path.read_text())
    del fits['1']['2']['3']
    fit_path.write_text(json.dumps(fits))
    dataset = build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
    assert dataset.get_data_info(0)['gt_params'].get('param_valid', True)
    assert dataset.get_data_info(1)['gt_params']['param_valid'] is False
    path = root / 'data' / 'MPI-INF-3DHP_joint_3d.json'
    joints = json.loads(path.read_text())
    del joints['1']['2']['3']
    path.write_text(json.dumps(joints))
    with pytest.raises(
        AnnotationError, match=r'MPI-INF-3DHP_1k.json: annotation 1\b'
    ):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
    (root / 'data' / 'MPI-INF-3DHP_camera_1k.json').unlink()
    with pytest.raises(FileNotFoundError, match='camera_1k.json'):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
