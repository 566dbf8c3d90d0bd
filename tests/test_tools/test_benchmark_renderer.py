import re

from tests.conftest import PYTHON, run_tool


def test_benchmark_prints_fps_per_backend_and_people(tmp_path):
    proc = run_tool(
        [
            PYTHON,
            'tools/analysis_tools/benchmark_renderer.py',
            '--backend',
            'pyrender',
            'opencv',
            '--size',
            '96',
            '128',
            '--people',
            '1',
            '2',
            '--iters',
            '1',
            '--obj',
            str(tmp_path / 'missing.obj'),  # the synthetic mesh
        ]
    )
    out = proc.stdout
    assert 'synthetic' in out
    fps_line = r'^{} +people +{} +render +[\d.]+ fps +rasterize +[\d.]+ fps'
    for people in (1, 2):
        assert re.search(fps_line.format('opencv', people), out, re.M), out
    pyrender_ok = [
        re.search(fps_line.format('pyrender', people), out, re.M)
        for people in (1, 2)
    ]
    # Without a usable pyrender the tool says so instead.
    assert all(pyrender_ok) or re.search(r'^pyrender +unavailable', out, re.M)
