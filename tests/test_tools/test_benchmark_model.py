import os.path as osp

import pytest

from tests.conftest import REPO_ROOT, load_tool


@pytest.mark.parametrize(
    'config,mode',
    [
        ('configs/pose2pose/pose2pose_face_res50.py', 'train'),
        ('configs/pose2pose/pose2pose_hand_res50.py', 'predict'),
    ],
)
def test_benchmark_model_reports_every_batch_size(
    config, mode, human_model_root, capsys
):
    module = load_tool('analysis_tools/benchmark_model.py')
    rows = module.main(
        [
            osp.join(REPO_ROOT, config),
            '--model-path',
            human_model_root,
            '--batch-sizes',
            '1',
            '2',
            '--iters',
            '1',
            '--mode',
            mode,
        ]
    )
    assert [r['batch'] for r in rows] == [1, 2]
    assert all(r['samples_per_s'] > 0 and r['peak_mb'] > 0 for r in rows)
    assert 'samples/s' in capsys.readouterr().out
