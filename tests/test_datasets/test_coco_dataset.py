"""MSCOCO (COCO-WholeBody): fixture in the upstream layout, whole body
through the config with the Hand4Whole preprocessor, Pose2Pose parts
with their preprocessors."""

import functools
import json
import shutil

import numpy as np
import pytest

from h4w.body_models.joint_sets import (
    FLAME_JOINTS,
    MANO_JOINTS,
    SMPL_JOINTS,
    SMPLX_JOINTS,
)
from h4w.datasets.datasets.base import AnnotationError
from h4w.datasets.datasets.coco_dataset import (
    BODY_METAINFO,
    FACE_METAINFO,
    HAND_METAINFO,
    WHOLEBODY_METAINFO,
)

from tests.fixtures.datasets.coco import make_coco
from tests.test_datasets.helpers import (
    assert_cache_is_used,
    assert_img_joints_mirrored,
    build_dataset,
    build_preprocessor,
    config,
    dataset_cfg_fixture,
    edited_json,
    find_dataset_cfg,
    numpy_field,
    on_person_fraction,
    pose2pose_pipeline,
    preprocess,
    preprocessor_fixture,
    root_fixture,
)

HM = (8, 8, 6)
TRAIN_IDS = [101, 102, 201, 301, 302, 401]

#: Pose2Pose part: (crop (H, W), heat map, target set, bbox_3d_size,
#: model config).
P2P = dict(
    body=(
        (256, 192),
        (8, 8, 6),
        'smpl_33',
        2.0,
        'pose2pose/pose2pose_body_res50.py',
    ),
    hand=(
        (256, 256),
        (8, 8, 8),
        'mano_21',
        0.3,
        'pose2pose/pose2pose_hand_res50.py',
    ),
    face=(
        (256, 192),
        (8, 8, 6),
        'flame_73',
        0.3,
        'pose2pose/pose2pose_face_res50.py',
    ),
)


#: Configs holding the Pose2Pose MSCOCO part datasets (no body mix config
#: uses MSCOCO yet: its pipeline is written here).
P2P_CONFIGS = dict(
    hand='_base_/datasets/freihand_interhand_coco.py',
    face='_base_/datasets/ffhq_coco.py',
)

#: Whole-body test pipeline (upstream: the crop and bb2img_trans only).
TEST_PIPELINE = [
    dict(type='LoadImage'),
    dict(
        type='MeshTopdownAffine',
        codec=dict(
            type='MeshCodec', input_size=(512, 384), heatmap_size=(8, 8, 6)
        ),
    ),
    dict(type='PackMeshInputs'),
]


def p2p_pipeline(part: str) -> list:
    size, hm, joint_set, depth, _ = P2P[part]
    return pose2pose_pipeline(size, hm, joint_set, depth)


coco_root = root_fixture(make_coco, 'MSCOCO')
wb_cfg = dataset_cfg_fixture(
    '_base_/datasets/h36m_mpii_coco.py', 'MSCOCODataset'
)
h4w_pre = preprocessor_fixture('_base_/models/hand4whole_res50.py')


@functools.lru_cache(maxsize=None)
def p2p_cfg(part: str) -> dict:
    """The MSCOCO dataset config of a Pose2Pose part."""
    if part not in P2P_CONFIGS:
        return dict(
            type='MSCOCODataset', part=part, pipeline=p2p_pipeline(part)
        )
    cfg = config(P2P_CONFIGS[part]).train_dataloader.dataset
    found = find_dataset_cfg(cfg, 'MSCOCODataset')
    assert found['part'] == part
    return found.to_dict()


def p2p_dataset(root, part, cache, **kwargs):
    return build_dataset(p2p_cfg(part), root, cache, **kwargs)


