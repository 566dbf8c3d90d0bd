"""Evaluate one checkpoint on every benchmark its model supports and write
the metrics side by side (``eval_all.md``, ``eval_all.csv``).

The model is told from the checkpoint's weights (or its ``meta['model']``
when the weights do not tell): Hand4Whole runs EHF, AGORA val and
Human3.6M; Pose2Pose body runs 3DPW and Human3.6M; Pose2Pose hand runs
FreiHAND (``pred.json`` for the server, no metric); Pose2Pose face has no
benchmark. Each benchmark is its test config run in this process, as
``tools/test.py`` runs it. A benchmark whose data root is missing is
skipped (``--strict``: an error).

Examples:
    python tools/analysis_tools/eval_all.py CKPT
    python tools/analysis_tools/eval_all.py CKPT --benchmarks ehf agora_val \\
        --data-root ehf=/data/EHF agora_val=/data/AGORA/data \\
        --human-models /data/human_model_files --out-dir work_dirs/eval_all
"""

import argparse
import csv
import io
import os
import os.path as osp
import sys
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

# Configs may load plugins from projects/ (``custom_imports``): the
# repository root goes on sys.path, as in tools/test.py.
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from mmengine.config import Config, DictAction  # noqa: E402

#: benchmark -> {model: test config (relative to the repository root)}
BENCHMARKS = OrderedDict(
    ehf=dict(hand4whole='configs/hand4whole/hand4whole_res50_test_ehf.py'),
    agora_val=dict(
        hand4whole='configs/hand4whole/hand4whole_res50_test_agora.py'
    ),
    pw3d=dict(
        pose2pose_body='configs/pose2pose/pose2pose_body_res50_test_pw3d.py'
    ),
    h36m=dict(
        hand4whole='configs/hand4whole/hand4whole_res50_test_h36m.py',
        pose2pose_body='configs/pose2pose/pose2pose_body_res50_test_h36m.py',
    ),
    freihand=dict(
        pose2pose_hand=(
            'configs/pose2pose/pose2pose_hand_res50_test_freihand.py'
        )
    ),
)
MODEL_NAMES = (
    'hand4whole',
    'pose2pose_body',
    'pose2pose_hand',
    'pose2pose_face',
)
#: rows of the Pose2Pose rotation head's ``pose_out`` (6D per joint, as
#: the configs build it): 21 body joints (SMPL) or 15 finger joints (MANO)
P2P_POSE_ROWS = {21 * 6: 'pose2pose_body', 15 * 6: 'pose2pose_hand'}


def model_of_state_dict(state_dict: Dict) -> Optional[str]:
    """Which h4w model a state dict (h4w key names) belongs to.

    Hand4Whole has ``body_position_head.*``; Pose2Pose body and hand have
    ``position_head.*`` and ``head.pose_out.0.weight`` with 21 x 6 (SMPL
    body) or 15 x 6 (MANO fingers) rows; Pose2Pose face has
    ``head.expr_out.*`` and no position head.

    Returns:
        str | None: A name of :data:`MODEL_NAMES`, None when none fits.
    """
    keys = list(state_dict)
    if any(k.startswith('body_position_head.') for k in keys):
        return 'hand4whole'
    pose_out = state_dict.get('head.pose_out.0.weight')
    if any(k.startswith('position_head.') for k in keys):
        if pose_out is not None:
            return P2P_POSE_ROWS.get(int(pose_out.shape[0]))
        return None
    if any(k.startswith('head.expr_out.') for k in keys):
        return 'pose2pose_face'
    return None


def detect_model(checkpoint: str) -> str:
    """The model a checkpoint holds: from its weights, else from
    ``meta['model']`` (the converters record it).

    Raises:
        ValueError: Neither tells a model of :data:`MODEL_NAMES`; the
            message names the checkpoint.
    """
    from h4w.apis.checkpoint_conversion import extract_state_dict
    from h4w.engine.checkpoint import load_checkpoint_file

    loaded = load_checkpoint_file(checkpoint, map_location='cpu')
    state_dict = extract_state_dict(loaded)
    model = model_of_state_dict(state_dict)
    meta = loaded.get('meta') if isinstance(loaded, dict) else None
    if model is None and isinstance(meta, dict):
        if meta.get('model') in MODEL_NAMES:
            model = meta['model']
    if model is None:
        raise ValueError(
            f'{checkpoint}: the weights fit none of {", ".join(MODEL_NAMES)} '
            '(h4w key names expected: convert an upstream snapshot with '
            'tools/model_converters/hand4whole_release_to_h4w.py first)'
        )
    return model


