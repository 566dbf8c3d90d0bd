"""tools/dataset_converters/agora: agora2coco.py on a raw-AGORA fixture
(whose projection is written independently of the converter) and
crop_and_resize_4k_images.py, then the converted layout through
AGORADataset."""

import json
import os
import os.path as osp
import pickle

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

from h4w.registry import DATASETS
from h4w.structures.bbox import bbox_from_points
from h4w.synthetic import SyntheticPeople, project

from tests.conftest import PYTHON, load_tool, run_tool
from tests.fixtures.datasets.agora import (
    RAW_CAMERAS,
    RAW_DOWNSCALE,
    agora_forward,
    make_agora_raw,
    raw_table,
)


@pytest.fixture(scope='module')
def agora2coco():
    return load_tool('dataset_converters/agora/agora2coco.py')


@pytest.fixture(scope='module')
def crop_tool():
    return load_tool('dataset_converters/agora/crop_and_resize_4k_images.py')


@pytest.fixture(scope='module')
def converted(tmp_path_factory, human_model_root, agora2coco, crop_tool):
    """Raw fixture, converted, then cropped."""
    root = str(tmp_path_factory.mktemp('agora') / 'data')
    raw = make_agora_raw(root, human_model_root)
    written = agora2coco.main(
        [
            '--dataset-path',
            root,
            '--human-model-path',
            human_model_root,
            '--print-every',
            '1',
        ]
    )
    crops = crop_tool.main(
        ['--dataset-path', root, '--out-height', '512', '--out-width', '384']
    )
    return dict(root=root, raw=raw, written=written, crops=crops)


def _annotations(root, split, suffix='SMPLX'):
    with open(osp.join(root, f'AGORA_{split}_{suffix}.json')) as f:
        db = json.load(f)
    images = {img['id']: img for img in db['images']}
    return [(ann, images[ann['image_id']]) for ann in db['annotations']]


def _person(raw, img):
    name = osp.basename(img['file_name_3840x2160'])
    return raw['images'][name]


@pytest.mark.parametrize('camera', sorted(RAW_CAMERAS))
def test_camera_model_matches_the_fixture(agora2coco, camera):
    """The converter's AGORA camera and the fixture's forward model (two
    implementations of §8) agree for every kind of scene."""
    rng = np.random.default_rng(0)
    names = dict(
        cam02='x_cam02_00000.png',
        cam00='x_cam00_00000.png',
        hdri='x_hdri_00000.png',
        ag2='ag2_x_00000.png',
        table='ag_trainset_flowers_00000.png',
    )
    table = dict(camX=[120.0], camY=[-80.0], camZ=[170.0], camYaw=[33.0])
    cam = agora2coco.scene_camera(names[camera], table, 0)
    focal, princpt = agora2coco.intrinsics(cam['focal_mm'])
    position, yaw = rng.uniform(-500, 500, 3), 71.0
    R, t, focal_ref, princpt_ref = agora_forward(
        RAW_CAMERAS[camera], (120.0, -80.0, 170.0), 33.0, position, yaw
    )
    points = rng.normal(size=(20, 3))
    np.testing.assert_allclose(
        agora2coco.world_to_camera(points, cam, position, yaw),
        points @ R.T + t,
        atol=1e-9,
    )
    np.testing.assert_allclose(focal, focal_ref)
    np.testing.assert_allclose(princpt, princpt_ref)


