"""AGORA: processed-layout fixture through the config (4K crops and 720p,
train / val / test, neutral and gendered GT, SMPL variant)."""

import json
import os.path as osp
import shutil

import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData

from h4w.body_models.joint_sets import SMPLX_JOINTS
from h4w.datasets.datasets.agora_dataset import AGORA_SMPLX_JOINT_NAMES
from h4w.datasets.datasets.base import AnnotationError
from h4w.evaluation.metrics import AGORAResultWriter
from h4w.synthetic import SyntheticPeople, project

from tests.fixtures.datasets.agora import make_agora
from tests.test_datasets.helpers import (
    assert_cache_is_used,
    assert_cam_x_mirrored,
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
    reference_process_bbox,
    root_fixture,
)

HM = (8, 8, 6)
LOW = (720, 1280)
LHAND = list(range(*SMPLX_JOINTS.parts['lhand']))
RHAND = list(range(*SMPLX_JOINTS.parts['rhand']))
# the 51 landmarks behind the face box (Face_5 .. Face_55)
FACE = SMPLX_JOINTS.indices_of([f'Face_{i}' for i in range(5, 56)])


agora_root = root_fixture(make_agora, 'AGORA/data')
smpl_root = root_fixture(make_agora, 'data', seed=1, model_type='smpl')
train_cfg = dataset_cfg_fixture('_base_/datasets/agora.py', 'AGORADataset')
val_cfg = dataset_cfg_fixture(
    '_base_/datasets/agora.py', 'AGORADataset', 'test_dataloader'
)
preprocessor = preprocessor_fixture('_base_/models/hand4whole_res50.py')


@pytest.fixture(scope='module')
def people(human_model_root):
    return SyntheticPeople(human_model_root)


def _fit(root, info):
    """The processed fit json and camera json of a data info."""
    folder = 'train_0' if 'train' in info['img_name'] else 'validation'
    base = osp.join(root, f'{{}}/{folder}/{info["img_name"]}')
    with open(
        base.format('smplx_params_cam') + f'/{info["person_id"]}.json'
    ) as f:
        fit = json.load(f)
    with open(base.format('cam_params') + '.json') as f:
        cam = json.load(f)
    return fit, cam


def test_splits_resolutions_and_metainfo(
    agora_root, train_cfg, val_cfg, tmp_path
):
    train = build_dataset(train_cfg, agora_root, str(tmp_path))
    # 3 people in the training render, the third has is_valid false
    assert len(train) == 2
    assert [train.get_data_info(i)['person_id'] for i in range(2)] == [0, 1]
    info = train.get_data_info(0)
    assert info['img_path'].endswith(
        'images_3840x2160/train_0_crop/ag_trainset_renderpeople_bfh_archviz'
        '_5_10_cam02_00001_person_id_0.png'
    )
    assert info['ori_shape'] == (512, 384)
    np.testing.assert_array_equal(info['bbox'], [0, 0, 384, 512])
    assert info['img_name'] == (
        'ag_trainset_renderpeople_bfh_archviz_5_10_cam02_00001'
    )
    assert info['gt_params']['keypoints_from_fit']
    assert info['gt_params']['shape'].shape == (10,)  # kid: 11 betas
    assert 'gender' not in info['gt_params']  # neutral reference
    assert len(info['joint_names']) == len(AGORA_SMPLX_JOINT_NAMES) == 127

    low = build_dataset(train_cfg, agora_root, str(tmp_path), resolution=LOW)
    info = low.get_data_info(0)
    assert len(low) == 2 and info['ori_shape'] == LOW
    assert info['img_path'].endswith('_1280x720.png')
    np.testing.assert_allclose(
        info['img_to_full_trans'], [[3, 0, 0], [0, 3, 0]]
    )
    x, y, w, h = info['bbox']
    assert abs(w / h - 0.75) < 1e-4

    for resolution in ((2160, 3840), LOW):
        val = build_dataset(
            val_cfg, agora_root, str(tmp_path), resolution=resolution
        )
        assert len(val) == 2 and val.test_mode
        assert 'keypoints_from_fit' not in val.get_data_info(0)['gt_params']
        test = build_dataset(
            val_cfg,
            agora_root,
            str(tmp_path),
            resolution=resolution,
            test_set='test',
        )
        assert len(test) == 2
        infos = [test.get_data_info(i) for i in range(2)]
        assert [i['person_id'] for i in infos] == [0, 1]
        assert all('gt_params' not in i for i in infos)
        assert {i['img_name'] for i in infos} == {
            'ag_testset_renderpeople_bfh_flowers_5_15_00000'
        }
        sample = test[1]['data_samples']
        assert sample.person_id == 1 and not hasattr(sample, 'gt_params')


