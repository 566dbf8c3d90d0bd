"""The quick start on small rendered synthetic datasets: Hand4Whole
learns (val MPVPE and the image-space error fall well below the untrained
model's), and the main-job script runs end to end (training with 2 CPU
ranks) and leaves losses, lr, metrics and images in TensorBoard."""

import os.path as osp
from typing import Dict, Tuple

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.hooks import Hook

from h4w.apis.person_boxes import BoxJson
from h4w.structures.bbox import bbox_overlaps
from h4w.structures.camera import project_points
from h4w.synthetic import make_synthetic_dataset
from h4w.utils import to_numpy
from h4w.utils.config_utils import build_runner

from tests.conftest import REPO_ROOT, load_tool, run_tool, tensorboard_tags
from tests.test_tools.test_train_test import free_port

CONFIG = osp.join(REPO_ROOT, 'configs/hand4whole/quickstart_synthetic.py')
METRIC = 'Synthetic/MPVPE_all'
SUMMARY = load_tool('analysis_tools/summarize_run.py')
#: (H, W) of the images (the quick start's).
SHAPE = (288, 512)
#: The learning test: training images, validation images and epochs
#: (lr x0.1 in the last one), and the largest errors after training as
#: fractions of the untrained model's: val MPVPE (root-aligned: pose and
#: shape) and the box error of :class:`BoxErrorHook` (where the rendered
#: mesh lands: the camera). Measured: a correct run 0.65 / 0.76; a flip
#: that does not swap left and right 0.79 (MPVPE); trunks detached from
#: the loss 0.78 (MPVPE); x and y swapped in the training projection
#: 0.71 / 1.08.
LEARN_TRAIN, LEARN_VAL, LEARN_EPOCHS = 320, 48, 3
LEARN_RATIOS = {METRIC: 0.72, 'box_error': 0.9}


def quickstart_options(data_root: str, human_model_root: str) -> dict:
    """Config values that point the quick start at a dataset and a
    human-model tree."""
    options = {
        'model.body_model.model_path': human_model_root,
        'val_evaluator.0.body_model.model_path': human_model_root,
    }
    for loader in ('train_dataloader', 'val_dataloader'):
        options[f'{loader}.dataset.data_root'] = data_root
    return options


def val_records(work_dir: str):
    """Validation records of the run in ``work_dir``, in order."""
    _, records = SUMMARY.read_records(work_dir)
    return [r for r in records if METRIC in r]


class BoxErrorHook(Hook):
    """The box error of each validation (the untrained model's at epoch 0,
    then after training), in ``self.errors``: 1 - mean IoU between each
    person's box as the generator wrote it (``person_boxes_validation.json``:
    its own projection of the fit's joints, x1.2) and the box of the
    predicted mesh projected with the predicted image camera, as the demo
    renders it. Neither side uses the projection that training uses, so a
    broken one cannot hide."""

    def __init__(self, boxes_file: str):
        self.boxes = BoxJson(boxes_file)
        self.errors = []

    def before_val_epoch(self, runner) -> None:
        self.ious = []

    def after_val_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        for sample in outputs:
            pred = sample.pred_instances
            points = to_numpy(
                project_points(
                    pred.smplx_mesh_cam[0], pred.focal, pred.princpt
                )
            )
            box = np.concatenate([points.min(0), points.max(0)])
            gt = self.boxes.lookup(sample.img_path)
            self.ious.append(bbox_overlaps(box[None], gt)[0, 0])

    def after_val_epoch(self, runner, metrics=None) -> None:
        self.errors.append(1.0 - float(np.mean(self.ious)))


