"""FreiHAND: fixture in the upstream layout through the configs."""

import json
import shutil

import numpy as np
import pytest
import torch

from h4w.datasets.datasets.base import AnnotationError
from h4w.registry import METRICS
from h4w.structures.bbox import process_bbox

from tests.fixtures.datasets.freihand import make_freihand
from tests.test_datasets.helpers import (
    assert_cache_is_used,
    build_dataset,
    config,
    dataset_cfg_fixture,
    edited_json,
    numpy_field,
    on_person_fraction,
    preprocess,
    preprocessor_fixture,
    root_fixture,
)

HM = (8, 8, 8)
TEST_CONFIG = 'pose2pose/pose2pose_hand_res50_test_freihand.py'

freihand_root = root_fixture(make_freihand, 'FreiHAND')
train_cfg = dataset_cfg_fixture(
    '_base_/datasets/freihand_interhand_coco.py', 'FreiHANDDataset'
)
test_cfg = dataset_cfg_fixture(
    TEST_CONFIG, 'FreiHANDDataset', 'test_dataloader'
)
preprocessor = preprocessor_fixture('pose2pose/pose2pose_hand_res50.py')


def _read(root, name):
    with open(f'{root}/{name}') as f:
        return json.load(f)


def test_train_samples(freihand_root, train_cfg, tmp_path):
    dataset = build_dataset(train_cfg, freihand_root, str(tmp_path))
    db = _read(freihand_root, 'data/freihand_train_coco.json')
    assert len(dataset) == 2
    for i, ann in enumerate(db['annotations']):
        info = dataset.get_data_info(i)
        assert info['enforce_flip'] is False and info['is_3d'] == 1
        assert 'keypoints' not in info  # MANO fit only
        np.testing.assert_allclose(
            info['bbox'], process_bbox(ann['bbox'], 224, 224, 1.0)
        )
        assert info['bbox'][2] == info['bbox'][3]
        params = info['gt_params']
        assert params['side'] == 'right'
        assert params['root_pose'].shape == (3,)
        assert params['hand_pose'].shape == (45,)


def test_cache_is_used(freihand_root, train_cfg, tmp_path, monkeypatch):
    assert_cache_is_used(
        monkeypatch,
        train_cfg,
        freihand_root,
        str(tmp_path),
        reload=dict(use_cache=False),
    )


def test_never_flipped_and_mano_targets_on_the_hand(
    freihand_root, train_cfg, tmp_path, preprocessor
):
    dataset = build_dataset(train_cfg, freihand_root, str(tmp_path))
    for seed in range(4):
        data = preprocess(dataset, [0, 1], preprocessor, seed)
        for image, sample in zip(data['inputs'], data['data_samples']):
            assert sample.flip is False
            # no dataset keypoints: zero, invalid targets
            assert numpy_field(sample, 'joint_valid').sum() == 0
            assert numpy_field(sample, 'joint_img').shape == (21, 3)
            assert numpy_field(sample, 'is_3d') == 1
            fit_img = numpy_field(sample, 'mano_joint_img')
            fit_valid = numpy_field(sample, 'mano_joint_valid')
            assert fit_valid.sum() == 21
            assert on_person_fraction(image, fit_img, fit_valid, HM) > 0.9
            assert numpy_field(sample, 'mano_pose_valid').all()
            # the wrist-relative depth of a hand fits the 0.3 m range
            assert (fit_img[:, 2] > 0).all() and (fit_img[:, 2] < 8).all()


