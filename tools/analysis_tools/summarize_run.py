"""Summarise a training run from its work dir: the validation metrics
before training (epoch 0, written by ``ValidateBeforeTrainHook``), at the
best epoch and at the last one, and the training speed.

It reads the ``vis_data/scalars.json`` files that mmengine's
``LocalVisBackend`` writes under ``WORK_DIR/<timestamp>/`` (every run of
the work dir, resumed ones included) and the config dumped into the work
dir (for the batch size).

example:
  python tools/analysis_tools/summarize_run.py \\
      work_dirs/quickstart_synthetic --metric Synthetic/MPVPE_all
"""

import argparse
import glob
import json
import os.path as osp
import sys
from typing import Dict, List, Optional, Tuple


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('work_dir', help='work dir of a training run')
    parser.add_argument(
        '--metric',
        default=None,
        help='metric that picks the best epoch (lower is better); '
        'default: the first metric of the validation records',
    )
    parser.add_argument(
        '--batch-size',
        type=int,
        default=None,
        help='samples per iteration and process (default: '
        'train_dataloader.batch_size of the config in the work dir)',
    )
    return parser.parse_args(argv)


def read_records(work_dir: str) -> Tuple[List[dict], List[dict]]:
    """Training and validation records of every run of ``work_dir``, in
    time order.

    Raises:
        FileNotFoundError: The work dir has no ``scalars.json``.
    """
    paths = sorted(
        glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    )
    if not paths:
        raise FileNotFoundError(
            f'no */vis_data/scalars.json in {work_dir}: is it the work dir '
            'of a training run?'
        )
    train, val = [], []
    for path in paths:
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if 'loss' in record:
                    train.append(record)
                elif any('/' in key for key in record):
                    val.append(record)
    return train, val


def metric_keys(record: dict) -> List[str]:
    """Metric names of a validation record (``<prefix>/<name>``)."""
    return [key for key in record if '/' in key]


def config_batch_size(work_dir: str) -> Optional[int]:
    """``train_dataloader.batch_size`` of the config mmengine dumped into
    the work dir, or None."""
    from mmengine.config import Config

    for path in sorted(glob.glob(osp.join(work_dir, '*.py'))):
        try:
            cfg = Config.fromfile(path)
        except Exception:  # not a config
            continue
        loader = cfg.get('train_dataloader') or {}
        if 'batch_size' in loader:
            return int(loader['batch_size'])
    return None


def summarize(
    train: List[dict],
    val: List[dict],
    metric: Optional[str] = None,
    batch_size: Optional[int] = None,
) -> Dict[str, object]:
    """Before / best / last validation records and the training speed.

    Returns:
        dict: ``metric``, ``before`` (the epoch-0 record or None),
        ``best`` and ``last`` records, ``iter_time`` (mean seconds per
        training iteration, without the first of each run) and
        ``samples_per_s`` (None without a batch size).
    """
    if not val:
        raise ValueError('the run has no validation records')
    metric = metric or metric_keys(val[-1])[0]
    scored = [r for r in val if metric in r]
    if not scored:
        raise ValueError(
            f'no validation record has {metric!r} (it has '
            f'{metric_keys(val[-1])})'
        )
    before = next((r for r in scored if r.get('step') == 0), None)
    times = [r['time'] for r in train[1:] if 'time' in r]
    iter_time = sum(times) / len(times) if times else None
    return dict(
        metric=metric,
        before=before,
        best=min(scored, key=lambda r: r[metric]),
        last=scored[-1],
        iter_time=iter_time,
        samples_per_s=(
            batch_size / iter_time if batch_size and iter_time else None
        ),
    )


def format_summary(summary: Dict[str, object]) -> str:
    """The summary as lines of text: one line per metric with its value
    before training, at the best epoch and at the last one."""
    best, last, before = summary['best'], summary['last'], summary['before']
    lines = [
        f'best epoch by {summary["metric"]}: {best["step"]} '
        f'(last: {last["step"]})',
        f'{"metric":<28}{"before":>10}{"best":>10}{"last":>10}',
    ]
    for key in metric_keys(last):
        start = f'{before[key]:10.2f}' if before and key in before else ''
        lines.append(
            f'{key:<28}{start:>10}{best.get(key, float("nan")):10.2f}'
            f'{last[key]:10.2f}'
        )
    if summary['iter_time'] is not None:
        speed = f'training: {summary["iter_time"]:.3f} s/iteration'
        if summary['samples_per_s'] is not None:
            speed += f', {summary["samples_per_s"]:.1f} samples/s'
        lines.append(speed)
    return '\n'.join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        train, val = read_records(args.work_dir)
        batch_size = args.batch_size or config_batch_size(args.work_dir)
        summary = summarize(train, val, args.metric, batch_size)
    except (FileNotFoundError, ValueError) as err:
        print(f'error: {args.work_dir}: {err}', file=sys.stderr)
        return 1
    print(format_summary(summary))
    return 0


if __name__ == '__main__':
    sys.exit(main())
