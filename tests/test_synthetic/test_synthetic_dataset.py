"""make_synthetic_dataset: AGORADataset reads what it writes, the saved
fits and cameras are the ground truth of the rendered pixels and boxes,
the output is deterministic; the command line tool."""

import json
import os
import os.path as osp
import subprocess

import cv2
import numpy as np
import pytest
import torch

from h4w.apis.person_boxes import BoxJson
from h4w.datasets.datasets.agora_dataset import (
    AGORA_SMPLX_PART_INDICES,
)
from h4w.synthetic import (
    SyntheticPeople,
    make_synthetic_dataset,
    procedural_background,
    project,
)
from h4w.synthetic.synthetic_dataset import scene_rngs
from h4w.utils.image_io import read_image
from h4w.visualization.renderer import MeshRenderer

from tests.conftest import PYTHON, REPO_ROOT, load_tool, run_tool
from tests.test_datasets.helpers import build_dataset, dataset_cfg_fixture

SHAPE = (144, 256)
COUNTS = dict(train=4, validation=2)
SEED = 3
TOOL = osp.join(REPO_ROOT, 'tools', 'misc', 'make_synthetic_dataset.py')

train_cfg = dataset_cfg_fixture('_base_/datasets/agora.py', 'AGORADataset')
val_cfg = dataset_cfg_fixture(
    '_base_/datasets/agora.py', 'AGORADataset', 'test_dataloader'
)


def _make(root, human_model_root) -> str:
    return make_synthetic_dataset(
        str(root),
        human_model_root,
        num_train=COUNTS['train'],
        num_val=COUNTS['validation'],
        img_shape=SHAPE,
        seed=SEED,
        progress=False,
    )


@pytest.fixture(scope='module')
def data_root(tmp_path_factory, human_model_root):
    return _make(tmp_path_factory.mktemp('synthetic'), human_model_root)


@pytest.fixture(scope='module')
def scenes(data_root, human_model_root):
    """Per image: the annotation, the image, the background and the GT
    mesh / joints computed here from the saved fit (camera frame)."""
    layer = SyntheticPeople(human_model_root).model('smplx')
    out = []
    for split in COUNTS:
        with open(osp.join(data_root, f'AGORA_{split}_SMPLX.json')) as f:
            db = json.load(f)
        for img, ann in zip(db['images'], db['annotations']):
            with open(osp.join(data_root, ann['smplx_param_path'])) as f:
                fit = json.load(f)
            with open(osp.join(data_root, ann['cam_param_path'])) as f:
                cam = json.load(f)
            with torch.no_grad():
                mesh = layer(**{k: torch.tensor([v]) for k, v in fit.items()})
            out.append(
                dict(
                    split=split,
                    ann=ann,
                    cam=cam,
                    faces=layer.faces.numpy(),
                    vertices=mesh['vertices'][0].double().numpy(),
                    joints=mesh['output_joints'][0, :127].double().numpy(),
                    img=read_image(
                        osp.join(data_root, img['file_name_1280x720'])
                    ),
                    background=procedural_background(
                        scene_rngs(SEED, split, img['id'], SHAPE)[0], SHAPE
                    ),
                )
            )
    return out


def test_agora_dataset_reads_both_splits(
    data_root, train_cfg, val_cfg, tmp_path
):
    train = build_dataset(
        train_cfg, data_root, str(tmp_path), resolution=SHAPE
    )
    assert len(train) == COUNTS['train']
    info = train.get_data_info(0)
    assert info['ori_shape'] == SHAPE
    assert info['gt_params']['keypoints_from_fit']
    for part in ('lhand', 'rhand', 'face'):
        assert info[f'{part}_bbox'] is not None
    sample = train[0]
    assert sample['inputs'].shape[0] == 3
    val = build_dataset(val_cfg, data_root, str(tmp_path), resolution=SHAPE)
    assert val.test_mode and len(val) == COUNTS['validation']
    assert val.get_data_info(1)['img_name'] == (
        'ag_validationset_synthetic_00001'
    )
    assert val[1]['inputs'].shape[0] == 3
    with open(osp.join(data_root, 'synthetic_dataset.json')) as f:
        meta = json.load(f)
    assert meta['img_size'] == [SHAPE[1], SHAPE[0]] and meta['seed'] == SEED
    assert 'smoke' in open(osp.join(data_root, 'README.txt')).read()


def test_boxes_hold_the_projected_joints(scenes):
    parts = dict(AGORA_SMPLX_PART_INDICES, body=range(127))
    for scene in scenes:
        joints_2d = project(scene['joints'], **scene['cam'])
        for part, rows in parts.items():
            key = 'bbox' if part == 'body' else f'{part}_bbox'
            x, y, w, h = scene['ann'][key]
            points = joints_2d[list(rows)]
            lo, hi = points.min(0), points.max(0)
            # tight box enlarged x1.2 about its centre
            np.testing.assert_allclose(
                [x + w / 2, y + h / 2, w, h],
                [*(lo + hi) / 2, *(1.2 * (hi - lo))],
                rtol=1e-4,
                atol=1e-2,
            )