def test_converted_fits_reproject_onto_agora_joints(
    converted, human_model_root
):
    root, raw = converted['root'], converted['raw']
    assert [osp.basename(p) for p in converted['written']] == [
        'AGORA_train_SMPLX.json',
        'AGORA_validation_SMPLX.json',
    ]
    people = SyntheticPeople(human_model_root)
    count = 0
    for split, folder in (('train', 'train_0'), ('validation', 'validation')):
        table = raw_table(root, split)
        for ann, img in _annotations(root, split):
            name = osp.basename(img['file_name_3840x2160'])
            stem = name[:-4]
            assert img['file_name_3840x2160'] == (
                f'images_3840x2160/{folder}/{name}'
            )
            assert img['file_name_1280x720'] == (
                f'images_1280x720/{folder}/{stem}_1280x720.png'
            )
            assert ann['smplx_param_path'] == (
                f'smplx_params_cam/{folder}/{stem}/{ann["person_id"]}.json'
            )
            assert ann['cam_param_path'] == f'cam_params/{folder}/{stem}.json'
            with open(osp.join(root, ann['smplx_param_path'])) as f:
                fit = json.load(f)
            with open(osp.join(root, ann['cam_param_path'])) as f:
                cam = json.load(f)
            assert sorted(fit) == sorted(
                [
                    'global_orient',
                    'body_pose',
                    'jaw_pose',
                    'leye_pose',
                    'reye_pose',
                    'left_hand_pose',
                    'right_hand_pose',
                    'betas',
                    'expression',
                    'transl',
                ]
            )
            assert len(fit['betas']) == 10
            assert cam['princpt'] == [1920.0, 1080.0]
            row = table['imgPath'].index(name)
            joints_2d = np.asarray(
                table['gt_joints_2d'][row][ann['person_id']]
            )
            # the camera-frame fit (gendered model) reprojects onto
            # AGORA's 2D joints
            layer = people.model('smplx', ann['gender'])
            with torch.no_grad():
                out = layer(
                    **{
                        k: torch.tensor(v, dtype=torch.float32)[None]
                        for k, v in fit.items()
                    }
                )
            joints = out['output_joints'][0, :127].double().numpy()
            err = np.abs(
                project(joints, cam['focal'], cam['princpt']) - joints_2d
            ).max()
            assert err < 1.0, (name, ann['person_id'], err)
            expected = _person(raw, img)['persons'][ann['person_id']]
            np.testing.assert_allclose(
                joints, expected['joints_cam'], atol=1e-3
            )
            # boxes: x1.2 tight boxes of AGORA's 2D joints
            ones = np.ones(len(joints_2d))
            np.testing.assert_allclose(
                ann['bbox'], bbox_from_points(joints_2d, ones), rtol=1e-5
            )
            for part in ('lhand', 'rhand', 'face'):
                x, y, w, h = ann[f'{part}_bbox']
                assert 0 < w < ann['bbox'][2] and 0 < h < ann['bbox'][3]
            assert ann['is_valid'] is True and ann['gender'] in (
                'male',
                'female',
            )
            count += 1
    assert count == 5


def test_crop_tool_writes_crops_with_the_affine(converted):
    root, raw = converted['root'], converted['raw']
    assert len(converted['crops']) == 4 + 1 + 2
    for ann, img in _annotations(root, 'train'):
        name = osp.basename(img['file_name_3840x2160'])
        base = osp.join(
            root,
            'images_3840x2160',
            'train_0_crop',
            f'{name[:-4]}_person_id_{ann["person_id"]}',
        )
        with open(base + '.json') as f:
            info = json.load(f)
        assert info['resized_height'] == 512 and info['resized_width'] == 384
        x, y, w, h = info['bbox_orig']
        # 0.75 aspect, x1.25 around the centre of the annotation box
        bx, by, bw, bh = ann['bbox']
        np.testing.assert_allclose(
            [x + w / 2, y + h / 2], [bx + bw / 2, by + bh / 2], atol=1e-2
        )
        assert abs(w / h - 0.75) < 1e-5
        assert abs(min(w / bw, h / bh) - 1.25) < 1e-4
        mat = np.asarray(info['affine_mat'])
        corners = np.array([[x, y, 1], [x + w, y + h, 1]]) @ mat.T
        np.testing.assert_allclose(corners, [[0, 0], [384, 512]], atol=1e-2)
        # the person's joints, mapped by the affine, are on the crop's
        # drawn person (the render was written downscaled)
        crop = cv2.imread(base + '.png')
        assert crop.shape == (512, 384, 3)
        person = _person(raw, img)['persons'][ann['person_id']]
        pts = person['joints_2d'][:22] @ mat[:, :2].T + mat[:, 2]
        hits = [
            crop[
                max(0, int(v) - 2) : int(v) + 3,
                max(0, int(u) - 2) : int(u) + 3,
            ].max()
            > 45
            for u, v in pts
        ]
        assert np.mean(hits) > 0.9
    test_dir = osp.join(root, 'images_3840x2160', 'test_crop')
    assert sorted(os.listdir(test_dir)) == sorted(
        f'ag_testset_renderpeople_bfh_brushifygrasslands_5_15_00003_'
        f'person_id_{k}.{ext}'
        for k in (0, 1)
        for ext in ('json', 'png')
    )
    assert RAW_DOWNSCALE != 1  # the crops were resampled from a small file


def test_converted_layout_loads(converted, human_model_root):
    init_default_scope('h4w')
    root = converted['root']
    for kwargs, count in (
        (dict(), 4),
        (dict(test_mode=True), 1),
        (dict(test_mode=True, test_set='test'), 2),
    ):
        dataset = DATASETS.build(
            dict(
                type='AGORADataset', data_root=root, use_cache=False, **kwargs
            )
        )
        assert len(dataset) == count
    info = dataset.get_data_info(1)
    assert info['person_id'] == 1 and info['ori_shape'] == (512, 384)


