"""MPII: fixture in the upstream layout through the config."""

import json
import shutil

import numpy as np
import pytest

from h4w.datasets.datasets.base import AnnotationError
from h4w.models.body_models.joint_sets import SMPL_JOINTS, SMPLX_JOINTS
from h4w.testing.datasets.mpii import make_mpii
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
#: MPII joints of the SMPL-X / SMPL sets (Thorax and Head_top have none).
NUM_MAPPED = 14
#: Annotation 1 has no fit and an unannotated L_Ankle.
NO_FIT = 1

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
def mpii_root(tmp_path_factory, human_model_root):
    root = tmp_path_factory.mktemp('data') / 'MPII'
    return make_mpii(str(root), human_model_root)


@pytest.fixture(scope='module')
def smpl_root(tmp_path_factory, human_model_root):
    root = tmp_path_factory.mktemp('data_smpl') / 'MPII'
    return make_mpii(str(root), human_model_root, seed=1, model_type='smpl')


@pytest.fixture(scope='module')
def train_cfg():
    cfg = config('_base_/datasets/h36m_mpii_coco.py')
    return find_dataset_cfg(cfg.train_dataloader.dataset, 'MPIIDataset')


@pytest.fixture(scope='module')
def preprocessor(human_model_root):
    return build_preprocessor(
        '_base_/models/hand4whole_res50.py', human_model_root
    )


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
    first = build_dataset(train_cfg, mpii_root, str(tmp_path))
    calls = []
    monkeypatch.setattr(
        type(first),
        'load_annotations',
        lambda self: calls.append(1) or [dict(x=1)],
    )
    second = build_dataset(train_cfg, mpii_root, str(tmp_path))
    assert not calls and len(second) == len(first)
    # another fit file is another cache entry
    third = build_dataset(
        train_cfg, mpii_root, str(tmp_path), model_type='smpl'
    )
    assert calls and len(third) == 1


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
        assert (trunc <= valid).all() and valid.sum() > 100
        pose_valid = numpy_field(sample, 'smplx_pose_valid').reshape(53, 3)
        # L/R ankle (7, 8) and L/R wrist (20, 21) of the parameter set
        assert pose_valid[[7, 8, 20, 21]].sum() == 0
        assert pose_valid[[0, 1, 2, 52]].all()
        assert numpy_field(sample, 'smplx_shape_valid') == 1


def test_flip_mirrors_the_targets(
    mpii_root, train_cfg, tmp_path, preprocessor
):
    """Same sample with and without flip (no scale / rotation): x mirrors
    and left / right swap, validities included."""
    dataset = build_dataset(train_cfg, mpii_root, str(tmp_path))
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
            outs.append(preprocess(dataset, [0], preprocessor))
        finally:
            aug.transform = original
    plain, flipped = (o['data_samples'][0] for o in outs)
    perm = SMPLX_JOINTS.flip_permutation()
    for key in ('joint_img', 'smplx_joint_img'):
        a, b = numpy_field(plain, key), numpy_field(flipped, key)
        valid = numpy_field(plain, key.replace('img', 'valid'))[:, 0] > 0
        assert valid.sum() >= NUM_MAPPED
        np.testing.assert_allclose(
            b[perm][valid, 0], HM[2] - a[valid, 0], atol=2e-3
        )
        np.testing.assert_allclose(b[perm][valid, 1:], a[valid, 1:], atol=2e-3)
        # the swapped validity is the validity of the mirrored joints
        np.testing.assert_array_equal(
            numpy_field(flipped, key.replace('img', 'valid'))[perm, 0] > 0,
            valid,
        )
    img_a = outs[0]['inputs'][0].numpy()
    img_b = outs[1]['inputs'][0].numpy()
    assert np.abs(img_b[:, :, 1:] - img_a[:, :, ::-1][:, :, :-1]).mean() < (
        np.abs(img_b - img_a).mean()
    )


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
    content = json.loads(path.read_text())
    content['annotations'][2]['keypoints'] = [1.0, 2.0]
    path.write_text(json.dumps(content))
    bad_id = content['annotations'][2]['id']
    with pytest.raises(
        AnnotationError, match=rf'train.json: annotation {bad_id}\b'
    ):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
    # a malformed fit names the fit file
    shutil.copy(f'{mpii_root}/data/annotations/train.json', path)
    fit_path = ann_dir / 'MPII_train_SMPLX_NeuralAnnot.json'
    fits = json.loads(fit_path.read_text())
    del fits['2']['cam_param']
    fit_path.write_text(json.dumps(fits))
    with pytest.raises(
        AnnotationError, match=r'SMPLX_NeuralAnnot.json: annotation 2\b'
    ):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
    fit_path.unlink()
    with pytest.raises(FileNotFoundError, match='SMPLX_NeuralAnnot.json'):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
