"""Shared fixtures and helpers (``load_tool``, ``run_tool``).

The synthetic human-model tree (~1.5 GB) is written once per test session.
Set ``H4W_TEST_HUMAN_MODELS=/path/to/human_model_files`` to reuse a tree
written by ``tools/misc/make_synthetic_human_models.py``.
"""

import importlib.util
import os
import os.path as osp
import sys
import types

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

if os.environ.get('PYTEST_XDIST_WORKER'):
    # pytest -n 2: the workers share the cores, one thread each (and in
    # the tools they run), instead of oversubscribing them
    os.environ['OMP_NUM_THREADS'] = '1'
    import torch

    torch.set_num_threads(1)


#: The longest tests (training runs), started first so that the two
#: workers of ``pytest -n 2`` finish together.
SLOW_FIRST = (
    'tests/test_tools/test_quickstart.py',
    'tests/test_tools/test_train_recipes.py',
)


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: not item.nodeid.startswith(SLOW_FIRST))


@pytest.fixture(scope='session')
def human_model_root(tmp_path_factory) -> str:
    """Root of a complete synthetic ``human_model_files`` tree."""
    existing = os.environ.get('H4W_TEST_HUMAN_MODELS')
    if existing:
        return existing
    from h4w.synthetic import make_synthetic_human_models

    root = tmp_path_factory.mktemp('human_model_files')
    return str(make_synthetic_human_models(root))


@pytest.fixture(scope='session')
def repo_root() -> str:
    return REPO_ROOT


@pytest.fixture(scope='session')
def hand4whole_checkpoint(tmp_path_factory, human_model_root) -> str:
    """A Hand4Whole checkpoint converted from the upstream layout (weights
    of a freshly initialised model)."""
    from tests.test_apis.helpers import converted_checkpoint

    out_dir = tmp_path_factory.mktemp('hand4whole_checkpoint')
    return converted_checkpoint(str(out_dir), human_model_root)


#: The reference photo, mesh and render (``../shared/data`` next to the
#: checkout, or ``H4W_SHARED_DATA``); tests that need them skip without.
SHARED_DATA = os.environ.get(
    'H4W_SHARED_DATA', osp.join(osp.dirname(REPO_ROOT), 'shared', 'data')
)


@pytest.fixture(scope='session')
def shared_data() -> str:
    """Folder with ``input.png``, ``output.obj`` and
    ``reference_render.png``; skips the test when it is absent."""
    if not osp.isfile(osp.join(SHARED_DATA, 'output.obj')):
        pytest.skip(f'reference data not found in {SHARED_DATA}')
    return SHARED_DATA


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
