"""WholeBodyFolderDataset on the example data: fields, optional and
malformed annotations, training targets through the Hand4Whole
preprocessor, test-mode GT meshes and the val metrics of the base config,
and the example-data CLI."""

import json
import os
import os.path as osp
import random
import runpy
import subprocess
import sys
from typing import Callable, List

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from h4w.body_models import JOINT_SETS
from h4w.datasets.datasets.base import AnnotationError
from h4w.datasets.datasets.coco_dataset import WHOLEBODY_METAINFO
from h4w.models.task_modules import build_target_generator
from h4w.registry import DATASETS, METRICS, MODELS
from h4w.synthetic import project
from h4w.utils.config_utils import fill_codec

from projects.example_project.datasets import (
    KEYPOINT_GROUPS,
    WholeBodyFolderDataset,
)
from projects.example_project.example_data import coco_wholebody_names

REPO_ROOT = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
)
BASE_CONFIG = 'projects/example_project/configs/_base_/wholebody_folder.py'
MODEL_CONFIG = 'configs/_base_/models/hand4whole_res50.py'
CLI = 'projects/example_project/tools/make_example_data.py'
NAMES = WHOLEBODY_METAINFO['joint_names']
SMPLX_NAMES = JOINT_SETS['smplx_137'].joint_names


# ---------------------------------------------------------------- helpers
def read_annotations(root: str, split: str = 'train') -> List[dict]:
    with open(osp.join(root, 'annotations', f'{split}.json')) as f:
        return json.load(f)['annotations']


def edited_root(
    src: str, dst, edit: Callable[[List[dict]], None], split='train'
) -> str:
    """A copy of the dataset ``src`` under ``dst`` (images linked) whose
    annotation list of ``split`` went through ``edit`` (in place)."""
    os.makedirs(osp.join(dst, 'annotations'))
    os.symlink(osp.join(src, 'images'), osp.join(dst, 'images'))
    with open(osp.join(src, 'annotations', f'{split}.json')) as f:
        db = json.load(f)
    edit(db['annotations'])
    with open(osp.join(dst, 'annotations', f'{split}.json'), 'w') as f:
        json.dump(db, f)
    return str(dst)


def folder_dataset(root: str, **kwargs) -> WholeBodyFolderDataset:
    return WholeBodyFolderDataset(data_root=root, use_cache=False, **kwargs)


@pytest.fixture(scope='module')
def cfg(human_model_root) -> Config:
    """The dataset base config with Hand4Whole's model (codec given to the
    pipelines as the tools do), body models on the synthetic files."""
    init_default_scope('h4w')
    cfg = Config.fromfile(osp.join(REPO_ROOT, BASE_CONFIG))
    cfg.model = Config.fromfile(osp.join(REPO_ROOT, MODEL_CONFIG)).model
    cfg.model.body_model.model_path = human_model_root
    return fill_codec(cfg)


@pytest.fixture(scope='module')
def preprocessor(cfg):
    """The model's data preprocessor, then its body-model target
    generator: what ``loss`` / ``predict`` see."""
    model = cfg.model
    data_preprocessor = MODELS.build(model.data_preprocessor)
    generator = build_target_generator(
        model.body_model, model.codec, model.target_generator
    )

    def run(dataset, indices, training: bool, seed: int = 0) -> dict:
        random.seed(seed)
        np.random.seed(seed)
        batch = pseudo_collate([dataset[i] for i in indices])
        data = data_preprocessor(batch, training)
        generator(data['data_samples'])
        return data

    return run


def build(cfg, loader: str, root: str, tmp_path):
    init_default_scope('h4w')
    dataset_cfg = dict(
        cfg[loader].dataset, data_root=root, cache_dir=str(tmp_path)
    )
    return DATASETS.build(dataset_cfg)


def field(sample, name: str, group: str = 'gt_instances') -> np.ndarray:
    """Row 0 of a data-sample field as NumPy."""
    value = getattr(sample, group)[name]
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value)[0]


