import subprocess
import sys
import time

import pytest

import h4w


def test_import_is_cheap():
    """`import h4w` loads neither torch nor mmengine and takes < 2 s."""
    code = (
        'import sys, time; t = time.time(); import h4w; '
        'print(time.time() - t); '
        'print(sorted(m for m in ("torch", "mmengine", "mmcv", "smplx")'
        ' if m in sys.modules))'
    )
    start = time.time()
    out = subprocess.run(
        [sys.executable, '-c', code],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split('\n')
    assert time.time() - start < 2.0
    assert float(out[0]) < 1.0
    assert out[1] == '[]'


def test_version_guard_message(monkeypatch):
    def fake_version(name):
        if name == 'mmengine':
            return '0.9.0'
        raise h4w.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(h4w.metadata, 'version', fake_version)
    with pytest.raises(
        ImportError,
        match=r'mmengine>=0\.10\.4,<1\.0\.0 but '
        r'found 0\.9\.0.*pip install',
    ):
        h4w._check_version('mmengine', ('mmengine',), h4w.MMENGINE_RANGE)
    with pytest.raises(ImportError, match='mmcv-lite or mmcv.*not installed'):
        h4w._check_version(
            'mmcv (mmcv-lite or mmcv)', ('mmcv-lite', 'mmcv'), h4w.MMCV_RANGE
        )


@pytest.mark.parametrize(
    'text,expected',
    [
        ('2.2.0', (2, 2, 0)),
        ('0.10.7', (0, 10, 7)),
        ('2.1.0rc1', (2, 1, 0)),
        ('1.0', (1, 0, 0)),
    ],
)
def test_parse_version(text, expected):
    assert h4w._parse(text) == expected
