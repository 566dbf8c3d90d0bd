"""HumanData (mmhuman3d / SMPLer-X ``.npz``): the fixture files through
the config's dataset, the pipeline and the Hand4Whole preprocessor."""

import re

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from h4w.body_models.joint_sets import SMPLX_JOINTS
from h4w.datasets.datasets.base import AnnotationError
from h4w.datasets.datasets.human_data_conventions import (
    KEYPOINT_CONVENTIONS,
    convention_metainfo,
)
from h4w.registry import METRICS
from h4w.synthetic import SyntheticPeople

from tests.fixtures.datasets.human_data import (
    FILES,
    HUMAN_DATA_KEYPOINTS,
    MASKED,
    NO_LHAND_BOX,
    ROWS,
    SMPLX_KEYPOINTS,
    load_npz,
    make_human_data,
    save_npz,
)
from tests.test_datasets.helpers import (
    assert_cache_is_used,
    build_dataset,
    config,
    dataset_cfg_fixture,
    flip_pair_of_samples,
    numpy_field,
    on_person_fraction,
    preprocess,
    preprocessor_fixture,
    reference_process_bbox,
    root_fixture,
)

HM = (8, 8, 6)
CONFIG = '_base_/datasets/human_data.py'
J137 = SMPLX_JOINTS.joint_names
#: 137-set joints that no HumanData joint feeds (the eye vertex joints
#: are named L_Eye / R_Eye, their body names).
NO_SOURCE = ('Face_3', 'Face_4')
L_HEEL, R_HEEL = J137.index('L_Heel'), J137.index('R_Heel')

hd_root = root_fixture(make_human_data, 'humandata')
train_cfg = dataset_cfg_fixture(CONFIG, 'HumanDataDataset')
val_cfg = dataset_cfg_fixture(CONFIG, 'HumanDataDataset', 'test_dataloader')
pre = preprocessor_fixture('_base_/models/hand4whole_res50.py')


def build(cfg, root, cache, kind='smplx', **kwargs):
    return build_dataset(cfg, root, str(cache), ann_file=FILES[kind], **kwargs)


def fixed(dataset, flip=False):
    """The dataset with a fixed augmentation (no scale, rotation, colour;
    ``flip``)."""
    aug = dataset.pipeline.transforms[1]
    aug.transform = lambda r: dict(
        r,
        aug_scale=1.0,
        rot=0.0,
        flip=flip,
        color_scale=np.ones(3, np.float32),
    )
    return dataset


def write_edited(root, tmp_path, edit, kind='smplx', name='edited.npz'):
    """A copy of a fixture file edited by ``edit(content)``, written to
    ``tmp_path``: its absolute path (the images stay under ``root``)."""
    content = load_npz(f'{root}/{FILES[kind]}')
    edit(content)
    return save_npz(str(tmp_path / name), content)


def build_file(cfg, root, cache, name, **kwargs):
    return build_dataset(cfg, root, str(cache), ann_file=name, **kwargs)


# --------------------------------------------------------- conventions
def test_convention_tables_and_names():
    # the code's tables are mmhuman3d's (the fixture writes them
    # literally)
    assert KEYPOINT_CONVENTIONS['smplx'] == SMPLX_KEYPOINTS
    assert KEYPOINT_CONVENTIONS['human_data'] == HUMAN_DATA_KEYPOINTS
    assert len(SMPLX_KEYPOINTS) == 144 and len(HUMAN_DATA_KEYPOINTS) == 190
    for convention in ('smplx', 'human_data'):
        meta = convention_metainfo(convention)
        names = meta['joint_names']
        src = dict(zip(meta['source_joint_names'], names))
        assert len(set(names)) == len(names)
        # every 137-set joint but the eye duplicates has a source
        assert set(J137) - set(names) == set(NO_SOURCE)
        for upstream, h4w in (
            ('pelvis', 'Pelvis'),
            ('left_wrist', 'L_Wrist'),
            ('right_index_3', 'R_Index_3'),
            ('left_thumb', 'L_Thumb_4'),
            ('right_bigtoe', 'R_Big_toe'),
            ('left_eye', 'L_Eye'),
            ('jaw', 'Face_1'),
            ('head', 'Face_2'),
            ('right_eyebrow_1', 'Face_5'),
            ('lip_bottom', 'Face_54'),
            ('right_contour_1', 'Face_56'),
            ('left_contour_1', 'Face_72'),
        ):
            assert src[upstream] == h4w
        # joints without a 137 counterpart keep a distinct name
        assert src['spine_1'] not in J137
        assert src['left_eyeball'] not in J137
        if convention == 'human_data':
            assert names[144:] == HUMAN_DATA_KEYPOINTS[144:]
            assert not set(names[144:]) & set(J137)
        # flip pairs: left / right by name, those of the 137 set
        target = {
            frozenset((J137[a], J137[b])) for a, b in SMPLX_JOINTS.flip_pairs
        }
        mapped = 0
        for a, b in meta['flip_pairs']:
            assert meta['source_joint_names'][a].startswith('left_')
            assert meta['source_joint_names'][b].startswith('right_')
            if names[a] in J137:
                assert frozenset((names[a], names[b])) in target
                mapped += 1
        # all of the 137 set's but Face_3 / Face_4
        assert mapped == len(SMPLX_JOINTS.flip_pairs) - 1