def without_aug(dataset, flip=False):
    """Replace the augmentation of ``dataset`` by a fixed one."""
    aug = dataset.pipeline.transforms[1]

    def fixed(results):
        enforce = results.get('enforce_flip')
        return dict(
            results,
            aug_scale=1.0,
            rot=0.0,
            flip=flip if enforce is None else enforce,
            color_scale=np.ones(3, np.float32),
        )

    aug.transform = fixed
    return dataset


def person_fraction_in_box(image, center, size, hm=HM, threshold=45 / 255):
    """Fraction of the crop pixels inside a box (heat-map units) that
    show a drawn person."""
    img = image.max(0).values.numpy()
    scale = np.array([img.shape[1] / hm[2], img.shape[0] / hm[1]])
    (x1, y1), (x2, y2) = (
        ((center - size / 2) * scale).astype(int),
        ((center + size / 2) * scale).astype(int),
    )
    patch = img[max(y1, 0) : y2 + 1, max(x1, 0) : x2 + 1]
    return float((patch > threshold).mean())


def index_of(dataset, ann_id, side=None):
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        if info['ann_id'] == ann_id and info.get('side') == side:
            return i
    raise KeyError(ann_id)


# ------------------------------------------------------------ joint sets
def test_joint_sets_follow_the_spec_and_the_target_names():
    names = WHOLEBODY_METAINFO['joint_names']
    assert len(names) == 134 and names[17] == 'Pelvis'
    assert names[24] == 'L_Wrist_Hand' and names[45] == 'R_Wrist_Hand'
    assert names[66] == 'Face_56' and names[82] == 'Face_72'
    assert names[83] == 'Face_5' and names[133] == 'Face_55'
    # every whole-body joint but the hand wrists exists in the 137 set
    missing = set(names) - set(SMPLX_JOINTS.joint_names)
    assert missing == {'L_Wrist_Hand', 'R_Wrist_Hand'}
    pairs = set(WHOLEBODY_METAINFO['flip_pairs'])
    for pair in (
        (1, 2),
        (18, 21),
        (24, 45),
        (44, 65),
        (66, 82),
        (73, 75),
        (83, 92),
        (97, 101),
        (106, 113),
        (121, 125),
        (131, 133),
    ):
        assert pair in pairs
    assert len(pairs) == 8 + 3 + 21 + 8 + 5 + 2 + 6 + 5 + 3

    # flip pairs agree with the target sets' by name
    def check(meta, target):
        target_pairs = {
            frozenset((target.joint_names[a], target.joint_names[b]))
            for a, b in target.flip_pairs
        }
        src = meta['joint_names']
        for a, b in meta['flip_pairs']:
            if src[a] in target.joint_names:
                assert frozenset((src[a], src[b])) in target_pairs
            else:  # L/R_Wrist_Hand
                assert src[a].replace('L_', 'R_') == src[b]

    check(WHOLEBODY_METAINFO, SMPLX_JOINTS)
    assert set(BODY_METAINFO['joint_names']) <= set(SMPL_JOINTS.joint_names)
    assert len(BODY_METAINFO['joint_names']) == 32
    check(BODY_METAINFO, SMPL_JOINTS)
    assert HAND_METAINFO['joint_names'] == MANO_JOINTS.joint_names
    face = FACE_METAINFO['joint_names']
    # spec table: FLAME 5-9 <- COCO 17-21, 36-55 <- 48-67, 56-72 <- 0-16
    assert face[17:22] == ('5', '6', '7', '8', '9')
    assert face[48] == '36' and face[67] == '55'
    assert face[:17] == tuple(str(i) for i in range(56, 73))
    check(FACE_METAINFO, FLAME_JOINTS)


