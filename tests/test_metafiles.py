"""The model-zoo files of each config folder (STYLE.md items 8 and 23):
``metafile.yml`` (mmpose format) and ``README.md`` agree with the configs.

Each check is a function that returns a list of problems; the tests run
them on the real files (no problem allowed) and on broken copies (each
check must report the break).

Configs without data (neither a ``train_dataloader`` nor a
``test_evaluator``, e.g. ``hand4whole_res50.py``) are model bases that
are never trained or tested by themselves, so the metafile leaves them
out; the README still names them.
"""

import copy
import functools
import glob
import os.path as osp
from typing import Dict, List, Optional, Sequence

import pytest
import yaml
from mmengine.config import Config
from mmengine.registry import init_default_scope

from h4w.registry import METRICS

from tests.conftest import REPO_ROOT

#: Config folders with a model zoo (``configs/quickstart`` holds a smoke
#: job, not a model).
ZOO_FOLDERS = ('hand4whole', 'pose2pose')

COLLECTION_KEYS = ('Name', 'Paper', 'README')
MODEL_KEYS = (
    'Name',
    'Config',
    'In Collection',
    'Metadata',
    'Results',
    'Weights',
)
METADATA_KEYS = ('Architecture', 'Training Data', 'Input Size')
#: Extra Metadata of the configs that train (checked against the config).
RECIPE_KEYS = (
    'Training Resources',
    'Batch Size',
    'Epochs',
    'Learning Rate',
    'LR Milestones',
)
RESULT_KEYS = ('Task', 'Dataset', 'Metrics')


def folder_path(folder: str) -> str:
    return osp.join(REPO_ROOT, 'configs', folder)


def load_metafile(folder: str) -> dict:
    with open(osp.join(folder_path(folder), 'metafile.yml')) as f:
        return yaml.safe_load(f)


def read_readme(folder: str) -> str:
    with open(osp.join(folder_path(folder), 'README.md')) as f:
        return f.read()


@functools.lru_cache(maxsize=None)
def load_config(rel_path: str) -> Config:
    return Config.fromfile(osp.join(REPO_ROOT, rel_path))


def folder_configs(folder: str) -> List[str]:
    """Repo-relative paths of the folder's configs (no ``_`` files)."""
    return sorted(
        osp.relpath(path, REPO_ROOT)
        for path in glob.glob(osp.join(folder_path(folder), '*.py'))
        if not osp.basename(path).startswith('_')
    )


def is_trained(cfg: Config) -> bool:
    return bool(cfg.get('train_dataloader'))


def is_runnable(cfg: Config) -> bool:
    """A recipe or a test config: it has training data or an evaluator."""
    return is_trained(cfg) or bool(cfg.get('test_evaluator'))


def as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def structure_problems(meta: dict, folder: str) -> List[str]:
    """Required keys and types; every ``Config`` and ``README`` exists."""
    problems = []
    collections = meta.get('Collections') if isinstance(meta, dict) else None
    models = meta.get('Models') if isinstance(meta, dict) else None
    if not collections or not isinstance(collections, list):
        return ['no Collections list']
    if not models or not isinstance(models, list):
        return ['no Models list']
    names = set()
    for collection in collections:
        missing = [k for k in COLLECTION_KEYS if k not in collection]
        if missing:
            problems.append(f'collection {collection}: missing {missing}')
            continue
        names.add(collection['Name'])
        paper = collection['Paper']
        if not isinstance(paper, dict) or not {'Title', 'URL'} <= set(paper):
            problems.append(f'{collection["Name"]}: Paper needs Title, URL')
        if not osp.isfile(osp.join(REPO_ROOT, collection['README'])):
            problems.append(f'README {collection["README"]} does not exist')
    seen = set()
    for model in models:
        missing = [k for k in MODEL_KEYS if k not in model]
        if missing:
            problems.append(f'model {model.get("Name")}: missing {missing}')
            continue
        name, config = model['Name'], model['Config']
        if name in seen:
            problems.append(f'{name}: listed twice')
        seen.add(name)
        if not osp.isfile(osp.join(REPO_ROOT, config)):
            problems.append(f'{name}: Config {config} does not exist')
        if osp.dirname(config) != f'configs/{folder}':
            problems.append(f'{name}: Config {config} not in {folder}')
        if osp.splitext(osp.basename(config))[0] != name:
            problems.append(f'{name}: Name is not the config name')
        if model['In Collection'] not in names:
            problems.append(f'{name}: unknown collection')
        metadata = model['Metadata'] or {}
        for key in METADATA_KEYS:
            if not metadata.get(key):
                problems.append(f'{name}: Metadata has no {key}')
        if not isinstance(model['Results'], list):
            problems.append(f'{name}: Results is not a list')
        else:
            for result in model['Results']:
                problems += result_structure_problems(name, result)
        weights = model['Weights']
        if weights is not None and not str(weights).startswith('https://'):
            problems.append(f'{name}: Weights is neither null nor a URL')
    return problems


