"""The whole Hand4Whole recipe (spec §7.2) on the dataset fixtures, each
step started from the checkpoint the step before wrote: stage 1
(whole body on Human3.6M + MSCOCO + MPII, EHF validation) -> stage 2
(hand-only Pose2Pose on FreiHAND + InterHand2.6M + MSCOCO hands) -> merge
-> stage 3 -> reset -> AGORA fine-tune. Tiny iteration counts: this checks
that the recipes and the stage tools fit together, not what they learn."""

import json
import os.path as osp

import pytest
import torch

from h4w.engine.checkpoint import load_checkpoint_file

from tests.conftest import PYTHON, run_tool
from tests.fixtures.datasets.agora import make_agora
from tests.fixtures.datasets.coco import make_coco
from tests.fixtures.datasets.ehf import make_ehf
from tests.fixtures.datasets.freihand import make_freihand
from tests.fixtures.datasets.human36m import make_human36m
from tests.fixtures.datasets.interhand26m import make_interhand26m
from tests.fixtures.datasets.mpii import make_mpii

STAGE1 = 'configs/hand4whole/stage1_h36m_mpii_coco.py'
STAGE2 = 'configs/pose2pose/pose2pose_hand_res50_freihand_interhand_coco.py'
STAGE3 = 'configs/hand4whole/stage3_h36m_mpii_coco.py'
AGORA = 'configs/hand4whole/agora_finetune.py'
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
TRAIN = 'train_dataloader.dataset'
#: One iteration of two samples, no workers, a log line per iteration,
#: weights-only checkpoints.
TINY = (
    'train_dataloader.batch_size=2',
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'val_dataloader.num_workers=0',
    'val_dataloader.batch_size=2',
    'train_cfg.max_epochs=1',
    'default_hooks.logger.interval=1',
    # weights only: the chain loads weights, never resumes (and the
    # Adam state doubles what each stage writes)
    'default_hooks.checkpoint.save_optimizer=False',
)


def train(config, work_dir, *options, validate=True):
    args = [PYTHON, 'tools/train.py', config, '--work-dir', str(work_dir)]
    if not validate:
        args.append('--no-validate')
    proc = run_tool(args + ['--cfg-options', *TINY, *options], timeout=600)
    return proc.stdout + proc.stderr


def weights(path):
    return load_checkpoint_file(str(path), 'cpu', trusted=True)['state_dict']


@pytest.fixture(scope='module')
def data(tmp_path_factory, human_model_root):
    root = tmp_path_factory.mktemp('data')
    makers = dict(
        h36m=(make_human36m, 'Human36M'),
        coco=(make_coco, 'MSCOCO'),
        mpii=(make_mpii, 'MPII'),
        ehf=(make_ehf, 'EHF'),
        freihand=(make_freihand, 'FreiHAND'),
        interhand=(make_interhand26m, 'InterHand26M'),
        agora=(make_agora, 'AGORA'),
    )
    return {
        key: make(str(root / folder), human_model_root)
        for key, (make, folder) in makers.items()
    }


def wholebody_options(data, human_model_root):
    """Stage 1 / stage 3 data: one sample per training set."""
    return (
        f'model.body_model.model_path={human_model_root}',
        f'val_evaluator.body_model.model_path={human_model_root}',
        f'{TRAIN}.datasets_3d.0.data_root={data["h36m"]}',
        f'{TRAIN}.datasets_3d.0.subjects=[1]',
        f'{TRAIN}.datasets_3d.0.indices=1',
        f'{TRAIN}.datasets_2d.0.data_root={data["coco"]}',
        f'{TRAIN}.datasets_2d.0.indices=1',
        f'{TRAIN}.datasets_2d.1.data_root={data["mpii"]}',
        f'{TRAIN}.datasets_2d.1.indices=1',
        f'val_dataloader.dataset.data_root={data["ehf"]}',
    )