def select_benchmarks(
    model: str, names: Optional[Sequence[str]] = None
) -> List[Tuple[str, str]]:
    """``(benchmark, config)`` of the benchmarks ``model`` supports, in
    :data:`BENCHMARKS` order, or of ``names`` only.

    Raises:
        ValueError: An unknown name, a name the model does not support,
            or a model without any benchmark (Pose2Pose face).
    """
    supported = [
        (name, configs[model])
        for name, configs in BENCHMARKS.items()
        if model in configs
    ]
    if not supported:
        raise ValueError(f'{model}: no benchmark evaluates this model')
    if names is None:
        return supported
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise ValueError(
            f'unknown benchmark(s) {unknown}; known: {list(BENCHMARKS)}'
        )
    unsupported = [n for n in names if model not in BENCHMARKS[n]]
    if unsupported:
        raise ValueError(
            f'{model} does not run {unsupported}; it runs '
            f'{[n for n, _ in supported]}'
        )
    return [(n, c) for n, c in supported if n in names]


def _set_model_paths(node, path: str) -> None:
    """Set every ``model_path`` (body models, metrics' body models)."""
    if isinstance(node, dict):
        if 'model_path' in node:
            node['model_path'] = path
        for value in node.values():
            _set_model_paths(value, path)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _set_model_paths(item, path)


def _evaluators(cfg: Config) -> list:
    evaluators = cfg.get('test_evaluator')
    if isinstance(evaluators, dict):
        return [evaluators]
    return list(evaluators or [])


def benchmark_config(
    name: str,
    config: str,
    checkpoint: str,
    work_dir: str,
    data_root: Optional[str] = None,
    human_models: Optional[str] = None,
    cfg_options: Optional[dict] = None,
) -> Tuple[Config, Optional[str]]:
    """The test config of one benchmark, ready for the runner.

    ``cfg_options`` first, then ``human_models`` (every ``model_path``)
    and ``data_root`` (``test_dataloader.dataset.data_root``). AGORA
    result pickles go to ``<work_dir>/predictions`` and their zip to
    ``<work_dir>/agora_predictions.zip``.

    Returns:
        tuple: The config and the missing data root (None when present).
    """
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    cfg.launcher = 'none'
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if human_models:
        _set_model_paths(cfg.model, human_models)
        _set_model_paths(_evaluators(cfg), human_models)
    dataset = cfg.test_dataloader.dataset
    if data_root:
        dataset.data_root = data_root
    loader = cfg.test_dataloader
    if loader.get('num_workers', 0) == 0:
        loader['persistent_workers'] = False
    for evaluator in _evaluators(cfg):
        if evaluator.get('type') == 'AGORAResultWriter':
            evaluator['out_dir'] = osp.join(work_dir, 'predictions')
            evaluator['zip_file'] = osp.join(work_dir, 'agora_predictions.zip')
    cfg.work_dir = work_dir
    cfg.load_from = checkpoint
    cfg.train_dataloader = None
    for key in ('train_cfg', 'optim_wrapper', 'param_scheduler'):
        cfg[key] = None
    # mmengine keeps one visualizer per name and process
    cfg.visualizer['name'] = f'eval_all_{name}_{os.getpid()}_{id(cfg)}'
    root = dataset.get('data_root')
    missing = root if root and not osp.exists(root) else None
    return cfg, missing