def on_person_fraction(image, joint_img, valid, hm_shape) -> float:
    """Fraction of the valid joints inside the crop whose pixel (3x3
    neighbourhood) shows a drawn person (the background is < 40 / 255).
    ``image`` (3, H, W) in [0, 1], ``joint_img`` (J, 2+) heat-map units,
    ``hm_shape`` (D, H_hm, W_hm)."""
    img = image.max(0).values.numpy()
    height, width = img.shape
    xs = joint_img[:, 0] / hm_shape[2] * width
    ys = joint_img[:, 1] / hm_shape[1] * height
    hits = []
    for x, y in zip(xs[valid > 0], ys[valid > 0]):
        x, y = int(round(x)), int(round(y))
        if 0 <= x < width and 0 <= y < height:
            patch = img[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2]
            hits.append(patch.max() > 45 / 255)
    assert hits, 'no valid joint inside the crop'
    return float(np.mean(hits))


# ----------------------------------------------------------------- fields
def test_keypoint_groups_tile_the_wholebody_set():
    starts = sorted((s, n) for s, n in KEYPOINT_GROUPS.values())
    covered = [i for s, n in starts for i in range(s, s + n)]
    # every row but Pelvis (from the hips) comes from one group, once
    assert sorted(covered + [NAMES.index('Pelvis')]) == list(range(134))
    names = coco_wholebody_names()
    assert names['lefthand_kpts'][:2] == ['L_Wrist', 'L_Thumb_1']
    assert names['face_kpts'][0] == 'Face_56'
    assert all(n in SMPLX_NAMES for ns in names.values() for n in ns)


def test_fields_and_shapes(example_data_root):
    anns = read_annotations(example_data_root)
    dataset = folder_dataset(example_data_root)
    assert len(dataset) == len(anns) >= 6
    assert dataset.metainfo['joint_names'] == NAMES
    for i, ann in enumerate(anns):
        info = dataset.get_data_info(i)
        assert info['ann_id'] == ann['id']
        assert osp.isfile(info['img_path'])
        assert info['ori_shape'] == (288, 384)
        bbox = info['bbox']
        assert bbox.shape == (4,)
        assert bbox[2] / bbox[3] == pytest.approx(0.75)
        # the processed box holds the annotated one (x1.25, aspect 0.75)
        x, y, w, h = ann['bbox']
        assert bbox[0] <= x and bbox[0] + bbox[2] >= x + w
        assert bbox[1] <= y and bbox[1] + bbox[3] >= y + h
        kpts, valid = info['keypoints'], info['keypoints_valid']
        assert kpts.shape == (134, 3) and valid.shape == (134, 1)
        assert (kpts[:, 2] == 0).all() and info['is_3d'] == 0
        # rows hold the annotation's keypoints by name
        flat = np.asarray(ann['lefthand_kpts']).reshape(21, 3)
        row = NAMES.index('L_Thumb_1')
        np.testing.assert_allclose(kpts[row, :2], flat[1, :2], atol=1e-4)
        hips = kpts[[NAMES.index('L_Hip'), NAMES.index('R_Hip')], :2]
        np.testing.assert_allclose(
            kpts[NAMES.index('Pelvis'), :2], hips.mean(0), atol=1e-4
        )
        params = info['gt_params']
        if 'smplx_param' not in ann:
            continue
        shapes = dict(
            root_pose=3,
            body_pose=63,
            lhand_pose=45,
            rhand_pose=45,
            jaw_pose=3,
            shape=10,
            expr=10,
            trans=3,
            focal=2,
            princpt=2,
        )
        for key, dim in shapes.items():
            assert params[key].shape == (dim,) and params[key].dtype == (
                np.float32
            )
        np.testing.assert_allclose(
            params['body_pose'], ann['smplx_param']['body_pose'], atol=1e-6
        )
        assert params['lhand_valid'] and params['face_valid']
        assert params['mask_trunc'] is True
    test = folder_dataset(example_data_root, test_mode=True)
    assert test.ann_file.endswith(osp.join('annotations', 'val.json'))
    assert len(test) == len(read_annotations(example_data_root, 'val'))


