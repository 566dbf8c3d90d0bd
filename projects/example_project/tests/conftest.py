"""Fixtures of the example-project tests: the example dataset, written
once per session from synthetic people (``human_model_root`` comes
from the repository-root ``conftest.py``)."""

import pytest

from projects.example_project.example_data import write_example_dataset


@pytest.fixture(scope='session')
def example_data_root(tmp_path_factory, human_model_root) -> str:
    """The example dataset with its default sizes (6 training and 3 val
    images, seed 0)."""
    root = tmp_path_factory.mktemp('example_project') / 'data'
    return write_example_dataset(str(root), human_model_root)