def test_recipe_chain(tmp_path, data, human_model_root):
    work = tmp_path

    # stage 1: whole body, validated on EHF
    log = train(
        STAGE1, work / 'stage1', *wholebody_options(data, human_model_root)
    )
    # 2 * max(len(3D group), len(2D group)) = 4 samples -> 2 iterations
    assert 'Epoch(train) [1][2/2]' in log
    for key in (
        'loss_smplx_pose',
        'loss_joint_img',
        'loss_lhand_bbox',
        'loss_joint_proj',
    ):
        assert key in log
    scalars = [
        json.loads(line)
        for line in open(next((work / 'stage1').rglob('scalars.json')))
    ]
    val = [s for s in scalars if 'EHF/PA-MPVPE_all' in s]
    assert val and all(k in val[-1] for k in EHF_KEYS)
    assert list((work / 'stage1').glob('best_EHF_PA-MPVPE_all_epoch_1.pth'))
    stage1 = work / 'stage1' / 'epoch_1.pth'

    # stage 2: the hand-only Pose2Pose
    log = train(
        STAGE2,
        work / 'stage2',
        f'model.body_model.model_path={human_model_root}',
        f'{TRAIN}.datasets_3d.0.data_root={data["freihand"]}',
        f'{TRAIN}.datasets_3d.0.indices=1',
        f'{TRAIN}.datasets_3d.1.data_root={data["interhand"]}',
        f'{TRAIN}.datasets_3d.1.indices=1',
        f'{TRAIN}.datasets_2d.0.data_root={data["coco"]}',
        f'{TRAIN}.datasets_2d.0.indices=1',
        validate=False,
    )
    assert 'loss_mano_pose' in log
    stage2 = work / 'stage2' / 'epoch_1.pth'

    # merge: the stage-2 hand trunk becomes the whole-body hand backbone
    merged = work / 'stage3_init.pth'
    proc = run_tool(
        [
            PYTHON,
            'tools/model_converters/merge_hand_into_wholebody.py',
            str(stage1),
            str(stage2),
            str(merged),
        ]
    )
    hand, start = weights(stage2), weights(merged)
    trunk = {k: v for k, v in hand.items() if k.startswith('backbone.')}
    assert trunk
    for key, value in trunk.items():
        assert torch.equal(start['hand_' + key], value), key
        assert f'hand_{key}' in proc.stdout
    assert not [k for k in start if k.startswith('hand_position_head.')]
    assert not [k for k in start if k.startswith('hand_rotation_head.')]
    body = weights(stage1)
    assert torch.equal(
        start['backbone.conv1.weight'], body['backbone.conv1.weight']
    )

    # stage 3: from the merged checkpoint, hand heads re-initialised
    log = train(
        STAGE3,
        work / 'stage3',
        *wholebody_options(data, human_model_root),
        f'load_from={merged}',
        validate=False,
    )
    assert f'Load checkpoint from {merged}' in log
    missing = log[log.find('missing keys in source state_dict') :]
    assert 'hand_position_head.' in missing
    assert 'lr: 1.000000e-05' in log
    stage3 = work / 'stage3' / 'epoch_1.pth'

    # reset, then the AGORA fine-tune from it
    agora_start = work / 'agora_init.pth'
    run_tool(
        [
            PYTHON,
            'tools/model_converters/reset_checkpoint.py',
            str(stage3),
            str(agora_start),
        ]
    )
    reset = load_checkpoint_file(str(agora_start), 'cpu', trusted=True)
    assert 'optimizer' not in reset
    log = train(
        AGORA,
        work / 'agora',
        f'model.body_model.model_path={human_model_root}',
        f'val_evaluator.0.body_model.model_path={human_model_root}',
        f'{TRAIN}.datasets_3d.0.data_root={data["agora"]}',
        f'val_dataloader.dataset.data_root={data["agora"]}',
        f'load_from={agora_start}',
    )
    assert f'Load checkpoint from {agora_start}' in log
    assert 'AGORA/PA-MPVPE_all' in log
    assert osp.isfile(work / 'agora' / 'epoch_1.pth')
