"""tools/test.py runs every benchmark's test config on its fixture and
prints the metrics (in the upstream order)."""

import os.path as osp

import pytest
import torch

from tests.conftest import PYTHON, run_tool
from tests.fixtures.datasets.agora import make_agora
from tests.fixtures.datasets.ehf import make_ehf
from tests.fixtures.datasets.freihand import make_freihand
from tests.fixtures.datasets.human36m import make_human36m
from tests.fixtures.datasets.pw3d import make_pw3d

MODEL_PATH = 'test_evaluator.body_model.model_path={}'
AGORA_KEYS = [
    'AGORA/PA-MPVPE_all',
    'AGORA/PA-MPVPE_hands',
    'AGORA/PA-MPVPE_face',
    'AGORA/MPVPE_all',
    'AGORA/MPVPE_hands',
    'AGORA/MPVPE_face',
]

#: config, fixture writer, extra options (``{}``: the human-model root;
#: ``{out}``: a scratch folder), metric keys in print order
BENCHMARKS = dict(
    ehf=(
        'configs/hand4whole/hand4whole_res50_test_ehf.py',
        make_ehf,
        [MODEL_PATH],
        [
            'EHF/PA-MPVPE_all',
            'EHF/PA-MPVPE_hands',
            'EHF/PA-MPVPE_face',
            'EHF/MPVPE_all',
            'EHF/MPVPE_hands',
            'EHF/MPVPE_face',
            'EHF/PA-MPJPE_body',
            'EHF/PA-MPJPE_hands',
        ],
    ),
    h36m=(
        'configs/hand4whole/hand4whole_res50_test_h36m.py',
        make_human36m,
        [MODEL_PATH, 'test_dataloader.dataset.subjects=[9]'],
        ['H36M/MPJPE', 'H36M/PA-MPJPE'],
    ),
    h36m_p2p=(
        'configs/pose2pose/pose2pose_body_res50_test_h36m.py',
        make_human36m,
        [MODEL_PATH, 'test_dataloader.dataset.subjects=[9]'],
        ['H36M/MPJPE', 'H36M/PA-MPJPE'],
    ),
    pw3d=(
        'configs/pose2pose/pose2pose_body_res50_test_pw3d.py',
        make_pw3d,
        [MODEL_PATH],
        ['3DPW/MPJPE', '3DPW/PA-MPJPE', '3DPW/MPVPE', '3DPW/PA-MPVPE'],
    ),
    freihand=(
        'configs/pose2pose/pose2pose_hand_res50_test_freihand.py',
        make_freihand,
        [MODEL_PATH],
        [],
    ),
    agora=(
        'configs/hand4whole/hand4whole_res50_test_agora.py',
        make_agora,
        [
            'test_evaluator.0.body_model.model_path={}',
            'test_evaluator.1.out_dir={out}',
        ],
        AGORA_KEYS,
    ),
)


@pytest.fixture(scope='module')
def empty_checkpoint(tmp_path_factory):
    """A checkpoint without weights: the models keep their random init
    (the numbers are meaningless; the run is what is tested)."""
    path = tmp_path_factory.mktemp('ckpt') / 'empty.pth'
    torch.save(dict(meta=dict(), state_dict=dict()), str(path))
    return str(path)


@pytest.mark.parametrize('name', list(BENCHMARKS))
def test_test_tool_prints_benchmark_metrics(
    name, tmp_path, human_model_root, empty_checkpoint
):
    config, make_fixture, extra, keys = BENCHMARKS[name]
    root = make_fixture(str(tmp_path / 'data'), human_model_root)
    work_dir = tmp_path / 'work'
    proc = run_tool(
        [
            PYTHON,
            'tools/test.py',
            config,
            empty_checkpoint,
            '--work-dir',
            str(work_dir),
            '--cfg-options',
            f'model.body_model.model_path={human_model_root}',
            f'test_dataloader.dataset.data_root={root}',
            f'test_dataloader.dataset.cache_dir={tmp_path / "cache"}',
            'test_dataloader.num_workers=0',
            'test_dataloader.batch_size=2',
            *[
                opt.format(human_model_root, out=tmp_path / 'out')
                for opt in extra
            ],
        ]
    )
    output = proc.stdout + proc.stderr
    positions = [output.rfind(key + ':') for key in keys]
    assert all(p >= 0 for p in positions), output[-3000:]
    assert positions == sorted(positions)  # upstream print order
    if name == 'freihand':
        dumps = list(work_dir.rglob('pred.json'))
        assert len(dumps) == 1 and 'are dumped at' in output
        import json

        joints, verts = json.loads(dumps[0].read_text())
        assert len(joints) == len(verts) > 0
        assert osp.getsize(dumps[0]) > 0
    if name == 'agora':
        pickles = sorted((tmp_path / 'out').glob('*_personId_*.pkl'))
        assert len(pickles) == 2  # one per validation person
