"""tools/test.py --show-dir renders predictions to files and TensorBoard;
--show-dir works with every mesh config."""

import glob
import os.path as osp

import pytest
from mmengine.config import Config

from tests.conftest import (
    PYTHON,
    REPO_ROOT,
    load_tool,
    run_tool,
    tensorboard_tags,
)
from tests.fixtures.datasets.ehf import make_ehf

MESH_CONFIGS = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', 'hand4whole', '*.py'))
    + glob.glob(osp.join(REPO_ROOT, 'configs', 'pose2pose', '*.py'))
)


def test_test_tool_show_dir_writes_overlays_and_tensorboard_images(
    tmp_path, human_model_root, hand4whole_checkpoint
):
    root = make_ehf(str(tmp_path / 'EHF'), human_model_root, num_frames=2)
    work_dir = tmp_path / 'work'
    run_tool(
        [
            PYTHON,
            'tools/test.py',
            'configs/hand4whole/hand4whole_res50_test_ehf.py',
            hand4whole_checkpoint,
            '--work-dir',
            str(work_dir),
            '--show-dir',
            'vis',
            '--cfg-options',
            f'model.body_model.model_path={human_model_root}',
            f'test_evaluator.body_model.model_path={human_model_root}',
            f'test_dataloader.dataset.data_root={root}',
            'test_dataloader.num_workers=0',
            'test_dataloader.batch_size=2',
            'default_hooks.visualization.interval=1',
            'visualizer.renderer=opencv',
        ],
        timeout=600,
    )
    overlays = sorted(glob.glob(str(work_dir / '*' / 'vis' / '*.jpg')))
    assert len(overlays) == 2
    from h4w.utils.image_io import read_image

    drawing = read_image(overlays[0])
    image = read_image(glob.glob(osp.join(root, 'data', '*_img.jpg'))[0])
    # ground truth and prediction side by side
    assert drawing.shape == (image.shape[0], 2 * image.shape[1], 3)
    counts = tensorboard_tags(str(work_dir))['images']
    assert sum(counts.values()) == 2, counts


@pytest.mark.parametrize(
    'config', MESH_CONFIGS, ids=[osp.basename(c) for c in MESH_CONFIGS]
)
def test_show_dir_works_with_every_mesh_config(config):
    test_tool = load_tool('test.py')
    train_tool = load_tool('train.py')
    args = test_tool.parse_args([config, 'ckpt.pth', '--show-dir', 'shown'])
    cfg = test_tool.merge_args(Config.fromfile(config), args)
    assert cfg.default_hooks.visualization.type == 'MeshVisualizationHook'
    assert cfg.default_hooks.visualization.enable is True
    assert cfg.default_hooks.visualization.out_dir == 'shown'
    assert cfg.visualizer.type == 'MeshVisualizer'
    args = train_tool.parse_args([config, '--show-dir', 'shown'])
    cfg = train_tool.merge_args(Config.fromfile(config), args)
    assert cfg.default_hooks.visualization.enable is True