def format_table(results: Dict[str, dict], fmt: str = 'md') -> str:
    """The metrics side by side: a ``status`` row, then one row per
    metric (dataset prefix dropped), one column per benchmark; ``-``
    where a benchmark has no such metric.

    Args:
        results (dict): ``{benchmark: {'status': str, 'metrics': dict}}``.
        fmt (str): ``'md'`` (Markdown) or ``'csv'``.
    """
    names = list(results)
    rows = OrderedDict(status=[results[n]['status'] for n in names])
    for col, name in enumerate(names):
        for key, value in results[name]['metrics'].items():
            metric = key.split('/', 1)[-1]
            rows.setdefault(metric, ['-'] * len(names))
            rows[metric][col] = f'{value:.2f}'
    header = ['metric'] + names
    if fmt == 'csv':
        out = io.StringIO()
        writer = csv.writer(out, lineterminator='\n')
        writer.writerow(header)
        for metric, cells in rows.items():
            writer.writerow([metric] + cells)
        return out.getvalue()
    lines = [
        '| ' + ' | '.join(header) + ' |',
        '|' + '---|' * len(header),
    ]
    for metric, cells in rows.items():
        lines.append('| ' + ' | '.join([metric] + cells) + ' |')
    return '\n'.join(lines) + '\n'


def _key_values(values: Optional[Sequence[str]]) -> Dict[str, str]:
    out = {}
    for item in values or ():
        key, sep, value = item.partition('=')
        if not sep or key not in BENCHMARKS:
            raise ValueError(
                f'--data-root takes BENCHMARK=PATH with BENCHMARK one of '
                f'{list(BENCHMARKS)}, got "{item}"'
            )
        out[key] = value
    return out


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Evaluate a checkpoint on all its benchmarks.',
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('checkpoint', help='h4w checkpoint file')
    parser.add_argument(
        '--benchmarks',
        nargs='+',
        choices=list(BENCHMARKS),
        help='run these only (default: all the model supports)',
    )
    parser.add_argument(
        '--data-root',
        nargs='+',
        metavar='BENCHMARK=PATH',
        help="data root per benchmark (default: the config's)",
    )
    parser.add_argument(
        '--human-models',
        help='human-model root for the models and metrics (default: the '
        "configs' human_model_path)",
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of every benchmark config (key=value)',
    )
    parser.add_argument(
        '--out-dir',
        default='work_dirs/eval_all',
        help='tables and one work dir per benchmark (default: '
        'work_dirs/eval_all)',
    )
    parser.add_argument(
        '--strict',
        action='store_true',
        help='a missing data root is an error instead of a skip',
    )
    return parser.parse_args(argv)


def main(argv=None) -> Dict[str, dict]:
    """Run the benchmarks; return ``{benchmark: {'status', 'metrics',
    'missing'}}`` (what the tables show)."""
    from h4w.utils.config_utils import build_runner

    args = parse_args(argv)
    data_roots = _key_values(args.data_root)
    model = detect_model(args.checkpoint)
    selected = select_benchmarks(model, args.benchmarks)
    os.makedirs(args.out_dir, exist_ok=True)
    print(
        f'{args.checkpoint}: {model}; benchmarks: '
        f'{", ".join(n for n, _ in selected)}'
    )
    results = OrderedDict()
    for name, config in selected:
        cfg, missing = benchmark_config(
            name,
            config,
            args.checkpoint,
            osp.join(args.out_dir, name),
            data_root=data_roots.get(name),
            human_models=args.human_models,
            cfg_options=args.cfg_options,
        )
        if missing:
            if args.strict:
                raise FileNotFoundError(
                    f'{name}: data root {missing} does not exist'
                )
            print(f'{name}: skipped, data root {missing} does not exist')
            results[name] = dict(
                status=f'skipped (missing {missing})',
                metrics={},
                missing=missing,
            )
            continue
        metrics = build_runner(cfg).test() or {}
        results[name] = dict(
            status='ok' if metrics else 'ok (files only)',
            metrics=dict(metrics),
            missing=None,
        )
    table = format_table(results, 'md')
    with open(osp.join(args.out_dir, 'eval_all.md'), 'w') as f:
        f.write(f'# {osp.basename(args.checkpoint)} ({model})\n\n{table}')
    with open(osp.join(args.out_dir, 'eval_all.csv'), 'w') as f:
        f.write(format_table(results, 'csv'))
    print(f'\n{args.checkpoint} ({model})\n{table}')
    print(f'tables: {osp.join(args.out_dir, "eval_all.md")}, eval_all.csv')
    return results


if __name__ == '__main__':
    main()
