import os.path as osp
import re

from tests.conftest import REPO_ROOT, load_tool

#: A small benchmark_inference.py run: 1 and 3 people on a 128 x 96
#: image, one timed call each.
SMALL_RUN = ['--people', '1', '3', '--size', '96', '128', '--iters', '1']


def test_benchmark_inference_reports_people_per_second(
    human_model_root, capsys
):
    module = load_tool('analysis_tools/benchmark_inference.py')
    module.main(
        [
            osp.join(REPO_ROOT, 'configs/pose2pose/pose2pose_hand_res50.py'),
            '--model-path',
            human_model_root,
            *SMALL_RUN,
            '--render',
            'opencv',
        ]
    )
    out = capsys.readouterr().out
    for people in (1, 3):
        line = rf'people/image +{people}: +[\d.]+ people/s .*render \(opencv\)'
        assert re.search(line, out), out
