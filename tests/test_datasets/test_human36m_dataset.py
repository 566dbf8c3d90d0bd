"""Human3.6M: fixture in the upstream layout through the config."""

import numpy as np
import pytest

from h4w.body_models.joint_sets import SMPLX_JOINTS
from h4w.datasets.datasets.base import AnnotationError
from h4w.datasets.transforms import MissingImageError

from tests.fixtures.datasets.human36m import make_human36m
from tests.test_datasets.helpers import (
    assert_body_only_fit_masks,
    assert_cache_is_used,
    assert_cam_x_mirrored,
    assert_crop_mirrored,
    assert_img_joints_mirrored,
    build_dataset,
    config,
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

h36m_root = root_fixture(make_human36m, 'Human36M')
train_cfg = dataset_cfg_fixture(
    '_base_/datasets/h36m_mpii_coco.py', 'Human36MDataset'
)
preprocessor = preprocessor_fixture('_base_/models/hand4whole_res50.py')


def test_split_and_sampling(h36m_root, train_cfg, tmp_path):
    train = build_dataset(train_cfg, h36m_root, str(tmp_path), subjects=[1])
    # 2 frames x 2 cameras of subject 1
    assert len(train) == 4
    test = build_dataset(
        train_cfg, h36m_root, str(tmp_path), test_mode=True, subjects=[9]
    )
    # camera 4 only
    assert len(test) == 2
    assert all(
        'ca_04' in test.get_data_info(i)['img_path'] for i in range(len(test))
    )
    sparse = build_dataset(
        train_cfg, h36m_root, str(tmp_path), subjects=[1], sampling_ratio=7
    )
    assert len(sparse) == 2  # only frame 0


def test_cache_is_used(h36m_root, train_cfg, tmp_path, monkeypatch):
    assert_cache_is_used(
        monkeypatch,
        train_cfg,
        h36m_root,
        str(tmp_path),
        reload=dict(use_cache=False),
        subjects=[1],
    )


def test_train_targets_land_on_the_person(
    h36m_root, train_cfg, tmp_path, preprocessor
):
    dataset = build_dataset(train_cfg, h36m_root, str(tmp_path), subjects=[1])
    for seed in range(3):
        data = preprocess(dataset, range(len(dataset)), preprocessor, seed)
        for image, sample in zip(data['inputs'], data['data_samples']):
            joint_img = numpy_field(sample, 'joint_img')
            valid = numpy_field(sample, 'joint_valid')
            assert valid.sum() == 14  # 17 H36M joints, 14 in the 137 set
            assert on_person_fraction(image, joint_img, valid, HM) > 0.9
            fit_img = numpy_field(sample, 'smplx_joint_img')
            fit_valid = numpy_field(sample, 'smplx_joint_valid')
            body = fit_valid[:25, 0] > 0
            assert on_person_fraction(image, fit_img[:25], body, HM) > 0.9
            # dataset joints and fit joints agree (different regressors)
            both = (valid[:, 0] > 0) & (fit_valid[:, 0] > 0)
            assert np.abs(joint_img[both, :2] - fit_img[both, :2]).max() < 0.5
            assert numpy_field(sample, 'is_3d') == 1


def test_wholebody_masks(h36m_root, train_cfg, tmp_path, preprocessor):
    dataset = build_dataset(train_cfg, h36m_root, str(tmp_path), subjects=[1])
    data = preprocess(dataset, [0, 1], preprocessor)
    for sample in data['data_samples']:
        assert_body_only_fit_masks(sample)


def test_flip_mirrors_the_targets(
    h36m_root, train_cfg, tmp_path, preprocessor
):
    """Same sample with and without flip (no scale / rotation): x mirrors
    (x -> W_hm - x in heat-map units) and left / right swap."""
    dataset = build_dataset(train_cfg, h36m_root, str(tmp_path), subjects=[1])
    outs = flip_pair_of_samples(dataset, 0, preprocessor)
    plain, flipped = (o['data_samples'][0] for o in outs)
    perm = SMPLX_JOINTS.flip_permutation()
    assert_img_joints_mirrored(
        plain, flipped, ('joint_img', 'smplx_joint_img'), perm, HM[2]
    )
    assert_cam_x_mirrored(
        plain, flipped, ('joint_cam', 'smplx_joint_cam'), perm
    )
    assert_crop_mirrored(*outs)


def test_test_config_carries_eval_keypoints(h36m_root, tmp_path):
    cfg = config('hand4whole/hand4whole_res50_test_h36m.py')
    dataset = build_dataset(
        cfg.test_dataloader.dataset, h36m_root, str(tmp_path), subjects=[9]
    )
    assert len(dataset) == 2 and dataset.test_mode
    sample = dataset[0]['data_samples']
    kpts = numpy_field(sample, 'keypoints_cam')
    assert kpts.shape == (17, 3) and np.abs(kpts[0]).max() == 0
    assert sample.flip is False and 'bb2img_trans' in sample


def test_missing_image_skips_in_training_and_fails_in_test(
    h36m_root, train_cfg, tmp_path
):
    dataset = build_dataset(train_cfg, h36m_root, str(tmp_path), subjects=[1])
    dataset.data_list  # noqa: B018
    info = dataset.get_data_info(0)
    missing = info['img_path'] + '.missing'
    original = dataset.get_data_info

    def patched(idx):
        out = original(idx)
        if idx == 0:
            out['img_path'] = missing
        return out

    dataset.get_data_info = patched
    assert dataset.prepare_data(0) is None and dataset.num_skipped == 1
    # another sample is drawn (after skipping index 0 at least once more)
    sample = dataset[0]['data_samples']
    assert sample.img_path != missing and dataset.num_skipped >= 2
    dataset.test_mode = True
    with pytest.raises(MissingImageError, match='.missing'):
        dataset[0]


def test_malformed_annotation_names_file_and_id(
    h36m_root, train_cfg, tmp_path
):
    import shutil

    root = tmp_path / 'Human36M'
    shutil.copytree(h36m_root, root)
    path = root / 'annotations' / 'Human36M_subject1_data.json'
    with edited_json(path) as content:
        del content['annotations'][1]['bbox']
    bad_id = content['annotations'][1]['id']
    with pytest.raises(
        AnnotationError, match=rf'subject1_data.json: annotation {bad_id}'
    ):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'), subjects=[1])
    with pytest.raises(FileNotFoundError, match='subject5_data.json'):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