# ------------------------------------------------------------ splitting
def test_splits_skip_rules_and_parts(coco_root, wb_cfg, tmp_path):
    train = build_dataset(wb_cfg, coco_root, str(tmp_path))
    infos = [train.get_data_info(i) for i in range(len(train))]
    # 103 (crowd) and 104 (no keypoints) are skipped
    assert [i['ann_id'] for i in infos] == TRAIN_IDS
    assert all('/images/train2017/' in i['img_path'] for i in infos)
    assert infos[0]['bbox'][2] / infos[0]['bbox'][3] == pytest.approx(0.75)
    test = build_dataset(wb_cfg, coco_root, str(tmp_path), test_mode=True)
    infos = [test.get_data_info(i) for i in range(len(test))]
    # every annotation with a valid box: the crowd 1004 stays, the empty
    # box 1003 goes; no keypoints and no fits are needed
    assert [i['ann_id'] for i in infos] == [1001, 1002, 1004]
    assert all('/images/val2017/' in i['img_path'] for i in infos)
    assert all('gt_params' not in i and 'keypoints' not in i for i in infos)

    hands = p2p_dataset(coco_root, 'hand', str(tmp_path))
    sides = [
        (hands.get_data_info(i)['ann_id'], hands.get_data_info(i)['side'])
        for i in range(len(hands))
    ]
    # one sample per valid hand (102's right hand is marked invalid)
    assert sides == [
        (101, 'left'),
        (101, 'right'),
        (102, 'left'),
        (301, 'left'),
        (301, 'right'),
        (302, 'right'),
    ]
    info = hands.get_data_info(0)
    assert info['bbox'][2] == pytest.approx(info['bbox'][3])  # aspect 1
    assert info['enforce_flip'] is True
    assert hands.get_data_info(1)['enforce_flip'] is False
    # §10.2: a hand whose MANO entry is None is kept without a fit
    assert hands.get_data_info(5)['gt_params'] == dict(
        param_valid=False, side='right'
    )
    fitted = hands.get_data_info(3)['gt_params']
    assert fitted['side'] == 'left' and fitted['hand_pose'].shape == (45,)
    faces = p2p_dataset(coco_root, 'face', str(tmp_path))
    assert [faces.get_data_info(i)['ann_id'] for i in range(len(faces))] == [
        101,
        102,
        401,
    ]
    body = p2p_dataset(coco_root, 'body', str(tmp_path))
    assert len(body) == 6
    assert len(body.get_data_info(0)['keypoints']) == 32


def test_cache_is_used_per_part(coco_root, wb_cfg, tmp_path, monkeypatch):
    calls = assert_cache_is_used(monkeypatch, wb_cfg, coco_root, str(tmp_path))
    # another part is another cache entry
    assert len(p2p_dataset(coco_root, 'face', str(tmp_path))) == 1
    assert calls


def test_pelvis_and_fill_rules(coco_root, wb_cfg, tmp_path):
    dataset = build_dataset(wb_cfg, coco_root, str(tmp_path))
    names = WHOLEBODY_METAINFO['joint_names']
    idx = {
        n: names.index(n)
        for n in (
            'L_Hip',
            'R_Hip',
            'Pelvis',
            'L_Wrist',
            'L_Wrist_Hand',
            'Nose',
            'Face_18',
        )
    }
    with open(f'{coco_root}/annotations/coco_wholebody_train_v1.0.json') as f:
        raw = {a['id']: a for a in json.load(f)['annotations']}
    full = dataset.get_data_info(0)
    kpts, valid = full['keypoints'], full['keypoints_valid'][:, 0]
    np.testing.assert_allclose(
        kpts[idx['Pelvis'], :2],
        (kpts[idx['L_Hip'], :2] + kpts[idx['R_Hip'], :2]) / 2,
    )
    assert valid[idx['Pelvis']] == 1 and (kpts[:, 2] == 0).all()
    # the fixture's hand wrist is the body wrist
    np.testing.assert_allclose(
        kpts[idx['L_Wrist_Hand'], :2], raw[101]['lefthand_kpts'][:2]
    )

    partial = dataset.get_data_info(1)  # 102: no left hip, hand wrist,
    kpts, valid = partial['keypoints'], partial['keypoints_valid'][:, 0]
    assert valid[idx['L_Hip']] == 0 and valid[idx['Pelvis']] == 0
    # ... nor nose tip: both filled from the body
    assert valid[idx['L_Wrist_Hand']] == 1 and valid[idx['Face_18']] == 1
    np.testing.assert_array_equal(
        kpts[idx['L_Wrist_Hand']], kpts[idx['L_Wrist']]
    )
    np.testing.assert_array_equal(kpts[idx['Face_18']], kpts[idx['Nose']])
    assert partial['rhand_bbox'] is None
    assert partial['lhand_bbox'] is not None
    assert partial['gt_params'] == dict(param_valid=False)

    # in the 137-set targets: Pelvis invalid, Face_18 on the nose
    without_aug(dataset)
    sample = dataset[1]['data_samples']
    joint_img = numpy_field(sample, 'joint_img')
    joint_valid = numpy_field(sample, 'joint_valid')[:, 0]
    assert joint_valid[SMPLX_JOINTS.index('Pelvis')] == 0
    np.testing.assert_allclose(
        joint_img[SMPLX_JOINTS.index('Face_18')],
        joint_img[SMPLX_JOINTS.index('Nose')],
    )
    # no source for Neck and Face_1..4; Pelvis and L_Hip unlabelled
    assert joint_valid.sum() == 137 - 5 - 2