# ------------------------------------------------------ fields, shapes
def test_fields_and_shapes(hd_root, train_cfg, tmp_path):
    dataset = build(train_cfg, hd_root, tmp_path)
    raw = load_npz(f'{hd_root}/{FILES["smplx"]}')
    assert len(dataset) == len(ROWS) == 4
    assert dataset.metainfo['joint_names'][20] == 'L_Wrist'
    names = list(SMPLX_KEYPOINTS)
    for row in range(4):
        info = dataset.get_data_info(row)
        img, (height, width), gender = ROWS[row][:3]
        assert info['img_path'] == f'{hd_root}/{img}'
        assert info['ann_id'] == row and info['ori_shape'] == (height, width)
        np.testing.assert_allclose(
            info['bbox'],
            reference_process_bbox(raw['bbox_xywh'][row, :4], width, height),
            rtol=1e-6,
        )
        kpts, valid = info['keypoints'], info['keypoints_valid']
        assert kpts.shape == (144, 3) and valid.shape == (144, 1)
        assert (kpts[:, 2] == 0).all() and info['is_3d'] == 0
        np.testing.assert_allclose(
            kpts[valid[:, 0] > 0, :2],
            raw['keypoints2d_smplx'][row][valid[:, 0] > 0, :2],
        )
        # validity = mask * (confidence > 0)
        conf = raw['keypoints2d_smplx'][row, :, 2]
        mask = raw['keypoints2d_smplx_mask']
        np.testing.assert_array_equal(valid[:, 0], (mask * (conf > 0)) > 0)
        for joint in MASKED:
            assert valid[names.index(joint), 0] == 0
        params = info['gt_params']
        for key, size in (
            ('root_pose', 3),
            ('body_pose', 63),
            ('shape', 10),
            ('lhand_pose', 45),
            ('rhand_pose', 45),
            ('jaw_pose', 3),
            ('expr', 10),
            ('trans', 3),
            ('focal', 2),
            ('princpt', 2),
        ):
            assert params[key].shape == (size,), key
        np.testing.assert_allclose(
            params['body_pose'], raw['smplx']['body_pose'][row].reshape(-1)
        )
        np.testing.assert_allclose(
            params['focal'], raw['meta']['focal_length'][row]
        )
        assert params.get('gender', 'neutral') == gender
        assert 'keypoints_from_fit' not in params
        for part in ('lhand', 'rhand', 'face'):
            box = raw[f'{part}_bbox_xywh'][row]
            if box[4] > 0:
                x, y, w, h = box[:4]
                np.testing.assert_allclose(
                    info[f'{part}_bbox'], [x, y, x + w, y + h], rtol=1e-6
                )
            else:
                assert info[f'{part}_bbox'] is None
    assert (
        dataset.get_data_info(0)['keypoints_valid'][names.index('nose')] == 0
    )
    for row in NO_LHAND_BOX:
        assert dataset.get_data_info(row)['lhand_bbox'] is None