def test_person_boxes_for_the_demo(scenes, data_root):
    """person_boxes_<split>.json: the annotation's body box in image
    pixels, found by BoxJson by file name."""
    scale = SHAPE[1] / 3840
    for split in COUNTS:
        boxes = BoxJson(osp.join(data_root, f'person_boxes_{split}.json'))
        for scene in (s for s in scenes if s['split'] == split):
            x, y, w, h = np.asarray(scene['ann']['bbox']) * scale
            name = f'{scene["ann"]["smplx_param_path"].split("/")[2]}'
            found = boxes.lookup(f'{name}_{SHAPE[1]}x{SHAPE[0]}.png')
            np.testing.assert_allclose(
                found, [[x, y, x + w, y + h]], rtol=1e-5, atol=1e-3
            )


def test_gt_mesh_is_what_is_rendered(scenes, data_root, train_cfg, tmp_path):
    train = build_dataset(
        train_cfg, data_root, str(tmp_path), resolution=SHAPE
    )
    scale = SHAPE[1] / 3840
    with MeshRenderer() as renderer:
        for scene in scenes:
            drawn = (scene['img'] != scene['background']).any(2)
            focal = np.asarray(scene['cam']['focal']) * scale
            princpt = np.asarray(scene['cam']['princpt']) * scale
            mask = (
                renderer.rasterize(
                    [scene['vertices']], scene['faces'], focal, princpt, SHAPE
                )['index']
                >= 0
            )
            # the mesh's pixels are drawn; what else is drawn is its
            # antialiased outline
            assert drawn.sum() > 0.01 * drawn.size
            assert not (mask & ~drawn).any()
            outline = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3)))
            assert not (drawn & (outline == 0)).any()
            # every vertex in the image projects onto a drawn pixel
            uv = np.round(project(scene['vertices'], focal, princpt))
            uv = uv.astype(int)
            inside = ((uv >= 0) & (uv < SHAPE[::-1])).all(1)
            assert inside.mean() > 0.95
            on = drawn[uv[inside, 1], uv[inside, 0]]
            assert on.mean() > 0.97, on.mean()
            # the person boxes cover the drawn person
            rows, cols = np.nonzero(drawn)
            box = np.asarray(scene['ann']['bbox']) * scale
            assert _covered(rows, cols, box) >= 0.97
            if scene['split'] == 'train':
                info = train.get_data_info(scene['ann']['id'])
                assert _covered(rows, cols, info['bbox']) == 1.0
                np.testing.assert_allclose(
                    info['gt_params']['focal'], focal, rtol=1e-5
                )


def _covered(rows: np.ndarray, cols: np.ndarray, box) -> float:
    """Fraction of the pixels (rows, cols) inside an xywh box."""
    x, y, w, h = box
    inside = (cols >= x - 0.5) & (cols <= x + w - 0.5)
    inside &= (rows >= y - 0.5) & (rows <= y + h - 0.5)
    return float(inside.mean())


def _tree(root: str) -> dict:
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = osp.join(folder, name)
            with open(path, 'rb') as f:
                files[osp.relpath(path, root)] = f.read()
    return files


def test_same_seed_same_files(data_root, human_model_root, tmp_path):
    again = _make(tmp_path / 'again', human_model_root)
    first, second = _tree(data_root), _tree(again)
    assert sorted(first) == sorted(second)
    assert len([n for n in first if n.endswith('.png')]) == 6
    for name in first:
        assert first[name] == second[name], name


def test_cli(human_model_root, tmp_path):
    out_dir = str(tmp_path / 'cli')
    proc = run_tool(
        [
            PYTHON,
            TOOL,
            '--out-dir',
            out_dir,
            '--human-model-path',
            human_model_root,
            '--num-train',
            '2',
            '--num-val',
            '1',
            '--img-size',
            '128x72',
            '--seed',
            '1',
        ]
    )
    assert '3/3' in proc.stdout  # the progress bar
    assert f"synthetic_data_root = '{out_dir}'" in proc.stdout
    assert 'synthetic_resolution = (72, 128)' in proc.stdout
    assert osp.isfile(
        osp.join(
            out_dir,
            'images_128x72/validation/ag_validationset_synthetic_00000'
            '_128x72.png',
        )
    )


@pytest.mark.parametrize('size', ['128x128', 'wide', '0x0'])
def test_cli_bad_img_size(size, human_model_root, tmp_path, capsys):
    tool = load_tool('misc/make_synthetic_dataset.py')
    args = ['--out-dir', str(tmp_path), '--img-size', size]
    assert tool.main(args + ['--human-model-path', human_model_root]) == 1
    assert '--img-size' in capsys.readouterr().err
    assert not os.listdir(tmp_path)


def test_cli_missing_model_root(tmp_path):
    missing = str(tmp_path / 'no_models')
    proc = subprocess.run(
        [PYTHON, TOOL, '--out-dir', str(tmp_path), '--human-model-path']
        + [missing],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=dict(os.environ, PYTHONPATH=REPO_ROOT),
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert missing in proc.stderr and 'Traceback' not in proc.stderr