def test_missing_optional_fields_give_zero_validity(example_data_root):
    anns = read_annotations(example_data_root)
    dataset = folder_dataset(example_data_root)
    seen = dict(no_fit=0, no_face=0, lhand_invalid=0, no_rhand_box=0)
    start, count = KEYPOINT_GROUPS['face_kpts']
    face = slice(start, start + count)
    for i, ann in enumerate(anns):
        info = dataset.get_data_info(i)
        if 'smplx_param' not in ann:
            seen['no_fit'] += 1
            assert info['gt_params'] == dict(param_valid=False)
        if 'face_kpts' not in ann:
            seen['no_face'] += 1
            valid = info['keypoints_valid'][face, 0]
            # only the nose tip, filled from the nose
            assert valid.sum() == 1
            assert valid[NAMES.index('Face_18') - start] == 1
            assert info['face_bbox'] is not None  # the box is still given
        if ann.get('lefthand_valid') is False:
            seen['lhand_invalid'] += 1
            assert info['lhand_bbox'] is None
            assert info['rhand_bbox'] is not None
        if 'righthand_box' not in ann:
            seen['no_rhand_box'] += 1
            assert info['rhand_bbox'] is None
        if 'righthand_box' in ann and ann.get('righthand_valid', True):
            x, y, w, h = ann['righthand_box']
            np.testing.assert_allclose(
                info['rhand_bbox'], [x, y, x + w, y + h], atol=1e-3
            )
    assert min(seen.values()) >= 1, seen


def test_missing_groups_and_unused_fit_parts(example_data_root, tmp_path):
    def edit(anns):
        full = anns[0]
        del full['keypoints'], full['lefthand_box']
        full['righthand_kpts'][2] = 0  # wrist unlabelled
        full['righthand_kpts'][3] = float('nan')  # R_Thumb_1: NaN is
        full['righthand_kpts'][5] = 0  # ... fine when unlabelled
        full['smplx_param'].pop('lhand_pose')  # left hand: no fit
        full['smplx_param']['face_valid'] = False
        full['smplx_param']['jaw_pose'][0] = float('nan')  # unused
        full['face_valid'] = 0

    root = edited_root(example_data_root, tmp_path / 'd', edit)
    info = folder_dataset(root).get_data_info(0)
    valid = info['keypoints_valid'][:, 0]
    assert valid[:17].sum() == 0 and valid[NAMES.index('Pelvis')] == 0
    assert valid[NAMES.index('R_Wrist_Hand')] == 0  # no body wrist either
    assert valid[NAMES.index('R_Thumb_1')] == 0
    assert valid[NAMES.index('R_Thumb_2')] == 1
    thumb = info['keypoints'][NAMES.index('R_Thumb_1')]
    assert np.isfinite(info['keypoints']).all() and not thumb.any()
    assert info['lhand_bbox'] is None and info['face_bbox'] is None
    params = info['gt_params']
    assert not params['lhand_valid'] and not params['face_valid']
    assert params['rhand_valid']
    for key in ('lhand_pose', 'jaw_pose', 'expr'):
        assert np.isfinite(params[key]).all() and not params[key].any()


BAD_CASES = dict(
    short_hand=(
        lambda a: a.__setitem__('lefthand_kpts', a['lefthand_kpts'][:60]),
        'lefthand_kpts',
        'must hold 63 numbers (21 x [x, y, v]), got 60',
    ),
    nan_keypoint=(
        lambda a: a['keypoints'].__setitem__(0, float('nan')),
        'keypoints',
        'non-finite coordinate at valid keypoint 0',
    ),
    nan_fit=(
        lambda a: a['smplx_param']['body_pose'].__setitem__(5, float('nan')),
        'smplx_param.body_pose',
        'non-finite value',
    ),
    long_shape=(
        lambda a: a['smplx_param']['shape'].append(0.0),
        'smplx_param.shape',
        'must hold 10 numbers',
    ),
    no_body_pose=(
        lambda a: a['smplx_param'].pop('body_pose'),
        'smplx_param.body_pose',
        'is missing',
    ),
    fit_without_camera=(
        lambda a: a.pop('cam_param'),
        'cam_param',
        'is missing',
    ),
    unknown_image=(
        lambda a: a.__setitem__('image_id', 999),
        'image_id',
        'unknown image id 999',
    ),
    no_bbox=(lambda a: a.pop('bbox'), 'bbox', 'is missing'),
    short_bbox=(
        lambda a: a.__setitem__('bbox', a['bbox'][:3]),
        'bbox',
        'must hold 4 numbers',
    ),
    nan_face_box=(
        lambda a: a['face_box'].__setitem__(2, float('nan')),
        'face_box',
        'non-finite',
    ),
    bad_flag=(
        lambda a: a.__setitem__('righthand_valid', 'yes'),
        'righthand_valid',
        'must be true or false',
    ),
)