def test_test_samples_use_rootnet_boxes_in_eval_order(
    freihand_root, test_cfg, tmp_path, preprocessor
):
    dataset = build_dataset(test_cfg, freihand_root, str(tmp_path))
    rootnet = {
        e['image_id']: e
        for e in _read(
            freihand_root, 'rootnet_output/bbox_root_freihand_output.json'
        )
    }
    db = _read(freihand_root, 'data/freihand_eval_coco.json')
    anns = {a['image_id']: a for a in db['annotations']}
    # the file lists db_idx 1 then 0; samples follow db_idx
    assert [dataset.get_data_info(i)['db_idx'] for i in range(2)] == [0, 1]
    data = preprocess(dataset, [0, 1], preprocessor, training=False)
    for i, (image, sample) in enumerate(
        zip(data['inputs'], data['data_samples'])
    ):
        info = dataset.get_data_info(i)
        entry = rootnet[info['img_id']]
        # the RootNet box as it is, not process_bbox of the GT box
        np.testing.assert_allclose(info['bbox'], entry['bbox'], rtol=1e-6)
        assert (
            np.abs(
                info['bbox']
                - process_bbox(anns[info['img_id']]['bbox'], 224, 224, 1.0)
            ).max()
            > 1
        )
        assert sample.root_depth == pytest.approx(entry['root_cam'][2])
        assert sample.sample_idx == i and sample.flip is False
        assert info['img_path'].endswith(f'evaluation/rgb/{i:08d}.jpg')
        fit_img = numpy_field(sample, 'mano_joint_img')
        assert (
            on_person_fraction(
                image, fit_img, numpy_field(sample, 'mano_joint_valid'), HM
            )
            > 0.9
        )
        assert numpy_field(sample, 'mano_mesh_cam').shape == (778, 3)


def test_dump_metric_writes_the_eval_order(
    freihand_root, test_cfg, tmp_path, preprocessor, human_model_root
):
    """GT meshes as predictions: pred.json row k is eval image k."""
    full = config(TEST_CONFIG)
    cfg = full.test_evaluator
    assert cfg.type == 'FreiHANDDumpMetric' and full.val_evaluator == cfg
    assert cfg.body_model.type == 'MANOModel'
    assert cfg.body_model.model_path == full.model.body_model.model_path
    assert full.val_dataloader == full.test_dataloader
    metric = METRICS.build(
        dict(
            cfg,
            body_model=dict(cfg.body_model, model_path=human_model_root),
            out_dir=str(tmp_path / 'out'),
        )
    )
    dataset = build_dataset(test_cfg, freihand_root, str(tmp_path))
    data = preprocess(dataset, [1, 0], preprocessor, training=False)
    samples = []
    for sample in data['data_samples']:
        sample.pred_instances = sample.gt_instances.clone()
        samples.append(sample.to_dict())
    metric.process({}, samples)
    metric.compute_metrics(metric.results)
    joints, meshes = _read(tmp_path / 'out', 'pred.json')
    fits = _read(freihand_root, 'data/freihand_eval_data.json')
    for k in range(2):
        param = fits[str(k)]['mano_param']
        layer = preprocessor.body_models['right']
        out = layer(
            global_orient=torch.tensor([param['pose'][:3]]),
            hand_pose=torch.tensor([param['pose'][3:]]),
            betas=torch.tensor([param['shape']]),
            transl=torch.tensor([param['trans']]),
        )
        np.testing.assert_allclose(
            meshes[k], out['vertices'][0].numpy(), atol=1e-5
        )
        np.testing.assert_allclose(
            joints[k], out['joints'][0].numpy(), atol=1e-5
        )


def test_bad_input_names_file_and_id(
    freihand_root, test_cfg, train_cfg, tmp_path
):
    root = tmp_path / 'FreiHAND'
    shutil.copytree(freihand_root, root)
    with edited_json(root / 'data' / 'freihand_train_data.json') as fits:
        fits['1']['mano_param']['shape'] = [0.0] * 3
    with pytest.raises(
        AnnotationError, match='freihand_train_data.json: annotation db_idx 1'
    ):
        build_dataset(train_cfg, str(root), str(tmp_path / 'c'))
    rootnet = root / 'rootnet_output' / 'bbox_root_freihand_output.json'
    with edited_json(rootnet) as entries:
        missing = entries.pop(0)['image_id']
    with pytest.raises(
        AnnotationError,
        match=rf'freihand_output.json: annotation image_id '
        rf'{missing}',
    ):
        build_dataset(test_cfg, str(root), str(tmp_path / 'c'))
    rootnet.unlink()
    with pytest.raises(
        FileNotFoundError, match='bbox_root_freihand_output.json'
    ):
        build_dataset(test_cfg, str(root), str(tmp_path / 'c'))
