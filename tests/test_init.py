import subprocess
import sys

import pytest

import h4w


def _modules_after(statement: str, prefixes) -> list:
    """Modules starting with one of ``prefixes`` that ``statement`` loads in
    a fresh interpreter."""
    code = (
        f'import sys; {statement}; '
        f'print(sorted(m for m in sys.modules if m.startswith({prefixes!r})))'
    )
    out = subprocess.run(
        [sys.executable, '-c', code],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return eval(out.strip().splitlines()[-1])


def test_import_is_cheap():
    """`import h4w` loads neither torch nor mmengine (speed is measured by
    nothing here: loading no heavy module is what keeps it fast)."""
    heavy = ('torch', 'mmengine', 'mmcv', 'smplx')
    assert _modules_after('import h4w', heavy) == []


def test_layers_only_look_down():
    """Datasets, metrics and the shared body-model data never import
    ``h4w.models`` (DESIGN.md: layers only look down)."""
    statement = 'import h4w.body_models, h4w.datasets, h4w.evaluation'
    assert _modules_after(statement, ('h4w.models',)) == []
    # the check itself can fail: importing the models is seen
    assert _modules_after('import h4w.models', ('h4w.models',))


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
