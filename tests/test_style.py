"""House style: ruff (pyproject.toml settings) over the whole repository."""
import shutil
import subprocess

import pytest

from tests.conftest import REPO_ROOT


def test_ruff_is_clean():
    ruff = shutil.which('ruff')
    if ruff is None:
        pytest.fail('ruff is missing: pip install -e ".[tests]"')
    proc = subprocess.run([ruff, 'check', '.'], cwd=REPO_ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