def test_bad_inputs_are_named(
    converted, agora2coco, tmp_path, human_model_root
):
    root = converted['root']
    # a pickled pandas DataFrame without pandas: clear error
    fake = tmp_path / 'train_9_withjv.pkl'
    fake.write_bytes(b'\x80\x02cpandas.core.frame\nDataFrame\nq\x00.')
    with pytest.raises(
        agora2coco.ConversionError, match=r'train_9_withjv.pkl.*pandas'
    ):
        agora2coco.load_table(str(fake), 'gt_path_smplx')
    # a DataFrame-like object (columns + to_dict) is read by column
    table = raw_table(root, 'validation')
    frame = tmp_path / 'frame.pkl'
    with open(frame, 'wb') as f:
        pickle.dump(FakeFrame(table), f)
    loaded = agora2coco.load_table(str(frame), 'gt_path_smplx')
    assert loaded['imgPath'] == table['imgPath']
    # a missing fit file is named
    converter = agora2coco.Converter(root, human_model_root)
    missing = osp.join(root, 'nowhere.pkl')
    with pytest.raises(agora2coco.ConversionError, match='nowhere.pkl'):
        converter.load_fit(missing)
    # SMPL joints in an SMPL-X table (upstream #86)
    bad = dict(table, gt_joints_2d=[[np.zeros((45, 2))]])
    with pytest.raises(agora2coco.ConversionError, match='--model smpl'):
        converter._convert_image(bad, 0, 'validation', [], [])


class FakeFrame:
    """Stands in for a pandas DataFrame (``columns``, ``to_dict``,
    column access)."""

    def __init__(self, table):
        self.table = table

    @property
    def columns(self):
        return list(self.table)

    def to_dict(self):
        return dict(self.table)

    def __getitem__(self, key):
        return self.table[key]


def test_smpl_tables(tmp_path, human_model_root, agora2coco):
    root = str(tmp_path / 'data')
    raw = make_agora_raw(
        root, human_model_root, seed=3, model_type='smpl', cameras=('hdri',)
    )
    agora2coco.main(
        [
            '--dataset-path',
            root,
            '--human-model-path',
            human_model_root,
            '--model',
            'smpl',
        ]
    )
    people = SyntheticPeople(human_model_root)
    anns = _annotations(root, 'train', 'SMPL')
    assert len(anns) == 2
    for ann, img in anns:
        assert 'lhand_bbox' not in ann
        with open(osp.join(root, ann['smpl_param_path'])) as f:
            fit = json.load(f)
        assert sorted(fit) == ['betas', 'body_pose', 'global_orient', 'transl']
        with open(osp.join(root, ann['cam_param_path'])) as f:
            cam = json.load(f)
        with torch.no_grad():
            out = people.model('smpl', ann['gender'])(
                **{
                    k: torch.tensor(v, dtype=torch.float32)[None]
                    for k, v in fit.items()
                }
            )
        joints = out['output_joints'][0].double().numpy()
        expected = _person(raw, img)['persons'][ann['person_id']]
        err = np.abs(
            project(joints, cam['focal'], cam['princpt'])
            - expected['joints_2d']
        ).max()
        assert err < 1.0


def test_test_tool_on_the_converted_layout(
    converted, human_model_root, tmp_path
):
    """Raw AGORA -> converter -> crops -> tools/test.py with the AGORA
    test config: the val metrics and one result pickle per person with
    all 144 joints in 3840x2160 pixels."""
    ckpt = tmp_path / 'empty.pth'
    torch.save(dict(meta=dict(), state_dict=dict()), str(ckpt))
    out_dir = tmp_path / 'results'
    proc = run_tool(
        [
            PYTHON,
            'tools/test.py',
            'configs/hand4whole/hand4whole_res50_test_agora.py',
            str(ckpt),
            '--work-dir',
            str(tmp_path / 'work'),
            '--cfg-options',
            f'model.body_model.model_path={human_model_root}',
            f'test_evaluator.0.body_model.model_path={human_model_root}',
            f'test_evaluator.1.out_dir={out_dir}',
            f'test_dataloader.dataset.data_root={converted["root"]}',
            f'test_dataloader.dataset.cache_dir={tmp_path / "cache"}',
            'test_dataloader.num_workers=0',
            'test_dataloader.batch_size=1',
        ]
    )
    output = proc.stdout + proc.stderr
    assert 'AGORA/PA-MPVPE_all:' in output and 'AGORA/MPVPE_face:' in output
    files = sorted(os.listdir(out_dir))
    assert files == [
        'ag_validationset_renderpeople_bfh_brushifygrasslands'
        '_5_15_00000_personId_0.pkl'
    ]
    with open(out_dir / files[0], 'rb') as f:
        content = pickle.load(f)
    assert content['joints'].shape == (144, 2)  # 2-D: AGORA's checker
    assert content['params']['body_pose'].shape == (1, 63)