@pytest.mark.parametrize('resolution', [(2160, 3840), LOW])
def test_train_targets_land_on_the_person(
    agora_root, train_cfg, tmp_path, preprocessor, resolution
):
    dataset = build_dataset(
        train_cfg,
        agora_root,
        str(tmp_path),
        resolution=resolution,
        gt_gender='gendered',
    )
    for seed in range(2):
        data = preprocess(dataset, range(len(dataset)), preprocessor, seed)
        for image, sample in zip(data['inputs'], data['data_samples']):
            # §10.2: the keypoint targets are the fit's, validity (137, 1)
            for key in ('img', 'cam', 'valid', 'trunc'):
                np.testing.assert_array_equal(
                    numpy_field(sample, f'joint_{key}'),
                    numpy_field(sample, f'smplx_joint_{key}'),
                )
            valid = numpy_field(sample, 'joint_valid')
            assert valid.shape == (137, 1) and valid.all()
            joint_img = numpy_field(sample, 'joint_img')
            assert (
                on_person_fraction(image, joint_img[:25], valid[:25], HM) > 0.9
            )
            assert numpy_field(sample, 'is_3d') == 1
            assert numpy_field(sample, 'smplx_pose_valid').all()
            assert numpy_field(sample, 'smplx_expr_valid') == 1
            # the hand / face boxes hold the hand / face joints of the fit
            for part, rows in (
                ('lhand', LHAND),
                ('rhand', RHAND),
                ('face', FACE),
            ):
                assert numpy_field(sample, f'{part}_bbox_valid') == 1
                center = numpy_field(sample, f'{part}_bbox_center')
                size = numpy_field(sample, f'{part}_bbox_size')
                pts = joint_img[rows, :2]
                # sanitize_bbox shrinks the box by one pixel (§10.1)
                tol = 1.3 * HM[1] / 512
                assert (pts >= center - size / 2 - tol).all(), part
                assert (pts <= center + size / 2 + tol).all(), part
                assert (
                    on_person_fraction(image, center[None], np.ones(1), HM)
                    == 1
                ), part


def test_neutral_targets_use_the_neutral_model(
    agora_root, train_cfg, tmp_path, preprocessor
):
    """Reference GT: neutral SMPL-X on the gendered fits; close to, but not
    the drawn (gendered) person."""
    outs = {}
    for gender in ('neutral', 'gendered'):
        dataset = build_dataset(
            train_cfg, agora_root, str(tmp_path), gt_gender=gender
        )
        data = preprocess(dataset, [0, 1], preprocessor)
        outs[gender] = data
        for image, sample in zip(data['inputs'], data['data_samples']):
            joint_img = numpy_field(sample, 'joint_img')
            assert (
                on_person_fraction(image, joint_img[:25], np.ones(25), HM)
                > 0.8
            )
    a = numpy_field(outs['neutral']['data_samples'][0], 'smplx_joint_cam')
    b = numpy_field(outs['gendered']['data_samples'][0], 'smplx_joint_cam')
    assert np.abs(a - b).max() > 1e-3


def test_flip_mirrors_the_targets(
    agora_root, train_cfg, tmp_path, preprocessor
):
    dataset = build_dataset(train_cfg, agora_root, str(tmp_path))
    outs = flip_pair_of_samples(dataset, 0, preprocessor)
    plain, flipped = (o['data_samples'][0] for o in outs)
    perm = SMPLX_JOINTS.flip_permutation()
    assert_img_joints_mirrored(
        plain,
        flipped,
        ('joint_img', 'smplx_joint_img'),
        perm,
        HM[2],
        masked=False,
    )
    assert_cam_x_mirrored(plain, flipped, ['smplx_joint_cam'], perm)
    # hand boxes swap sides and mirror
    for src, dst in (('lhand', 'rhand'), ('rhand', 'lhand'), ('face', 'face')):
        c_a = numpy_field(plain, f'{src}_bbox_center')
        c_b = numpy_field(flipped, f'{dst}_bbox_center')
        np.testing.assert_allclose(c_b, [HM[2] - c_a[0], c_a[1]], atol=2e-2)
    assert_crop_mirrored(*outs)