def result_structure_problems(name: str, result: dict) -> List[str]:
    missing = [k for k in RESULT_KEYS if k not in result]
    if missing:
        return [f'{name}: a result misses {missing}']
    metrics = result['Metrics']
    if not isinstance(metrics, dict) or not metrics:
        return [f'{name}: Metrics is not a non-empty mapping']
    return [
        f'{name}: {key} is not a number'
        for key, value in metrics.items()
        if isinstance(value, bool) or not isinstance(value, (int, float))
    ]


def coverage_problems(meta: dict, folder: str) -> List[str]:
    """Every recipe and test config of the folder has a Models entry."""
    listed = {model['Config'] for model in meta['Models']}
    return [
        f'{path} is a recipe or test config but not in the metafile'
        for path in folder_configs(folder)
        if is_runnable(load_config(path)) and path not in listed
    ]


def readme_problems(
    meta: dict, folder: str, readme: Optional[str] = None
) -> List[str]:
    """The README names every metafile config and every folder config."""
    text = read_readme(folder) if readme is None else readme
    paths = {model['Config'] for model in meta['Models']}
    paths.update(folder_configs(folder))
    return [
        f'README.md does not mention {osp.basename(path)}'
        for path in sorted(paths)
        if osp.basename(path) not in text
    ]


def input_size(cfg: Config) -> str:
    height, width = cfg.model.codec.input_size
    return f'{height}x{width}'


def multistep_milestones(cfg: Config) -> Optional[list]:
    for scheduler in as_list(cfg.get('param_scheduler')):
        if scheduler.get('type') == 'MultiStepLR':
            return list(scheduler['milestones'])
    return None


def recipe_problems(meta: dict) -> List[str]:
    """Input size, and for recipes batch, GPUs, epochs, lr and milestones,
    are those of the config."""
    problems = []
    for model in meta['Models']:
        name, metadata = model['Name'], model['Metadata']
        cfg = load_config(model['Config'])
        if metadata.get('Input Size') != input_size(cfg):
            problems.append(f'{name}: Input Size is not {input_size(cfg)}')
        if not is_trained(cfg):
            continue
        missing = [k for k in RECIPE_KEYS if k not in metadata]
        if missing:
            problems.append(f'{name}: recipe Metadata misses {missing}')
            continue
        batch = cfg.train_dataloader.batch_size
        expected = {
            'Batch Size': batch,
            'Epochs': cfg.train_cfg.max_epochs,
            'Learning Rate': cfg.optim_wrapper.optimizer.lr,
            'LR Milestones': multistep_milestones(cfg),
        }
        auto_scale_lr = cfg.get('auto_scale_lr') or {}
        if 'base_batch_size' in auto_scale_lr:
            gpus = auto_scale_lr['base_batch_size'] // batch
            expected['Training Resources'] = f'{gpus} GPUs'
        for key, value in expected.items():
            if metadata[key] != value:
                problems.append(
                    f'{name}: {key} is {metadata[key]!r}, the config says '
                    f'{value!r}'
                )
    return problems


@functools.lru_cache(maxsize=None)
def printed_keys(config: str) -> Dict[str, Sequence[str]]:
    """Prefix -> metric names of each metric that the config's test (else
    val) evaluator builds, read from the metric instances."""
    init_default_scope('h4w')
    cfg = load_config(config)
    evaluator = cfg.get('test_evaluator') or cfg.get('val_evaluator')
    keys = {}
    for metric_cfg in as_list(evaluator):
        metric = METRICS.build(copy.deepcopy(metric_cfg))
        names = list(getattr(metric, 'metric_names', ()))
        keys[metric.prefix] = keys.get(metric.prefix, []) + names
    return keys