def train_quickstart(
    work_dir: str,
    data_root: str,
    human_model_root: str,
    epochs: int,
    num_train: int,
) -> Tuple[Dict[str, float], Dict[str, float]]:
    """Train the quick-start config in this process on the first
    ``num_train`` training images for ``epochs`` epochs (lr x0.1 for the
    last one) and return the val metrics before and after training, with
    the box error of :class:`BoxErrorHook` as ``'box_error'``."""
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(quickstart_options(data_root, human_model_root))
    cfg.work_dir = work_dir
    cfg.train_dataloader.dataset.indices = num_train
    cfg.train_dataloader.num_workers = 1
    cfg.val_dataloader.num_workers = 0
    cfg.val_dataloader.persistent_workers = False
    cfg.train_cfg.max_epochs = epochs
    # validated before training (the config's hook) and after: the two
    # records compared; no checkpoint before the end
    cfg.train_cfg.val_interval = epochs
    cfg.default_hooks.checkpoint.interval = epochs
    cfg.param_scheduler[0].update(milestones=[epochs - 1], end=epochs)
    cfg.default_hooks.visualization.enable = False
    cfg.randomness = dict(seed=0)
    # mmengine keeps one visualizer per name and process: a fresh one
    cfg.visualizer.name = work_dir
    runner = build_runner(cfg)
    boxes = BoxErrorHook(osp.join(data_root, 'person_boxes_validation.json'))
    runner.register_hook(boxes)
    runner.train()
    records = val_records(work_dir)
    assert [r['step'] for r in records] == [0, epochs]
    assert len(boxes.errors) == 2
    return (
        dict(records[0], box_error=boxes.errors[0]),
        dict(records[-1], box_error=boxes.errors[-1]),
    )


@pytest.fixture(scope='module')
def synthetic_data(tmp_path_factory, human_model_root) -> str:
    """A small rendered dataset at the test image size."""
    root = str(tmp_path_factory.mktemp('synthetic'))
    return make_synthetic_dataset(
        root,
        human_model_root,
        num_train=LEARN_TRAIN,
        num_val=LEARN_VAL,
        img_shape=SHAPE,
        seed=0,
        progress=False,
    )


def test_hand4whole_learns(synthetic_data, human_model_root, tmp_path):
    before, after = train_quickstart(
        str(tmp_path),
        synthetic_data,
        human_model_root,
        LEARN_EPOCHS,
        LEARN_TRAIN,
    )
    for key, ratio in LEARN_RATIOS.items():
        print(
            f'{key}: untrained {before[key]:.4g}, trained {after[key]:.4g} '
            f'(ratio {after[key] / before[key]:.3f}, must be < {ratio})'
        )
    for key, ratio in LEARN_RATIOS.items():
        assert after[key] < ratio * before[key], key


def test_main_job(human_model_root, tmp_path):
    """tools/quickstart.sh on a tiny set, training with
    ``tools/dist_train.sh configs/hand4whole/quickstart_synthetic.py 2``
    (two CPU ranks): every step runs and the run leaves what the README
    promises."""
    work_dir = tmp_path / 'work'
    proc = run_tool(
        ['bash', 'tools/quickstart.sh'],
        env=dict(
            WORK_DIR=str(work_dir),
            DATA_DIR=str(tmp_path / 'data'),
            HUMAN_MODELS=human_model_root,
            NUM_TRAIN='8',
            NUM_VAL='2',
            IMG_SIZE='256x144',
            EPOCHS='1',
            GPUS='2',
            PORT=str(free_port()),
            CFG_OPTIONS='train_dataloader.batch_size=4 '
            'train_dataloader.num_workers=0 '
            'train_dataloader.persistent_workers=False '
            'val_dataloader.num_workers=0 '
            'val_dataloader.persistent_workers=False '
            'default_hooks.visualization.interval=1',
        ),
        timeout=600,
    )
    out = proc.stdout
    log = out + proc.stderr
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    # 8 samples, batch 4 per rank, 2 ranks -> 1 iteration per epoch
    assert 'Epoch(train) [1][1/1]' in log
    for step in range(1, 6):
        assert f'[h4w] {step}/5' in out
    assert 'already has SMPL-X files: keeping them' in out
    # the summary: before (epoch 0) and after, and where to look
    row = next(line for line in out.splitlines() if line.startswith(METRIC))
    assert len(row.split()) == 4  # name, before, best, last
    assert f'tensorboard --logdir {work_dir}' in out
    tags = tensorboard_tags(str(work_dir))
    for tag in ('loss', 'loss_smplx_pose', 'lr', METRIC):
        assert tag in tags['scalars'], tag
    assert tags['images']
    assert list((work_dir / 'demo' / 'vis').glob('*.jpg')) or list(
        (work_dir / 'demo' / 'vis').glob('*.png')
    )
    assert list(work_dir.glob('best_Synthetic_MPVPE_all_epoch_*.pth'))