# --------------------------------------------------- whole-body training
def test_wholebody_targets_land_on_the_person(
    coco_root, wb_cfg, tmp_path, h4w_pre
):
    dataset = build_dataset(wb_cfg, coco_root, str(tmp_path))
    no_fit = 0
    for seed in range(2):
        data = preprocess(dataset, range(len(dataset)), h4w_pre, seed)
        for image, sample in zip(data['inputs'], data['data_samples']):
            joint_img = numpy_field(sample, 'joint_img')
            valid = numpy_field(sample, 'joint_valid')[:, 0]
            assert valid.sum() > 0
            assert on_person_fraction(image, joint_img, valid, HM) > 0.9
            assert numpy_field(sample, 'is_3d') == 0
            assert np.abs(numpy_field(sample, 'joint_cam')).max() == 0
            fit_valid = numpy_field(sample, 'smplx_joint_valid')[:, 0]
            if sample.ann_id != 101:
                # no fit: every fit target has zero validity
                no_fit += 1
                assert fit_valid.sum() == 0
                for key in (
                    'smplx_pose_valid',
                    'smplx_shape_valid',
                    'smplx_expr_valid',
                ):
                    assert np.abs(numpy_field(sample, key)).max() == 0
                continue
            fit_img = numpy_field(sample, 'smplx_joint_img')
            assert fit_valid.all()
            assert on_person_fraction(image, fit_img, fit_valid, HM) > 0.9
            # the fit reproduces the annotated keypoints (the COCO Pelvis
            # is the mid-hip point, not the model's pelvis joint)
            both = (valid > 0) & (fit_valid > 0)
            both[SMPLX_JOINTS.index('Pelvis')] = False
            assert both.sum() > 120  # Neck, Face_1..4 have no source
            np.testing.assert_allclose(
                joint_img[both, :2], fit_img[both, :2], atol=2e-3
            )
            assert numpy_field(sample, 'smplx_pose_valid').all()
    assert no_fit == 2 * 5