@pytest.mark.parametrize('case', sorted(BAD_CASES))
def test_malformed_fields_name_file_id_and_field(
    example_data_root, tmp_path, case
):
    change, name, problem = BAD_CASES[case]
    anns = read_annotations(example_data_root)
    # the first person with a fit, not the first annotation
    target = next(a for a in anns[1:] if 'smplx_param' in a)

    def edit(annotations):
        change(next(a for a in annotations if a['id'] == target['id']))

    root = edited_root(example_data_root, tmp_path / 'd', edit)
    with pytest.raises(AnnotationError) as info:
        folder_dataset(root)
    message = str(info.value)
    expected = (
        f'{osp.join("annotations", "train.json")}: annotation '
        f'{target["id"]}: field {name!r}'
    )
    assert expected in message and problem in message, message


def test_annotation_without_id_or_with_a_duplicate(
    example_data_root, tmp_path
):
    root = edited_root(
        example_data_root, tmp_path / 'a', lambda anns: anns[1].pop('id')
    )
    with pytest.raises(AnnotationError, match=r'#1 \(without an id\): field'):
        folder_dataset(root)

    def duplicate(anns):
        anns[2]['id'] = anns[0]['id']

    root = edited_root(example_data_root, tmp_path / 'b', duplicate)
    with pytest.raises(AnnotationError, match="field 'id' is not unique"):
        folder_dataset(root)


# --------------------------------------------------------------- training
def test_train_targets_land_on_the_drawn_person(
    example_data_root, cfg, preprocessor, tmp_path
):
    dataset = build(cfg, 'train_dataloader', example_data_root, tmp_path)
    anns = {a['id']: a for a in read_annotations(example_data_root)}
    hm = cfg.model.codec.heatmap_size
    pelvis = SMPLX_NAMES.index('Pelvis')
    fitted = 0
    for seed in range(2):  # two random augmentations (flip, rotation ...)
        data = preprocessor(dataset, range(len(dataset)), True, seed)
        for image, sample in zip(data['inputs'], data['data_samples']):
            ann = anns[sample.ann_id]
            joint_img = field(sample, 'joint_img')
            valid = field(sample, 'joint_valid')[:, 0]
            assert joint_img.shape == (137, 3) and valid.sum() > 60
            assert on_person_fraction(image, joint_img, valid, hm) > 0.9
            box_valid = [
                float(field(sample, f'{p}_bbox_valid'))
                for p in ('lhand', 'rhand', 'face')
            ]
            hands_given = sum(
                ann.get(f'{side}hand_valid', True) and f'{side}hand_box' in ann
                for side in ('left', 'right')
            )
            assert sum(box_valid[:2]) == hands_given  # in any flip
            assert box_valid[2] == 1
            fit_valid = field(sample, 'smplx_joint_valid')[:, 0]
            if 'smplx_param' not in ann:
                assert fit_valid.sum() == 0
                assert not field(sample, 'smplx_pose_valid').any()
                continue
            fitted += 1
            fit_img = field(sample, 'smplx_joint_img')
            assert fit_valid.all()
            # the fit reproduces the annotated keypoints (the annotated
            # Pelvis is the mid-hip point, not the model's pelvis)
            both = (valid > 0) & (fit_valid > 0)
            both[pelvis] = False
            np.testing.assert_allclose(
                joint_img[both, :2], fit_img[both, :2], atol=0.01
            )
    assert fitted >= 2 * 4


# ---------------------------------------------------------- test and eval
@pytest.fixture(scope='module')
def val_batch(example_data_root, cfg, preprocessor, tmp_path_factory):
    """The val split through the config's val pipeline, the preprocessor
    and the target generator (test mode)."""
    dataset = build(
        cfg,
        'val_dataloader',
        example_data_root,
        tmp_path_factory.mktemp('cache'),
    )
    assert dataset.test_mode
    return preprocessor(dataset, range(len(dataset)), False)


