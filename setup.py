"""Install h4w: ``pip install -e .`` (extras: ``viz``, ``tests``,
``deploy``, ``all``)."""

import os.path as osp
from importlib import metadata

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(name: str) -> list:
    """Read ``requirements/<name>.txt`` without comments or blank lines."""
    with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


def runtime_requirements() -> list:
    """Runtime requirements; a full ``mmcv`` install replaces mmcv-lite
    (both provide the ``mmcv`` package, so never install both)."""
    requirements = read_requirements('runtime')
    try:
        metadata.version('mmcv')
    except metadata.PackageNotFoundError:
        return requirements
    return [r for r in requirements if not r.startswith('mmcv-lite')]


def read_version() -> str:
    namespace = {}
    with open(osp.join(HERE, 'h4w', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


extras = {
    'viz': read_requirements('optional'),
    'tests': read_requirements('tests'),
    'deploy': read_requirements('deploy'),
}
extras['all'] = extras['viz'] + extras['tests'] + extras['deploy']

setup(
    name='h4w',
    version=read_version(),
    description='MMEngine-style whole-body 3D human mesh estimation '
    '(Hand4Whole, Pose2Pose)',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    python_requires='>=3.9',
    packages=find_packages(
        exclude=(
            'tests',
            'tests.*',
            'configs',
            'tools',
            'projects',
            'projects.*',
        )
    ),
    install_requires=runtime_requirements(),
    extras_require=extras,
    zip_safe=False,
)
