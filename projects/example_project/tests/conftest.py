"""Fixtures of the example-project tests: the example dataset, written
once per session from synthetic people."""

import os

import pytest

from projects.example_project.example_data import write_example_dataset


# TEMPORARY: the repository-root conftest.py provides `human_model_root`
# once it is merged; remove this fallback fixture then.
@pytest.fixture(scope='session')
def human_model_root() -> str:
    """Synthetic ``human_model_files`` (``H4W_TEST_HUMAN_MODELS``)."""
    return os.environ['H4W_TEST_HUMAN_MODELS']


@pytest.fixture(scope='session')
def example_data_root(tmp_path_factory, human_model_root) -> str:
    """The example dataset with its default sizes (6 training and 3 val
    images, seed 0)."""
    root = tmp_path_factory.mktemp('example_project') / 'data'
    return write_example_dataset(str(root), human_model_root)