def test_test_mode_gives_gt_meshes_of_the_fits(example_data_root, val_batch):
    anns = {a['id']: a for a in read_annotations(example_data_root, 'val')}
    with_fit = 0
    for sample in val_batch['data_samples']:
        ann = anns[sample.ann_id]
        assert not sample.flip and sample.rot == 0
        # the annotated keypoints for the 2D metric, in the 137 set
        assert field(sample, 'joint_img').shape == (137, 3)
        assert field(sample, 'joint_trunc').sum() > 60
        mesh = field(sample, 'smplx_mesh_cam')
        assert mesh.shape == (10475, 3)
        if 'smplx_param' not in ann:
            assert not mesh.any()
            continue
        with_fit += 1
        # the GT mesh, projected with the annotated camera, spans the
        # annotated box (the tight box of the drawn mesh, inside the
        # image)
        cam = ann['cam_param']
        xy = project(mesh, cam['focal'], cam['princpt'])
        x, y, w, h = ann['bbox']
        np.testing.assert_allclose(
            [*xy.min(0), *xy.max(0)], [x, y, x + w, y + h], atol=0.5
        )
    assert 0 < with_fit < len(anns)


def _metric(cfg, index: int, **kwargs):
    metric_cfg = dict(cfg.val_evaluator[index], **kwargs)
    return METRICS.build(metric_cfg)


def test_val_metrics_of_the_base_config(val_batch, cfg, human_model_root):
    samples = val_batch['data_samples']
    hm = cfg.model.codec.heatmap_size
    assert tuple(cfg.val_evaluator[1].heatmap_size) == tuple(hm)
    assert cfg.custom_imports.imports == cfg.folder_custom_imports
    mesh_metric = _metric(
        cfg,
        0,
        body_model=dict(type='SMPLXModel', model_path=human_model_root),
    )
    joint_metric = _metric(cfg, 1)
    shift = 0.002  # metres, every vertex
    for sample in samples:
        gt = sample.gt_instances
        sample.pred_instances = InstanceData(
            # a translated GT mesh: PA-MPVPE 0, MPVPE 0 (root-aligned)
            smplx_mesh_cam=gt.smplx_mesh_cam + shift,
            # the annotated keypoints, one heat-map unit to the right
            smplx_joint_proj=torch.as_tensor(gt.joint_img)[:, :, :2]
            + torch.tensor([1.0, 0.0]),
        )
    dicts = [s.to_dict() for s in samples]
    mesh_metric.process(None, dicts)
    joint_metric.process(None, dicts)
    assert sum(r is None for r in mesh_metric.results) == 1
    metrics = mesh_metric.evaluate(len(dicts))
    assert set(metrics) == {
        f'Folder/{a}_{p}'
        for a in ('PA-MPVPE', 'MPVPE')
        for p in ('all', 'hands', 'face')
    }
    for value in metrics.values():
        assert value == pytest.approx(0, abs=1e-2)  # mm
    crop_w = samples[0].img_shape[1]
    two_d = joint_metric.evaluate(len(dicts))
    assert two_d['Folder/MPJPE_2d'] == pytest.approx(crop_w / hm[2], 1e-4)
    # nothing to score: NaN, not an error
    empty = mesh_metric.compute_metrics([None, None])
    assert all(np.isnan(v) for v in empty.values())


# -------------------------------------------------------------------- CLI
def test_cli_writes_a_dataset_the_class_reads(
    example_data_root, human_model_root, tmp_path
):
    out = tmp_path / 'cli'
    cmd = [sys.executable, osp.join(REPO_ROOT, CLI), '--out-dir', str(out)]
    run = subprocess.run(
        cmd
        + ['--human-models', human_model_root]
        + ['--num-train', '1', '--num-val', '1', '--seed', '0'],
        capture_output=True,
        text=True,
        cwd=str(tmp_path),
    )
    assert run.returncode == 0, run.stderr
    last = run.stdout.strip().splitlines()[-1]
    assert last.startswith('wrote 1 train images (') and str(out) in last
    train = folder_dataset(str(out))
    val = folder_dataset(str(out), test_mode=True)
    assert len(train) >= 1 and len(val) >= 1
    # deterministic per seed: the first image equals the fixture's
    anns = read_annotations(example_data_root)
    first = [a for a in anns if a['image_id'] == 1]
    assert read_annotations(str(out)) == first


def test_cli_names_a_missing_human_model_folder(tmp_path, capsys):
    main = runpy.run_path(osp.join(REPO_ROOT, CLI))['main']
    nowhere = str(tmp_path / 'nowhere')
    argv = ['--out-dir', str(tmp_path / 'out'), '--human-models', nowhere]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert 'human-model folder not found' in err and nowhere in err
    assert not osp.exists(tmp_path / 'out')
