"""Fixtures shared by the core tests (``tests/``) and the tests of the
plugins (``projects/*/tests/``): the synthetic human-model tree, the
repository root and the reference photo. Pytest loads this file for every
test under the repository root.

The synthetic human-model tree (~1.5 GB) is written once per test session
(per worker with ``pytest -n``). Set
``H4W_TEST_HUMAN_MODELS=/path/to/human_model_files`` to reuse a tree
written by ``tools/misc/make_synthetic_human_models.py``.
"""

import os
import os.path as osp

import pytest

REPO_ROOT = osp.dirname(osp.abspath(__file__))

if os.environ.get('PYTEST_XDIST_WORKER'):
    # pytest -n 2: the workers share the cores, one thread each (and in
    # the tools they run), instead of oversubscribing them
    os.environ['OMP_NUM_THREADS'] = '1'
    import torch

    torch.set_num_threads(1)


#: The longest test modules, longest first, started in this order (the
#: rest follow in collection order). ``pyproject.toml`` runs the suite
#: with ``--dist loadscope``: a worker takes a whole module (its module
#: fixtures are built once) and the next one when it is nearly done, so
#: these spread over the two workers of ``pytest -n 2``, which finish
#: together.
SLOW_FIRST = (
    'tests/test_tools/test_quickstart.py',
    'tests/test_tools/test_train_recipes.py',
    'tests/test_tools/test_train_test.py',
    'projects/example_project/tests/test_example_configs.py',
    'tests/test_tools/test_benchmark_configs.py',
    'tests/test_tools/test_human_data_recipe.py',
    'tests/test_projects/test_plugin_guide.py',
    'tests/test_tools/test_eval_all.py',
    'tests/test_tools/test_show_dir.py',
)


def pytest_collection_modifyitems(config, items):
    def rank(item):
        for i, prefix in enumerate(SLOW_FIRST):
            if item.nodeid.startswith(prefix):
                return i
        return len(SLOW_FIRST)

    items.sort(key=rank)


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
    """The repository root (run the tools from there)."""
    return REPO_ROOT


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


@pytest.fixture(scope='session')
def reference_photo_or_none():
    """``input.png`` of the shared data, or None when it is absent (for
    tests that then use a generated image instead of skipping)."""
    path = osp.join(SHARED_DATA, 'input.png')
    return path if osp.isfile(path) else None
