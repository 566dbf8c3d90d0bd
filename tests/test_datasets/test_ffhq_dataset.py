"""FFHQ: fixture in the upstream layout through the config."""

import json
import os.path as osp
import shutil

import numpy as np
import pytest

from h4w.body_models.joint_sets import FLAME_JOINTS
from h4w.datasets.datasets.base import AnnotationError
from h4w.datasets.transforms.loading import load_image

from tests.fixtures.datasets.ffhq import make_ffhq
from tests.test_datasets.helpers import (
    assert_cache_is_used,
    assert_cam_x_mirrored,
    assert_img_joints_mirrored,
    build_dataset,
    dataset_cfg_fixture,
    edited_json,
    flip_pair_of_samples,
    numpy_field,
    on_person_fraction,
    preprocess,
    preprocessor_fixture,
    root_fixture,
)

HM = (8, 8, 6)

ffhq_root = root_fixture(make_ffhq, 'FFHQ')
train_cfg = dataset_cfg_fixture('_base_/datasets/ffhq_coco.py', 'FFHQDataset')
preprocessor = preprocessor_fixture('pose2pose/pose2pose_face_res50.py')


def test_samples(ffhq_root, train_cfg, tmp_path):
    dataset = build_dataset(train_cfg, ffhq_root, str(tmp_path))
    assert len(dataset) == 2
    info = dataset.get_data_info(0)
    assert info['joint_names'] == FLAME_JOINTS.joint_names
    assert info['flip_pairs'] == FLAME_JOINTS.flip_pairs
    assert info['is_3d'] == 0
    assert info['keypoints'].shape == (73, 3)
    assert np.abs(info['keypoints'][:, 2]).max() == 0
    assert info['keypoints_valid'].sum() == 68
    x, y, w, h = info['bbox']
    assert w / h == pytest.approx(0.75)
    assert set(info['gt_params']) >= {
        'root_pose',
        'jaw_pose',
        'shape',
        'expr',
        'focal',
        'princpt',
    }
    # the second face has no fit
    assert dataset.get_data_info(1)['gt_params'] == dict(param_valid=False)


def test_images_in_the_reference_layout(ffhq_root, train_cfg, tmp_path):
    """The reference reads data/FFHQ/data/images/<file_name>: with the
    config's (default) arguments every image is found there; the fixture
    writer uses that layout."""
    root = tmp_path / 'FFHQ'
    shutil.copytree(ffhq_root, root)
    data = root / 'data'
    with open(data / 'FFHQ.json') as f:
        names = [img['file_name'] for img in json.load(f)['images']]
    for name in names:
        # the reference layout only, whatever the writer did
        path = data / 'images' / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(data / name), str(path))
    dataset = build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
    assert len(dataset) == len(names) == 2
    for i, name in enumerate(names):
        path = dataset.get_data_info(i)['img_path']
        assert osp.isfile(path), path
        assert osp.samefile(path, data / 'images' / name)
        assert load_image(path).shape == (256, 256, 3)
    for name in names:
        assert osp.isfile(osp.join(ffhq_root, 'data', 'images', name))


def test_cache_is_used(ffhq_root, train_cfg, tmp_path, monkeypatch):
    assert_cache_is_used(
        monkeypatch,
        train_cfg,
        ffhq_root,
        str(tmp_path),
        reload=dict(use_cache=False),
    )


def test_keypoints_and_flame_targets_land_on_the_face(
    ffhq_root, train_cfg, tmp_path, preprocessor
):
    dataset = build_dataset(train_cfg, ffhq_root, str(tmp_path))
    for seed in range(3):
        data = preprocess(dataset, [0, 1], preprocessor, seed)
        for i, (image, sample) in enumerate(
            zip(data['inputs'], data['data_samples'])
        ):
            joint_img = numpy_field(sample, 'joint_img')
            valid = numpy_field(sample, 'joint_valid')
            assert joint_img.shape == (73, 3) and valid.sum() == 68
            assert on_person_fraction(image, joint_img, valid, HM) > 0.9
            assert np.abs(numpy_field(sample, 'joint_cam')).max() == 0
            assert numpy_field(sample, 'is_3d') == 0
            fit_valid = numpy_field(sample, 'flame_joint_valid')
            if i == 1:
                assert fit_valid.sum() == 0
                assert numpy_field(sample, 'flame_expr_valid') == 0
                continue
            fit_img = numpy_field(sample, 'flame_joint_img')
            assert fit_valid.sum() == 73
            assert on_person_fraction(image, fit_img, fit_valid, HM) > 0.9
            # the keypoints are the fit's joints, projected
            both = valid[:, 0] > 0
            np.testing.assert_allclose(
                joint_img[both, :2], fit_img[both, :2], atol=2e-3
            )


def test_flip_mirrors_the_targets(
    ffhq_root, train_cfg, tmp_path, preprocessor
):
    """Same sample with and without flip (no scale / rotation): x mirrors
    and the FLAME left / right landmarks swap."""
    dataset = build_dataset(train_cfg, ffhq_root, str(tmp_path))
    outs = flip_pair_of_samples(dataset, 0, preprocessor)
    plain, flipped = (o['data_samples'][0] for o in outs)
    perm = FLAME_JOINTS.flip_permutation()
    assert_img_joints_mirrored(
        plain, flipped, ('joint_img', 'flame_joint_img'), perm, HM[2]
    )
    assert_cam_x_mirrored(plain, flipped, ['flame_joint_cam'], perm)
    # root / jaw rotations mirror: (x, -y, -z)
    for key in ('flame_root_pose', 'flame_jaw_pose'):
        a, b = numpy_field(plain, key), numpy_field(flipped, key)
        np.testing.assert_allclose(b, a * [1, -1, -1], atol=1e-5)


def test_fit_file_is_an_argument(tmp_path, train_cfg, human_model_root):
    root = make_ffhq(
        str(tmp_path / 'FFHQ'),
        human_model_root,
        fit_file='FFHQ_FLAME_NeuralAnnot.json',
    )
    with pytest.raises(FileNotFoundError, match='flame_param.json'):
        build_dataset(train_cfg, root, str(tmp_path / 'c'))
    dataset = build_dataset(
        train_cfg,
        root,
        str(tmp_path / 'c'),
        fit_file='data/FFHQ_FLAME_NeuralAnnot.json',
    )
    assert 'root_pose' in dataset.get_data_info(0)['gt_params']


def test_malformed_annotation_names_file_and_id(
    ffhq_root, train_cfg, tmp_path
):
    root = tmp_path / 'FFHQ'
    shutil.copytree(ffhq_root, root)
    with edited_json(root / 'data' / 'FFHQ.json') as content:
        content['annotations'][1]['keypoints'] = [[0.0, 0.0]] * 72
    bad_id = content['annotations'][1]['id']
    with pytest.raises(
        AnnotationError, match=rf'FFHQ.json: annotation {bad_id}'
    ):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
