"""Helpers of the core tests (``load_tool``, ``run_tool``,
``tensorboard_tags``) and their converted-checkpoint fixture. The fixtures
that the plugin tests share (``human_model_root``, ``repo_root``,
``shared_data``) live in the repository-root ``conftest.py``.
"""

import importlib.util
import os
import os.path as osp
import sys
import types

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(scope='session')
def hand4whole_checkpoint(tmp_path_factory, human_model_root) -> str:
    """A Hand4Whole checkpoint converted from the upstream layout (weights
    of a freshly initialised model)."""
    from tests.test_apis.helpers import converted_checkpoint

    out_dir = tmp_path_factory.mktemp('hand4whole_checkpoint')
    return converted_checkpoint(str(out_dir), human_model_root)


def load_tool(path: str) -> types.ModuleType:
    """Load a script of ``tools/`` as a module, to call its functions in
    the test process.

    Args:
        path (str): Path under ``tools/``, e.g.
            ``'analysis_tools/print_config.py'``.

    Returns:
        module: A fresh module (not added to ``sys.modules``).
    """
    name = 'tools.' + osp.splitext(path)[0].replace('/', '.')
    spec = importlib.util.spec_from_file_location(
        name, osp.join(REPO_ROOT, 'tools', path)
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_tool(args, cwd=REPO_ROOT, env=None, timeout=300):
    """Run a command line as a subprocess and return the completed process;
    the test fails with its output when it exits non-zero. The subprocess
    imports h4w (and ``projects``) from this checkout, whichever h4w is
    installed."""
    import subprocess

    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env['PYTHONPATH'] = os.pathsep.join(
        [REPO_ROOT] + [p for p in [full_env.get('PYTHONPATH')] if p]
    )
    full_env.setdefault('PYTHONWARNINGS', 'ignore')
    proc = subprocess.run(
        args,
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        output = proc.stdout + proc.stderr
        first_error = output.find('Traceback')
        pytest.fail(
            f'{" ".join(map(str, args))} failed '
            f'({proc.returncode}). First traceback:\n'
            f'{output[first_error : first_error + 4000]}\n'
            f'... end of output:\n{output[-3000:]}'
        )
    return proc


PYTHON = sys.executable


def tensorboard_tags(log_dir: str) -> dict:
    """What the TensorBoard event files under ``log_dir`` hold:
    ``{'scalars': {tag: count}, 'images': {tag: count}}``."""
    import glob

    from tensorboard.backend.event_processing.event_accumulator import (
        EventAccumulator,
    )

    tags = dict(scalars={}, images={})
    for event_file in glob.glob(
        osp.join(log_dir, '**', 'events.out.tfevents.*'), recursive=True
    ):
        events = EventAccumulator(event_file, size_guidance={'images': 0})
        events.Reload()
        for kind, read in (
            ('scalars', events.Scalars),
            ('images', events.Images),
        ):
            for tag in events.Tags()[kind]:
                tags[kind][tag] = tags[kind].get(tag, 0) + len(read(tag))
    return tags
