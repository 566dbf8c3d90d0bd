"""h4w: whole-body 3D human mesh estimation on MMEngine.

Importing :mod:`h4w` is cheap: it reads installed package versions from
their metadata and imports neither torch nor mmengine. Sub-packages are
imported lazily by the registries (``locations``) or explicitly.
"""

import re
from importlib import metadata

from .version import __version__

MMENGINE_RANGE = ('0.10.4', '1.0.0')
MMCV_RANGE = ('2.0.0', '2.3.0')


def _parse(version: str) -> tuple:
    """'2.2.0rc1' -> (2, 2, 0); enough for range checks."""
    parts = []
    for piece in version.split('.')[:3]:
        digits = re.match(r'\d*', piece).group()
        parts.append(int(digits or 0))
    return tuple(parts + [0] * (3 - len(parts)))


def _installed_version(*dist_names: str):
    for name in dist_names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def _check_version(label: str, dist_names: tuple, version_range: tuple):
    version = _installed_version(*dist_names)
    low, high = version_range
    hint = (
        f'Install a compatible version with: pip install '
        f'"{dist_names[0]}>={low},<{high}" (or `pip install -e .` in '
        'the h4w checkout).'
    )
    if version is None:
        raise ImportError(
            f'h4w needs {label} but it is not installed. ' + hint
        )
    if not _parse(low) <= _parse(version) < _parse(high):
        raise ImportError(
            f'h4w needs {label}>={low},<{high} but found {version}. ' + hint
        )


_check_version('mmengine', ('mmengine',), MMENGINE_RANGE)
_check_version('mmcv (mmcv-lite or mmcv)', ('mmcv-lite', 'mmcv'), MMCV_RANGE)

__all__ = ['__version__']
