"""3DPW: fixture in the parsed layout through the Pose2Pose body test
config and the Pose2Pose body data preprocessor."""

import os
import shutil

import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData

from h4w.body_models.joint_sets import SMPL_JOINTS
from h4w.datasets.datasets.base import AnnotationError
from h4w.datasets.transforms import MissingImageError
from h4w.registry import METRICS
from h4w.synthetic import SyntheticPeople, project

from tests.fixtures.datasets.pw3d import make_pw3d
from tests.test_datasets.helpers import (
    assert_cam_x_mirrored,
    assert_img_joints_mirrored,
    build_dataset,
    config,
    dataset_cfg_fixture,
    edited_json,
    flip_pair_of_samples,
    numpy_field,
    on_person_fraction,
    pose2pose_pipeline,
    preprocess,
    preprocessor_fixture,
)

CONFIG = 'pose2pose/pose2pose_body_res50_test_pw3d.py'
INPUT = (256, 192)
HM = (8, 8, 6)

TRAIN_PIPELINE = pose2pose_pipeline(INPUT, HM, 'smpl_33', 2.0)


@pytest.fixture(scope='module')
def pw3d(tmp_path_factory, human_model_root):
    root = tmp_path_factory.mktemp('data') / 'PW3D'
    record = {}
    make_pw3d(
        str(root), human_model_root, splits=('test', 'train'), record=record
    )
    return str(root), record


test_cfg = dataset_cfg_fixture(CONFIG, 'PW3DDataset', 'test_dataloader')
preprocessor = preprocessor_fixture('pose2pose/pose2pose_body_res50.py')


def test_splits_and_annotations(pw3d, test_cfg, tmp_path):
    root, record = pw3d
    test = build_dataset(test_cfg, root, str(tmp_path))
    assert len(test) == 3  # one man; one woman and one man
    genders = []
    for i in range(len(test)):
        info = test.get_data_info(i)
        assert '/imageFiles/test_seq_00/image_0000' in info['img_path']
        params = info['gt_params']
        assert params['root_pose'].shape == (3,)
        assert params['body_pose'].shape == (69,)
        fit = record[('test', info['ann_id'])]['params']
        np.testing.assert_allclose(
            params['body_pose'], fit['body_pose'], rtol=1e-6
        )
        assert params['focal'].shape == params['princpt'].shape == (2,)
        assert info['is_3d'] == 1 and info['bbox'].shape == (4,)
        genders.append(params['gender'])
    assert genders == ['male', 'female', 'male']
    train = build_dataset(test_cfg, root, str(tmp_path), split='train')
    assert len(train) == 3
    assert 'train_seq_00' in train.get_data_info(0)['img_path']
    with pytest.raises(FileNotFoundError, match='3DPW_validation.json'):
        build_dataset(test_cfg, root, str(tmp_path), split='validation')
    with pytest.raises(ValueError, match='split'):
        build_dataset(test_cfg, root, str(tmp_path), split='val')
    with pytest.raises(ValueError, match='model_type'):
        build_dataset(test_cfg, root, str(tmp_path), model_type='smplx')


def test_gt_mesh_is_the_gendered_smpl_mesh(
    pw3d, test_cfg, tmp_path, preprocessor, human_model_root
):
    root, record = pw3d
    dataset = build_dataset(test_cfg, root, str(tmp_path))
    data = preprocess(
        dataset, range(len(dataset)), preprocessor, training=False
    )
    assert data['inputs'].shape == (3, 3) + INPUT
    people = SyntheticPeople(human_model_root)
    for image, sample in zip(data['inputs'], data['data_samples']):
        drawn = record[('test', sample.ann_id)]
        mesh = numpy_field(sample, 'smpl_mesh_cam')
        assert mesh.shape == (6890, 3)
        np.testing.assert_allclose(mesh, drawn['vertices'], atol=1e-4)
        # the gender matters: the neutral model gives another mesh
        neutral = people.forward('smpl', drawn['params'])['vertices']
        assert np.abs(neutral - drawn['vertices']).max() > 1e-2
        # Pose2Pose meta: the processed box travels with the sample
        assert numpy_field(sample, 'bbox').shape == (4,)
        # fit joints and the projected mesh land on the drawn person
        joint_img = numpy_field(sample, 'smpl_joint_img')
        valid = numpy_field(sample, 'smpl_joint_valid')
        assert valid.sum() == 33
        assert on_person_fraction(image, joint_img, valid, HM) > 0.9
        uv = project(
            mesh, sample.gt_params.focal[0], sample.gt_params.princpt[0]
        )
        trans = sample.img2bb_trans
        hm = (uv @ trans[:, :2].T + trans[:, 2]) * [
            HM[2] / INPUT[1],
            HM[1] / INPUT[0],
        ]
        ones = np.ones(len(hm))
        assert on_person_fraction(image, hm[::5], ones[::5], HM) > 0.97