# ------------------------------------------- pipeline + preprocessor
def test_keypoints_land_on_the_person_where_the_fit_projects(
    hd_root, train_cfg, tmp_path, pre
):
    dataset = build(train_cfg, hd_root, tmp_path)
    for seed in range(2):  # random scale, rotation, flip
        data = preprocess(dataset, range(4), pre, seed)
        for image, sample in zip(data['inputs'], data['data_samples']):
            joint_img = numpy_field(sample, 'joint_img')
            valid = numpy_field(sample, 'joint_valid')[:, 0]
            assert joint_img.shape == (137, 3) and valid.sum() > 60
            assert on_person_fraction(image, joint_img, valid, HM) > 0.9
            for name in NO_SOURCE:
                assert valid[J137.index(name)] == 0
            # the left heel is masked: after a flip it is the right heel
            assert valid[R_HEEL if sample.flip else L_HEEL] == 0
            fit_img = numpy_field(sample, 'smplx_joint_img')
            fit_valid = numpy_field(sample, 'smplx_joint_valid')[:, 0]
            assert fit_valid.all()
            assert numpy_field(sample, 'smplx_pose_valid').all()
            assert numpy_field(sample, 'smplx_expr_valid') == 1
            # every named joint lands where the fit's joint projects
            np.testing.assert_allclose(
                joint_img[valid > 0, :2], fit_img[valid > 0, :2], atol=2e-3
            )
            assert numpy_field(sample, 'is_3d') == 0


def test_masks_and_absent_boxes(hd_root, train_cfg, tmp_path, pre):
    dataset = fixed(build(train_cfg, hd_root, tmp_path))
    data = preprocess(dataset, range(4), pre)
    samples = data['data_samples']
    # row 1 is inside its image: all but the masked heel and Face_3 / 4
    valid = numpy_field(samples[1], 'joint_valid')[:, 0]
    assert valid.sum() == 137 - len(NO_SOURCE) - 1
    # row 0: unlabelled nose; row 3: the joints outside the image (its
    # whole left hand: no left-hand box either)
    assert numpy_field(samples[0], 'joint_valid')[J137.index('Nose'), 0] == 0
    assert numpy_field(samples[3], 'joint_valid').sum() < valid.sum() - 3
    raw = load_npz(f'{hd_root}/{FILES["smplx"]}')
    for row, sample in enumerate(samples):
        joint_img = numpy_field(sample, 'joint_img')
        valid = numpy_field(sample, 'joint_valid')[:, 0]
        for part in ('lhand', 'rhand', 'face'):
            box_valid = numpy_field(sample, f'{part}_bbox_valid')
            assert box_valid == (raw[f'{part}_bbox_xywh'][row, 4] > 0)
            if not box_valid:
                continue
            center = numpy_field(sample, f'{part}_bbox_center')
            size = numpy_field(sample, f'{part}_bbox_size')
            rows = SMPLX_JOINTS.part_indices(part)
            pts = joint_img[rows][valid[rows] > 0, :2]
            assert len(pts) >= 3  # the fixture boxes >= 3 labelled
            assert (np.abs(pts - center) <= size / 2 + 1e-4).all()
    assert numpy_field(samples[1], 'lhand_bbox_valid') == 0
    assert numpy_field(samples[1], 'rhand_bbox_valid') == 1
    # flipped: the missing left-hand box is the right-hand one
    plain, flipped = flip_pair_of_samples(dataset, 1, pre)
    sample = flipped['data_samples'][0]
    assert numpy_field(sample, 'rhand_bbox_valid') == 0
    assert numpy_field(sample, 'lhand_bbox_valid') == 1


def test_compressed_file_equals_uncompressed(hd_root, train_cfg, tmp_path):
    raw = load_npz(f'{hd_root}/{FILES["compressed"]}')
    assert raw['__keypoints_compressed__']
    kept = int((raw['keypoints2d_smplx_mask'] != 0).sum())
    assert raw['keypoints2d_smplx'].shape == (4, kept, 3) and kept < 144
    for kwargs in (dict(), dict(use_keypoints3d=True)):
        plain = build(train_cfg, hd_root, tmp_path, **kwargs)
        packed = build(train_cfg, hd_root, tmp_path, 'compressed', **kwargs)
        assert len(plain) == len(packed) == 4
        for i in range(4):
            a, b = plain.get_data_info(i), packed.get_data_info(i)
            assert a.keys() == b.keys()
            for key in a:
                if key in ('sample_idx',):
                    continue
                if key == 'gt_params':
                    assert a[key].keys() == b[key].keys()
                    for name in a[key]:
                        np.testing.assert_array_equal(
                            a[key][name], b[key][name]
                        )
                elif isinstance(a[key], np.ndarray):
                    np.testing.assert_array_equal(a[key], b[key])
                else:
                    assert a[key] == b[key], key