@pytest.mark.parametrize('gender', ['neutral', 'gendered'])
def test_val_gt_mesh(
    agora_root, val_cfg, tmp_path, preprocessor, people, gender
):
    """Test mode, test_set='val': the preprocessor makes the GT mesh from
    the camera-frame fit, with the neutral or the annotated gender."""
    dataset = build_dataset(
        val_cfg, agora_root, str(tmp_path), gt_gender=gender
    )
    data = preprocess(dataset, [0, 1], preprocessor, training=False)
    for i, sample in enumerate(data['data_samples']):
        mesh = numpy_field(sample, 'smplx_mesh_cam')
        info = dataset.get_data_info(i)
        fit, _ = _fit(agora_root, info)
        with open(osp.join(agora_root, 'AGORA_validation_SMPLX.json')) as f:
            ann = [
                a
                for a in json.load(f)['annotations']
                if a['person_id'] == info['person_id']
            ][0]
        params = dict(
            root_pose=fit['global_orient'],
            body_pose=fit['body_pose'],
            shape=fit['betas'][:10],
            lhand_pose=fit['left_hand_pose'],
            rhand_pose=fit['right_hand_pose'],
            jaw_pose=fit['jaw_pose'],
            expr=fit['expression'],
            trans=fit['transl'],
        )
        params = {k: np.asarray(v, np.float32) for k, v in params.items()}
        key = ann['gender'] if gender == 'gendered' else 'neutral'
        expected = people.forward('smplx', params, key)['vertices']
        np.testing.assert_allclose(mesh, expected, atol=1e-4)
        other = 'neutral' if gender == 'gendered' else ann['gender']
        assert (
            np.abs(
                people.forward('smplx', params, other)['vertices'] - mesh
            ).mean()
            > 1e-3
        )
        assert sample.img_name.startswith('ag_validationset')
        # the GT mesh, seen by the crop camera, covers the drawn person
        # (the gendered one exactly)
        gt = dataset.get_data_info(i)['gt_params']
        verts_2d = project(mesh[::50], gt['focal'], gt['princpt'])
        hm = verts_2d / [384 / HM[2], 512 / HM[1]]
        assert on_person_fraction(
            data['inputs'][i], hm, np.ones(len(hm)), HM
        ) > (0.97 if gender == 'gendered' else 0.8)


@pytest.mark.parametrize('resolution', [(2160, 3840), LOW])
def test_img_to_full_trans_maps_to_4k_pixels(
    agora_root, val_cfg, tmp_path, people, resolution
):
    """Loaded-image pixels -> 3840x2160 pixels: a joint projected with the
    loaded image's camera lands where the 4K camera projects it, and
    AGORAResultWriter writes it there."""
    dataset = build_dataset(
        val_cfg, agora_root, str(tmp_path), resolution=resolution
    )
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        fit, cam = _fit(agora_root, info)
        params = dict(
            root_pose=fit['global_orient'],
            body_pose=fit['body_pose'],
            shape=fit['betas'][:10],
            trans=fit['transl'],
        )
        params = {k: np.asarray(v, np.float32) for k, v in params.items()}
        joints = people.forward('smplx', params)['joints']
        gt = info['gt_params']
        local = project(joints, gt['focal'], gt['princpt'])
        full = project(joints, cam['focal'], cam['princpt'])
        trans = info['img_to_full_trans']
        np.testing.assert_allclose(
            local @ trans[:, :2].T + trans[:, 2], full, atol=0.05
        )
        # the same pixel of the 720p render shows the person
        sample = dataset[i]['data_samples']
        sample.pred_instances = InstanceData(
            smplx_joint_proj_orig=torch.from_numpy(local[None]),
            **{
                k: torch.zeros(1, n)
                for k, n in (
                    ('cam_trans', 3),
                    ('smplx_root_pose', 3),
                    ('smplx_body_pose', 63),
                    ('smplx_lhand_pose', 45),
                    ('smplx_rhand_pose', 45),
                    ('smplx_jaw_pose', 3),
                    ('smplx_expr', 10),
                    ('smplx_shape', 10),
                )
            },
        )
        content = AGORAResultWriter.sample_content(sample)
        assert content['joints'].shape == full.shape  # (J, 2)
        np.testing.assert_allclose(content['joints'], full, atol=0.05)
        assert AGORAResultWriter.file_name(
            sample.img_name, sample.person_id
        ) == (
            f'ag_validationset_renderpeople_bfh_flowers_5_15_00000_'
            f'personId_{info["person_id"]}.pkl'
        )