def test_metric_of_the_config_and_no_files_written(
    pw3d, test_cfg, tmp_path, preprocessor, human_model_root, monkeypatch
):
    """§10.2: nothing is written into the working directory; the drawn
    mesh scores 0 with the config's PW3DMetric."""
    root, record = pw3d
    work = tmp_path / 'cwd'
    work.mkdir()
    monkeypatch.chdir(work)
    dataset = build_dataset(test_cfg, root, str(tmp_path / 'cache'))
    cfg = config(CONFIG).test_evaluator
    cfg.body_model.model_path = human_model_root
    metric = METRICS.build(cfg)
    data = preprocess(
        dataset, range(len(dataset)), preprocessor, training=False
    )
    samples = []
    for sample in data['data_samples']:
        verts = record[('test', sample.ann_id)]['vertices']
        sample.pred_instances = InstanceData(
            smpl_mesh_cam=torch.as_tensor(verts, dtype=torch.float32)[None]
        )
        samples.append(sample.to_dict())
    metric.process(None, samples)
    results = metric.compute_metrics(metric.results)
    assert list(results) == ['MPJPE', 'PA-MPJPE', 'MPVPE', 'PA-MPVPE']
    assert max(results.values()) < 0.2  # mm
    assert os.listdir(work) == []


def test_training_mode_flip_mirrors_the_fit_targets(
    pw3d, test_cfg, tmp_path, preprocessor
):
    """3DPW has no dataset keypoints: training targets come from the fit
    only; a flip mirrors them with the SMPL left / right swap."""
    root, _ = pw3d
    dataset = build_dataset(
        test_cfg,
        root,
        str(tmp_path),
        split='train',
        test_mode=False,
        pipeline=TRAIN_PIPELINE,
    )
    for seed in range(2):
        data = preprocess(dataset, range(len(dataset)), preprocessor, seed)
        for image, sample in zip(data['inputs'], data['data_samples']):
            assert numpy_field(sample, 'joint_valid').sum() == 0
            joint_img = numpy_field(sample, 'smpl_joint_img')
            trunc = numpy_field(sample, 'smpl_joint_trunc')
            assert on_person_fraction(image, joint_img, trunc, HM) > 0.9
    outs = flip_pair_of_samples(dataset, 1, preprocessor)
    plain, flipped = (o['data_samples'][0] for o in outs)
    perm = SMPL_JOINTS.flip_permutation()
    assert_img_joints_mirrored(
        plain, flipped, ['smpl_joint_img'], perm, HM[2], masked=False
    )
    assert_cam_x_mirrored(plain, flipped, ['smpl_joint_cam'], perm)
    # the GT mesh is the un-augmented one
    np.testing.assert_allclose(
        numpy_field(flipped, 'smpl_mesh_cam'),
        numpy_field(plain, 'smpl_mesh_cam'),
        atol=1e-6,
    )


def test_missing_image_fails_in_test(pw3d, test_cfg, tmp_path):
    root, _ = pw3d
    copy = tmp_path / 'PW3D'
    shutil.copytree(root, copy)
    (copy / 'imageFiles' / 'test_seq_00' / 'image_00001.jpg').unlink()
    dataset = build_dataset(test_cfg, str(copy), str(tmp_path / 'c'))
    dataset[0]
    with pytest.raises(MissingImageError, match='image_00001.jpg'):
        dataset[1]


@pytest.mark.parametrize('edit', ['gender', 'pose', 'smpl_param', 'bbox'])
def test_malformed_annotation_names_file_and_id(
    pw3d, test_cfg, tmp_path, edit
):
    root, _ = pw3d
    copy = tmp_path / 'PW3D'
    shutil.copytree(root, copy)
    with edited_json(copy / 'data' / '3DPW_test.json') as content:
        bad = content['annotations'][2]
        if edit == 'gender':
            bad['smpl_param']['gender'] = 'robot'
        elif edit == 'pose':
            bad['smpl_param']['pose'] = bad['smpl_param']['pose'][:69]
        else:
            del bad[edit]
    with pytest.raises(
        AnnotationError, match=rf'3DPW_test.json: annotation {bad["id"]}'
    ):
        build_dataset(test_cfg, str(copy), str(tmp_path / 'c'))