def test_2d_file_in_the_human_data_convention(
    hd_root, train_cfg, tmp_path, pre
):
    """190 joints read from the file; no fits, no part boxes."""
    dataset = build(train_cfg, hd_root, tmp_path, 'human_data')
    names = dataset.metainfo['joint_names']
    assert len(names) == 190 and 'headtop' in names
    assert dataset.metainfo['source_joint_names'] == HUMAN_DATA_KEYPOINTS
    smplx = build(train_cfg, hd_root, tmp_path)
    for i in range(4):
        info, other = dataset.get_data_info(i), smplx.get_data_info(i)
        assert info['gt_params'] == dict(param_valid=False)
        assert info['lhand_bbox'] is info['face_bbox'] is None
        np.testing.assert_array_equal(
            info['keypoints'][:144], other['keypoints']
        )
        valid = info['keypoints_valid'][:, 0]
        assert valid[names.index('headtop')] == 1
        assert valid[145:].sum() == 1  # the other extras are masked
    fixed(dataset)
    fixed(smplx)
    data = preprocess(dataset, range(4), pre)
    ref = preprocess(smplx, range(4), pre)
    for image, sample, other in zip(
        data['inputs'], data['data_samples'], ref['data_samples']
    ):
        joint_img = numpy_field(sample, 'joint_img')
        valid = numpy_field(sample, 'joint_valid')
        assert on_person_fraction(image, joint_img, valid, HM) > 0.9
        # the extras are dropped: the same targets as the smplx file
        np.testing.assert_array_equal(valid, numpy_field(other, 'joint_valid'))
        np.testing.assert_allclose(
            joint_img, numpy_field(other, 'joint_img'), atol=1e-6
        )
        for key in ('smplx_joint_valid', 'smplx_pose_valid'):
            assert numpy_field(sample, key).sum() == 0


def test_3d_keypoints_are_the_models_joint_cam(
    hd_root, train_cfg, tmp_path, pre
):
    """use_keypoints3d: part-relative camera coordinates and depth bins
    that equal the fit's targets (the fixture's 3D keypoints are the
    fit's joints), through random augmentation."""
    dataset = build(train_cfg, hd_root, tmp_path, use_keypoints3d=True)
    info = dataset.get_data_info(0)
    assert info['is_3d'] == 1 and info['keypoints_cam'].shape == (144, 3)
    for seed in range(2):
        data = preprocess(dataset, range(4), pre, seed)
        for sample in data['data_samples']:
            assert numpy_field(sample, 'is_3d') == 1
            valid = numpy_field(sample, 'joint_valid')[:, 0] > 0
            assert valid.sum() > 60
            np.testing.assert_allclose(
                numpy_field(sample, 'joint_cam')[valid],
                numpy_field(sample, 'smplx_joint_cam')[valid],
                atol=1e-5,
            )
            np.testing.assert_allclose(
                numpy_field(sample, 'joint_img')[valid],
                numpy_field(sample, 'smplx_joint_img')[valid],
                atol=2e-3,
            )


def test_keypoints_from_fit(hd_root, train_cfg, tmp_path, pre):
    dataset = build(train_cfg, hd_root, tmp_path, keypoints_from_fit=True)
    assert dataset.get_data_info(0)['gt_params']['keypoints_from_fit']
    data = preprocess(dataset, range(4), pre)
    for sample in data['data_samples']:
        assert numpy_field(sample, 'is_3d') == 1
        for key in ('img', 'cam', 'valid', 'trunc'):
            np.testing.assert_array_equal(
                numpy_field(sample, f'joint_{key}'),
                numpy_field(sample, f'smplx_joint_{key}'),
            )
    # rows without a fit keep their keypoints and stay 2D
    info = build(
        train_cfg, hd_root, tmp_path, 'human_data', keypoints_from_fit=True
    ).get_data_info(0)
    assert info['gt_params'] == dict(param_valid=False)
    assert info['is_3d'] == 0


