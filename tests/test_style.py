"""House style: ruff lint (with import sorting) and ruff format, with the
pyproject.toml settings, over the whole repository."""

import shutil
import subprocess

import pytest

from tests.conftest import REPO_ROOT


def _ruff(*args: str) -> subprocess.CompletedProcess:
    ruff = shutil.which('ruff')
    if ruff is None:
        pytest.fail('ruff is missing: pip install -e ".[tests]"')
    return subprocess.run(
        [ruff, *args], cwd=REPO_ROOT, capture_output=True, text=True
    )


def test_ruff_lint_is_clean():
    proc = _ruff('check', '.')
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_is_clean():
    proc = _ruff('format', '--check', '.')
    assert proc.returncode == 0, (
        'run `ruff format .` on:\n' + proc.stdout + proc.stderr
    )