def test_part_boxes_surround_the_part_keypoints(
    coco_root, wb_cfg, tmp_path, h4w_pre
):
    dataset = build_dataset(wb_cfg, coco_root, str(tmp_path))
    parts = dict(
        lhand=SMPLX_JOINTS.part_indices('lhand'),
        rhand=SMPLX_JOINTS.part_indices('rhand'),
        face=list(range(69, 137)),
    )
    seen = {part: 0 for part in parts}
    for seed in range(4):  # random flips swap the hands
        data = preprocess(dataset, [0, 1, 3], h4w_pre, seed)
        for image, sample in zip(data['inputs'], data['data_samples']):
            joint_img = numpy_field(sample, 'joint_img')
            valid = numpy_field(sample, 'joint_valid')[:, 0]
            for part, rows in parts.items():
                box_valid = numpy_field(sample, f'{part}_bbox_valid')
                if sample.ann_id == 102 and part == (
                    'lhand' if sample.flip else 'rhand'
                ):
                    assert box_valid == 0  # the right hand is invalid
                if not box_valid:
                    continue
                seen[part] += 1
                center = numpy_field(sample, f'{part}_bbox_center')
                size = numpy_field(sample, f'{part}_bbox_size')
                pts = joint_img[rows][valid[rows] > 0, :2]
                assert len(pts) >= 15
                assert (np.abs(pts - center) <= size / 2 + 1e-4).all()
                assert (size < [HM[2] / 2, HM[1] / 2]).all()
                assert person_fraction_in_box(image, center, size) > 0.15
    assert min(seen.values()) >= 4


def test_invalid_hand_fit_is_not_truncation_supervised(
    coco_root, wb_cfg, tmp_path, h4w_pre
):
    """§5.4 MSCOCO: smplx_joint_trunc *= smplx_joint_valid, so the joints
    of a hand whose fit is marked invalid leave the smplx_joint_img
    loss."""
    root = tmp_path / 'MSCOCO'
    shutil.copytree(coco_root, root)
    fit_path = root / 'annotations' / 'MSCOCO_train_SMPLX_all_NeuralAnnot.json'
    with edited_json(fit_path) as fits:
        fits['101']['smplx_param']['lhand_valid'] = False
    dataset = without_aug(
        build_dataset(wb_cfg, str(root), str(tmp_path / 'c'))
    )
    sample = preprocess(dataset, [0], h4w_pre)['data_samples'][0]
    assert sample.ann_id == 101
    valid = numpy_field(sample, 'smplx_joint_valid')[:, 0]
    trunc = numpy_field(sample, 'smplx_joint_trunc')[:, 0]
    lhand = SMPLX_JOINTS.part_indices('lhand')
    assert valid[lhand].sum() == 0
    assert trunc[lhand].sum() == 0
    assert (trunc <= valid).all()
    # the other joints of the fit stay in the crop and supervised
    assert trunc.sum() > 100


def test_flip_maps_left_onto_right(coco_root, wb_cfg, tmp_path, h4w_pre):
    outs = []
    for flip in (False, True):
        dataset = without_aug(
            build_dataset(wb_cfg, coco_root, str(tmp_path)), flip
        )
        outs.append(preprocess(dataset, [0], h4w_pre))
    plain, flipped = (o['data_samples'][0] for o in outs)
    assert flipped.flip and not plain.flip
    perm = SMPLX_JOINTS.flip_permutation()
    assert_img_joints_mirrored(
        plain, flipped, ('joint_img', 'smplx_joint_img'), perm, HM[2]
    )
    # the annotated left thumb becomes the right thumb target
    left, right = (SMPLX_JOINTS.index(n) for n in ('L_Thumb_1', 'R_Thumb_1'))
    a, b = numpy_field(plain, 'joint_img'), numpy_field(flipped, 'joint_img')
    assert b[right, 0] == pytest.approx(HM[2] - a[left, 0], abs=2e-3)
    # ... and the left-hand box the right-hand box
    for key, sign in (('bbox_center', 1), ('bbox_size', 0)):
        a = numpy_field(plain, f'lhand_{key}')
        b = numpy_field(flipped, f'rhand_{key}')
        expected = a[0] if not sign else HM[2] - a[0]
        assert b[0] == pytest.approx(expected, abs=0.02)
        assert b[1] == pytest.approx(a[1], abs=1e-3)