def test_720p_person_box_is_float64_as_the_reference(
    agora_root, train_cfg, tmp_path
):
    """§5.4 720p: the 4K box (float64 JSON values) is scaled by
    1280 / 3840 and 720 / 2160 and processed in float64."""
    root = tmp_path / 'AGORA'
    shutil.copytree(agora_root, root)
    with edited_json(root / 'AGORA_train_SMPLX.json') as content:
        # values that float32 does not represent
        content['annotations'][0]['bbox'] = [1701.37, 811.29, 402.61, 903.77]
        anns = {a['id']: a for a in content['annotations']}
    dataset = build_dataset(
        train_cfg, str(root), str(tmp_path / 'c'), resolution=LOW
    )
    float32_moves = 0
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        raw = np.array(anns[info['ann_id']]['bbox']).reshape(2, 2)
        box = raw / [3840, 2160] * [LOW[1], LOW[0]]
        expected = reference_process_bbox(box.reshape(4), LOW[1], LOW[0])
        np.testing.assert_allclose(info['bbox'], expected, rtol=0, atol=1e-12)
        # the float32 route (float32 box and scale) moves the box
        box32 = raw.astype(np.float32) * np.float32(1 / 3)
        float32 = reference_process_bbox(box32.reshape(4), LOW[1], LOW[0])
        float32_moves += np.abs(float32 - expected).max() > 1e-7
    assert float32_moves > 0


def test_cache_key_and_reuse(agora_root, train_cfg, tmp_path, monkeypatch):
    calls = assert_cache_is_used(
        monkeypatch, train_cfg, agora_root, str(tmp_path)
    )
    build_dataset(train_cfg, agora_root, str(tmp_path), resolution=LOW)
    assert calls  # another resolution, another cache entry


def test_bad_input_names_file_and_id(agora_root, train_cfg, val_cfg, tmp_path):
    root = tmp_path / 'AGORA'
    shutil.copytree(agora_root, root)
    with edited_json(root / 'AGORA_train_SMPLX.json') as content:
        bad = content['annotations'][1]
        del bad['cam_param_path']
    with pytest.raises(
        AnnotationError,
        match=rf'AGORA_train_SMPLX.json: annotation '
        rf'{bad["id"]}',
    ):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
    # a missing crop json / fit file is named
    crop = (
        root
        / 'images_3840x2160'
        / 'validation_crop'
        / 'ag_validationset_renderpeople_bfh_flowers_5_15_00000_person_id'
        '_1.json'
    )
    crop.unlink()
    with pytest.raises(FileNotFoundError, match='person_id_1.json'):
        build_dataset(val_cfg, str(root), str(tmp_path / 'c'))
    skipping = build_dataset(
        val_cfg, str(root), str(tmp_path / 'c'), skip_missing_crops=True
    )
    assert len(skipping) == 1
    fit = (
        root
        / 'smplx_params_cam'
        / 'validation'
        / 'ag_validationset_renderpeople_bfh_flowers_5_15_00000'
        / '0.json'
    )
    fit.write_text('{"global_orient": [0, 0]')
    with pytest.raises(AnnotationError, match='0.json'):
        build_dataset(val_cfg, str(root), str(tmp_path / 'c'), resolution=LOW)
    with pytest.raises(ValueError, match='test_set'):
        build_dataset(
            val_cfg, str(root), str(tmp_path / 'c'), test_set='train'
        )


def test_smpl_variant_4k_and_720p(smpl_root, human_model_root, tmp_path):
    """Pose2Pose body: SMPL fits from smpl_params_cam, 4K crops and 720p
    (the 720p path was broken upstream, §10.2)."""
    pre = build_preprocessor(
        'pose2pose/pose2pose_body_res50.py', human_model_root
    )
    pipeline = pose2pose_pipeline((256, 192), HM, 'smpl_33', 2.0)
    cfg = dict(type='AGORADataset', model_type='smpl', pipeline=pipeline)
    for resolution in ((2160, 3840), LOW):
        dataset = build_dataset(
            cfg,
            smpl_root,
            str(tmp_path),
            resolution=resolution,
            gt_gender='gendered',
        )
        assert len(dataset) == 2
        assert len(dataset.metainfo['joint_names']) == 45
        data = preprocess(dataset, [0, 1], pre)
        for image, sample in zip(data['inputs'], data['data_samples']):
            joint_img = numpy_field(sample, 'joint_img')
            np.testing.assert_array_equal(
                joint_img, numpy_field(sample, 'smpl_joint_img')
            )
            assert numpy_field(sample, 'joint_valid').shape == (33, 1)
            assert on_person_fraction(image, joint_img, np.ones(33), HM) > 0.9
        test = build_dataset(
            dict(cfg, pipeline=[]),
            smpl_root,
            str(tmp_path),
            resolution=resolution,
            test_mode=True,
        )
        assert len(test) == 2
        assert test.get_data_info(0)['gt_params']['body_pose'].shape == (69,)
