"""tools/train.py trains the stage-1 recipe on the fixtures of Human3.6M,
MSCOCO and MPII (mixed as the reference) and validates on EHF."""

import json
import os.path as osp

from tests.conftest import PYTHON, run_tool
from tests.fixtures.datasets.coco import make_coco
from tests.fixtures.datasets.ehf import make_ehf
from tests.fixtures.datasets.human36m import make_human36m
from tests.fixtures.datasets.mpii import make_mpii

CONFIG = 'configs/hand4whole/stage1_h36m_mpii_coco.py'
EHF_KEYS = (
    'EHF/PA-MPVPE_all',
    'EHF/PA-MPVPE_hands',
    'EHF/PA-MPVPE_face',
    'EHF/MPVPE_all',
    'EHF/MPVPE_hands',
    'EHF/MPVPE_face',
    'EHF/PA-MPJPE_body',
    'EHF/PA-MPJPE_hands',
)


def test_stage1_recipe_trains_and_validates(tmp_path, human_model_root):
    data = tmp_path / 'data'
    roots = dict(
        h36m=make_human36m(str(data / 'Human36M'), human_model_root),
        coco=make_coco(str(data / 'MSCOCO'), human_model_root),
        mpii=make_mpii(str(data / 'MPII'), human_model_root),
        ehf=make_ehf(str(data / 'EHF'), human_model_root),
    )
    work_dir = tmp_path / 'work'
    train = 'train_dataloader.dataset'
    proc = run_tool(
        [
            PYTHON,
            'tools/train.py',
            CONFIG,
            '--work-dir',
            str(work_dir),
            '--cfg-options',
            f'model.body_model.model_path={human_model_root}',
            f'val_evaluator.body_model.model_path={human_model_root}',
            f'{train}.datasets_3d.0.data_root={roots["h36m"]}',
            f'{train}.datasets_3d.0.subjects=[1]',
            f'{train}.datasets_3d.0.indices=1',
            f'{train}.datasets_2d.0.data_root={roots["coco"]}',
            f'{train}.datasets_2d.0.indices=1',
            f'{train}.datasets_2d.1.data_root={roots["mpii"]}',
            f'{train}.datasets_2d.1.indices=1',
            f'val_dataloader.dataset.data_root={roots["ehf"]}',
            'train_dataloader.batch_size=2',
            'train_dataloader.num_workers=0',
            'val_dataloader.num_workers=0',
            'val_dataloader.batch_size=2',
            'train_cfg.max_epochs=1',
            'default_hooks.logger.interval=1',
        ],
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    # 2 * max(len(3D group), len(2D group)) = 4 samples -> 2 iterations
    assert 'Epoch(train) [1][2/2]' in output
    for key in (
        'loss_smplx_pose',
        'loss_joint_img',
        'loss_lhand_bbox',
        'loss_joint_proj',
    ):
        assert key in output
    scalars = [
        json.loads(line) for line in open(next(work_dir.rglob('scalars.json')))
    ]
    val = [s for s in scalars if 'EHF/PA-MPVPE_all' in s]
    assert val and all(k in val[-1] for k in EHF_KEYS)
    assert osp.isfile(work_dir / 'epoch_1.pth')
    assert list(work_dir.glob('best_EHF_PA-MPVPE_all_epoch_1.pth'))