def test_test_mode_through_the_config(coco_root, wb_cfg, tmp_path):
    cfg = dict(wb_cfg, pipeline=TEST_PIPELINE)
    dataset = build_dataset(cfg, coco_root, str(tmp_path), test_mode=True)
    out = dataset[0]
    assert tuple(out['inputs'].shape) == (3, 512, 384)
    sample = out['data_samples']
    assert sample.flip is False and 'bb2img_trans' in sample
    assert 'gt_params' not in sample
    hands = build_dataset(
        dict(cfg, part='hand'), coco_root, str(tmp_path), test_mode=True
    )
    for i in range(len(hands)):
        sample = hands[i]['data_samples']
        assert sample.flip == (sample.side == 'left')


# ------------------------------------------------------------- Pose2Pose
def test_p2p_body(coco_root, tmp_path, human_model_root):
    pre = build_preprocessor(P2P['body'][4], human_model_root)
    dataset = p2p_dataset(coco_root, 'body', str(tmp_path))
    i = index_of(dataset, 201)
    hm = P2P['body'][1]
    for seed in range(2):
        data = preprocess(dataset, [i, 0], pre, seed)
        image, sample = data['inputs'][0], data['data_samples'][0]
        joint_img = numpy_field(sample, 'joint_img')
        valid = numpy_field(sample, 'joint_valid')[:, 0]
        # 32 keypoints, all in the 33 set but no source for none: the
        # SMPL person has every body, foot and MCP keypoint
        assert joint_img.shape == (33, 3) and valid.sum() == 32
        assert on_person_fraction(image, joint_img, valid, hm) > 0.9
        fit_img = numpy_field(sample, 'smpl_joint_img')
        fit_valid = numpy_field(sample, 'smpl_joint_valid')[:, 0]
        assert fit_valid.all()
        assert on_person_fraction(image, fit_img, fit_valid, hm) > 0.9
        both = valid > 0
        both[SMPL_JOINTS.index('Pelvis')] = False
        np.testing.assert_allclose(
            joint_img[both, :2], fit_img[both, :2], atol=2e-3
        )
        # no depth: z is the middle bin
        np.testing.assert_allclose(joint_img[valid > 0, 2], hm[0] / 2)
        other = data['data_samples'][1]  # 101: no SMPL fit
        assert numpy_field(other, 'smpl_joint_valid').sum() == 0
        assert numpy_field(other, 'smpl_pose_valid').sum() == 0


def test_p2p_hands_are_mirrored_into_right_hands(
    coco_root, tmp_path, human_model_root
):
    pre = build_preprocessor(P2P['hand'][4], human_model_root)
    dataset = p2p_dataset(coco_root, 'hand', str(tmp_path))
    hm = P2P['hand'][1]
    for seed in range(3):
        data = preprocess(dataset, range(len(dataset)), pre, seed)
        for image, sample in zip(data['inputs'], data['data_samples']):
            # never a random flip: left hands always, right hands never
            assert sample.flip == (sample.side == 'left')
            joint_img = numpy_field(sample, 'joint_img')
            valid = numpy_field(sample, 'joint_valid')[:, 0]
            assert valid.sum() >= 15  # 101's right fingertips are cut
            assert on_person_fraction(image, joint_img, valid, hm) > 0.9
            fit_valid = numpy_field(sample, 'mano_joint_valid')[:, 0]
            if sample.ann_id != 301:
                # MANO entry None (302) or absent (101, 102): kept with
                # zero fit validity (spec §10.2 crash fixed)
                assert fit_valid.sum() == 0
                assert numpy_field(sample, 'mano_pose_valid').sum() == 0
                continue
            fit_img = numpy_field(sample, 'mano_joint_img')
            assert fit_valid.all()
            np.testing.assert_allclose(
                joint_img[:, :2], fit_img[:, :2], atol=2e-3
            )
    # mirrored left hands look like right hands: the thumb is on the
    # same side of the middle finger in both crops of 301
    left, right = (index_of(dataset, 301, s) for s in ('left', 'right'))
    data = preprocess(dataset, [left, right], pre)
    thumb, middle = MANO_JOINTS.index('Thumb_4'), MANO_JOINTS.index('Middle_4')
    sides = [
        np.sign(
            numpy_field(s, 'joint_img')[thumb, 0]
            - numpy_field(s, 'joint_img')[middle, 0]
        )
        for s in data['data_samples']
    ]
    assert sides[0] == sides[1] != 0