def metric_problems(meta: dict) -> List[str]:
    """Each result's Dataset is the prefix of a metric of the config's
    evaluator, and its Metrics are among that metric's printed keys."""
    problems = []
    for model in meta['Models']:
        keys = printed_keys(model['Config'])
        for result in model['Results']:
            dataset = result['Dataset']
            if dataset not in keys:
                problems.append(
                    f'{model["Name"]}: no metric with prefix {dataset!r} '
                    f'(evaluator prefixes: {sorted(keys)})'
                )
                continue
            for key in result['Metrics']:
                if key not in keys[dataset]:
                    problems.append(
                        f'{model["Name"]}: {dataset} prints no {key!r} '
                        f'(it prints {keys[dataset]})'
                    )
    return problems


@pytest.mark.parametrize('folder', ZOO_FOLDERS)
def test_metafile_structure(folder):
    assert structure_problems(load_metafile(folder), folder) == []


@pytest.mark.parametrize('folder', ZOO_FOLDERS)
def test_metafile_lists_every_recipe_and_test_config(folder):
    assert coverage_problems(load_metafile(folder), folder) == []


@pytest.mark.parametrize('folder', ZOO_FOLDERS)
def test_readme_mentions_every_config(folder):
    assert readme_problems(load_metafile(folder), folder) == []


@pytest.mark.parametrize('folder', ZOO_FOLDERS)
def test_metadata_matches_the_configs(folder):
    assert recipe_problems(load_metafile(folder)) == []


@pytest.mark.parametrize('folder', ZOO_FOLDERS)
def test_result_metrics_are_printed_keys(folder):
    assert metric_problems(load_metafile(folder)) == []


# Broken copies: every check reports its kind of break.


def _first(meta: dict, with_results: bool = False) -> dict:
    models = meta['Models']
    if with_results:
        models = [m for m in models if m['Results']]
    return models[0]


def _trained(meta: dict) -> dict:
    return next(
        m for m in meta['Models'] if is_trained(load_config(m['Config']))
    )


def _drop_weights(meta):
    del _first(meta)['Weights']


def _missing_config(meta):
    _first(meta)['Config'] = 'configs/hand4whole/no_such_config.py'


def _missing_readme(meta):
    meta['Collections'][0]['README'] = 'configs/hand4whole/NOPE.md'


def _bad_metric_value(meta):
    result = _first(meta, with_results=True)['Results'][0]
    result['Metrics'] = {k: 'n/a' for k in result['Metrics']}


def _no_input_size(meta):
    del _first(meta)['Metadata']['Input Size']


@pytest.mark.parametrize(
    'breaks',
    [
        _drop_weights,
        _missing_config,
        _missing_readme,
        _bad_metric_value,
        _no_input_size,
    ],
)
def test_structure_check_fails_on_broken_metafile(breaks):
    meta = load_metafile('hand4whole')
    breaks(meta)
    assert structure_problems(meta, 'hand4whole')


@pytest.mark.parametrize('folder', ZOO_FOLDERS)
def test_coverage_check_fails_when_a_config_is_missing(folder):
    meta = load_metafile(folder)
    dropped = meta['Models'].pop()
    problems = coverage_problems(meta, folder)
    assert problems and dropped['Config'] in problems[0]


@pytest.mark.parametrize('folder', ZOO_FOLDERS)
def test_readme_check_fails_when_a_config_is_not_named(folder):
    meta = load_metafile(folder)
    name = osp.basename(_first(meta)['Config'])
    readme = read_readme(folder).replace(name, 'a config')
    assert readme_problems(meta, folder, readme)


@pytest.mark.parametrize(
    'key, value',
    [
        ('Batch Size', 1),
        ('Epochs', 999),
        ('Learning Rate', 0.5),
        ('LR Milestones', [1]),
        ('Training Resources', '99 GPUs'),
        ('Input Size', '1x1'),
    ],
)
def test_recipe_check_fails_on_a_wrong_value(key, value):
    meta = load_metafile('hand4whole')
    _trained(meta)['Metadata'][key] = value
    assert recipe_problems(meta)


@pytest.mark.parametrize('folder', ZOO_FOLDERS)
def test_metric_check_fails_on_unknown_key_or_dataset(folder):
    meta = load_metafile(folder)
    result = _first(meta, with_results=True)['Results'][0]
    result['Metrics'] = {'PA-MPVPE_everything': 1.0}
    assert metric_problems(meta)
    result['Metrics'] = {'MPJPE': 1.0}
    result['Dataset'] = 'NoSuchBenchmark'
    assert metric_problems(meta)
