import importlib.util
import os.path as osp

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


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
    spec = importlib.util.spec_from_file_location(
        'benchmark_model',
        osp.join(REPO, 'tools/analysis_tools/benchmark_model.py'),
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = module.main(
        [
            osp.join(REPO, config),
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