def test_p2p_face(coco_root, tmp_path, human_model_root):
    pre = build_preprocessor(P2P['face'][4], human_model_root)
    dataset = p2p_dataset(coco_root, 'face', str(tmp_path))
    i = index_of(dataset, 401)
    hm = P2P['face'][1]
    outs = []
    for flip in (False, True):
        without_aug(dataset, flip)
        outs.append(preprocess(dataset, [i, 0], pre))
    for data in outs:
        image, sample = data['inputs'][0], data['data_samples'][0]
        joint_img = numpy_field(sample, 'joint_img')
        valid = numpy_field(sample, 'joint_valid')[:, 0]
        assert joint_img.shape == (73, 3)
        assert valid[:5].sum() == 0 and valid[5:].all()
        assert on_person_fraction(image, joint_img, valid, hm) > 0.9
        fit_img = numpy_field(sample, 'flame_joint_img')
        assert numpy_field(sample, 'flame_joint_valid').all()
        np.testing.assert_allclose(
            joint_img[5:, :2], fit_img[5:, :2], atol=2e-3
        )
        other = data['data_samples'][1]  # 101: no FLAME fit
        assert numpy_field(other, 'flame_joint_valid').sum() == 0
    perm = FLAME_JOINTS.flip_permutation()
    a, b = (numpy_field(o['data_samples'][0], 'joint_img') for o in outs)
    np.testing.assert_allclose(b[perm][5:, 0], hm[2] - a[5:, 0], atol=2e-3)


# ------------------------------------------------------------ bad input
def test_bad_input_names_file_and_id(coco_root, wb_cfg, tmp_path):
    root = tmp_path / 'MSCOCO'
    shutil.copytree(coco_root, root)
    ann_path = root / 'annotations' / 'coco_wholebody_train_v1.0.json'
    with edited_json(ann_path) as content:
        # annotation 201
        content['annotations'][4]['lefthand_kpts'] = [1.0, 2.0, 2.0]
    with pytest.raises(
        AnnotationError, match='train_v1.0.json: annotation 201'
    ):
        build_dataset(wb_cfg, str(root), str(tmp_path / 'c'))
    shutil.copy(
        f'{coco_root}/annotations/coco_wholebody_train_v1.0.json', ann_path
    )

    fit_path = root / 'annotations' / 'MSCOCO_train_SMPLX_all_NeuralAnnot.json'
    with edited_json(fit_path) as fits:
        del fits['101']['smplx_param']['root_pose']
    with pytest.raises(
        AnnotationError, match='SMPLX_all_NeuralAnnot.json: annotation 101'
    ):
        build_dataset(wb_cfg, str(root), str(tmp_path / 'c'))

    (root / 'annotations' / 'MSCOCO_train_MANO_NeuralAnnot.json').unlink()
    with pytest.raises(
        FileNotFoundError, match='MSCOCO_train_MANO_NeuralAnnot.json'
    ):
        p2p_dataset(str(root), 'hand', str(tmp_path / 'c'))
    # test mode reads no fit file
    assert (
        len(
            p2p_dataset(str(root), 'hand', str(tmp_path / 'c'), test_mode=True)
        )
        == 6
    )
    with pytest.raises(ValueError, match='part must be one of'):
        build_dataset(
            dict(wb_cfg, part='feet'), str(root), str(tmp_path / 'c')
        )