# ------------------------------------------------------------ test mode
def test_test_mode_gives_gt_meshes(
    hd_root, val_cfg, tmp_path, pre, human_model_root
):
    dataset = build(val_cfg, hd_root, tmp_path)
    assert dataset.test_mode and len(dataset) == 4
    info = dataset.get_data_info(0)
    assert 'keypoints' not in info and 'lhand_bbox' not in info
    data = preprocess(dataset, range(4), pre, training=False)
    raw = load_npz(f'{hd_root}/{FILES["smplx"]}')
    fit = raw['smplx']
    people = SyntheticPeople(human_model_root)
    metric = METRICS.build(
        dict(
            config(CONFIG).human_data_mesh_metric.to_dict(),
            body_model=dict(type='SMPLXModel', model_path=human_model_root),
        )
    )
    for row, sample in enumerate(data['data_samples']):
        mesh = numpy_field(sample, 'smplx_mesh_cam')
        params = dict(
            root_pose=fit['global_orient'][row],
            body_pose=fit['body_pose'][row].reshape(-1),
            shape=fit['betas'][row],
            lhand_pose=fit['left_hand_pose'][row].reshape(-1),
            rhand_pose=fit['right_hand_pose'][row].reshape(-1),
            jaw_pose=fit['jaw_pose'][row],
            expr=fit['expression'][row],
            trans=fit['transl'][row],
        )
        gender = ROWS[row][2]
        expected = people.forward('smplx', params, gender)['vertices']
        np.testing.assert_allclose(mesh, expected, atol=1e-4)
        # the metric reads it: a translated copy has no error
        sample.pred_instances = InstanceData(
            smplx_mesh_cam=torch.from_numpy(mesh[None] + 0.1)
        )
        metric.process(None, [sample])
    scores = metric.compute_metrics(metric.results)
    assert set(scores) == {
        f'{a}_{p}'
        for a in ('PA-MPVPE', 'MPVPE')
        for p in ('all', 'hands', 'face')
    }
    assert max(scores.values()) < 1e-3
    # a test set needs fits: the 2D file has no usable row
    with pytest.raises(ValueError, match='no usable instance'):
        build(val_cfg, hd_root, tmp_path, 'human_data')


# ------------------------------------------------------------ bad input
def _nan_keypoint(content):
    content['keypoints2d_smplx'][2, 20, 0] = np.nan  # left_wrist
    content['keypoints2d_smplx'][2, SMPLX_KEYPOINTS.index('left_heel')] = (
        np.nan
    )  # masked: not an error


def _nan_pose(content):
    content['smplx']['body_pose'][1, 4, 2] = np.nan


@pytest.mark.parametrize(
    'edit, pattern',
    [
        (
            lambda c: c.update(bbox_xywh=c['bbox_xywh'][:, :3]),
            r"'bbox_xywh': has 3 values per row",
        ),
        (
            lambda c: c.update(bbox_xywh=c['bbox_xywh'][:3]),
            r"'bbox_xywh': has shape \(3, 5\): expected 4 rows",
        ),
        (_nan_keypoint, r"'keypoints2d_smplx' row 2: joint 20 \(L_Wrist\)"),
        (_nan_pose, r"smplx\['body_pose'\] row 1: not finite"),
        (
            lambda c: c['smplx'].update(betas=c['smplx']['betas'][:, :8]),
            r"smplx\['betas'\]: has 8 values per row",
        ),
        (
            lambda c: c['meta'].update(gender=['male', 'x', 'n', 'f']),
            r"meta\['gender'\] row 1: unknown gender 'x'",
        ),
        (
            lambda c: c['meta'].pop('focal_length'),
            r"meta\['focal_length'\]: missing: the SMPL-X fit targets",
        ),
        (
            lambda c: c['smplx'].pop('transl'),
            r"smplx\['transl'\]: missing",
        ),
        (
            lambda c: c.update(
                keypoints2d_smplx=c['keypoints2d_smplx'][:, :140]
            ),
            r"'keypoints2d_smplx': has shape \(4, 140, 3\)",
        ),
    ],
    ids=[
        'box-columns',
        'box-rows',
        'nan-keypoint',
        'nan-pose',
        'betas',
        'gender',
        'no-camera',
        'no-transl',
        'keypoint-count',
    ],
)
def test_bad_input_names_file_key_and_row(
    hd_root, train_cfg, tmp_path, edit, pattern
):
    name = write_edited(hd_root, tmp_path, edit, name='bad.npz')
    with pytest.raises(AnnotationError, match=f'bad.npz: {pattern}'):
        build_file(train_cfg, hd_root, tmp_path, name)


