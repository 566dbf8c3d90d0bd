import os.path as osp
import re

from tests.conftest import REPO_ROOT, load_tool


def test_benchmark_inference_reports_people_per_second(
    human_model_root, capsys
):
    module = load_tool('analysis_tools/benchmark_inference.py')
    module.main(
        [
            osp.join(REPO_ROOT, 'configs/pose2pose/pose2pose_hand_res50.py'),
            '--model-path',
            human_model_root,
            '--people',
            '1',
            '3',
            '--size',
            '96',
            '128',
            '--iters',
            '1',
            '--render',
            'opencv',
        ]
    )
    out = capsys.readouterr().out
    for people in (1, 3):
        line = rf'people/image +{people}: +[\d.]+ people/s .*render \(opencv\)'
        assert re.search(line, out), out