def test_bad_compressed_file_and_conventions(hd_root, train_cfg, tmp_path):
    def short(content):
        content['keypoints2d_smplx'] = content['keypoints2d_smplx'][:, :-1]

    name = write_edited(hd_root, tmp_path, short, 'compressed', 'short.npz')
    with pytest.raises(
        AnnotationError,
        match=re.escape("short.npz: 'keypoints2d_smplx': has shape (4, 140"),
    ):
        build_file(train_cfg, hd_root, tmp_path, name)

    def unmasked(content):
        del content['keypoints2d_smplx_mask']

    name = write_edited(
        hd_root, tmp_path, unmasked, 'compressed', 'unmasked.npz'
    )
    with pytest.raises(AnnotationError, match="unmasked.npz: 'keypoints2d"):
        build_file(train_cfg, hd_root, tmp_path, name)

    with pytest.raises(ValueError, match=f'{FILES["smplx"]}: unknown.*coco'):
        build(train_cfg, hd_root, tmp_path, keypoint_convention='coco')

    def coco_sized(content):
        content['keypoints2d_smplx'] = content['keypoints2d_smplx'][:, :133]
        content['keypoints2d_smplx_mask'] = content['keypoints2d_smplx_mask'][
            :133
        ]

    name = write_edited(hd_root, tmp_path, coco_sized, name='k133.npz')
    with pytest.raises(AnnotationError, match='k133.npz.*133 joints per row'):
        build_file(train_cfg, hd_root, tmp_path, name)


def test_missing_camera_can_drop_the_fits(hd_root, train_cfg, tmp_path):
    name = write_edited(
        hd_root,
        tmp_path,
        lambda c: c['meta'].pop('principal_point'),
        name='no_princpt.npz',
    )
    with pytest.raises(
        AnnotationError, match=r"meta\['principal_point'\]: missing"
    ):
        build_file(train_cfg, hd_root, tmp_path, name)
    dataset = build_file(
        train_cfg, hd_root, tmp_path, name, missing_camera='drop_fit'
    )
    assert len(dataset) == 4
    info = dataset.get_data_info(0)
    assert info['gt_params'] == dict(param_valid=False)
    assert info['keypoints_valid'].sum() > 100


def test_row_and_meta_options(hd_root, train_cfg, tmp_path):
    def no_box_no_size(content):
        content['bbox_xywh'][3, 4] = 0  # score 0: the row is left out
        del content['meta']['height'], content['meta']['width']

    name = write_edited(hd_root, tmp_path, no_box_no_size, name='opt.npz')
    with pytest.raises(AnnotationError, match="opt.npz: 'meta'.*img_shape"):
        build_file(train_cfg, hd_root, tmp_path, name)
    dataset = build_file(
        train_cfg,
        hd_root,
        tmp_path,
        name,
        img_shape=(480, 640),
        gt_gender='neutral',
    )
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [i['ann_id'] for i in infos] == [0, 1, 2]
    assert all(i['ori_shape'] == (480, 640) for i in infos)
    assert all('gender' not in i['gt_params'] for i in infos)

    # no mask: every joint with confidence > 0 is valid; the convention
    # comes from the array's shape
    def unmasked(content):
        del content['keypoints2d_mask']

    name = write_edited(
        hd_root, tmp_path, unmasked, 'human_data', 'no_mask.npz'
    )
    dataset = build_file(train_cfg, hd_root, tmp_path, name)
    names = dataset.metainfo['joint_names']
    assert len(names) == 190
    valid = dataset.get_data_info(1)['keypoints_valid'][:, 0]
    assert valid[names.index('L_Heel')] == 1  # masked in the fixture
    assert valid.sum() == 144 + 1  # row 1: all in the image, + headtop


def test_cache_is_used(hd_root, train_cfg, tmp_path, monkeypatch):
    init_default_scope('h4w')
    calls = assert_cache_is_used(
        monkeypatch,
        train_cfg,
        hd_root,
        str(tmp_path),
        reload=dict(use_keypoints3d=True),
        ann_file=FILES['smplx'],
    )
    assert calls
