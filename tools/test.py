"""Evaluate a checkpoint on the test set of a config.

Examples:
    python tools/test.py CONFIG CHECKPOINT
    python tools/test.py CONFIG CHECKPOINT --out results.pkl
    tools/dist_test.sh CONFIG CHECKPOINT 4
"""

import argparse
import os.path as osp
import sys

# Configs may load plugins from projects/ (``custom_imports``): the
# repository root goes on sys.path, as the launchers' PYTHONPATH
# puts it (mmdet style).
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import Config

from h4w.utils.config_utils import (
    apply_common_args,
    apply_show_dir,
    build_runner,
    parse_runtime_args,
)
from h4w.utils.dist_utils import close_dist


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Test (evaluate) an h4w model.',
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='where the evaluation log and metrics go (default: '
        './work_dirs/<config name>)',
    )
    parser.add_argument(
        '--out', help='dump the predictions (data samples) to this pickle file'
    )
    parser.add_argument(
        '--show-dir',
        help='write visualizations of the predictions to this folder',
    )
    return parse_runtime_args(parser, argv)


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Fold the command-line flags into the config."""
    apply_common_args(cfg, args)
    cfg.load_from = args.checkpoint
    if cfg.get('train_dataloader') is None:
        # a test config inherits a schedule; the Runner wants the training
        # parts all set or all unset
        for key in ('train_cfg', 'optim_wrapper', 'param_scheduler'):
            cfg[key] = None
    if args.show_dir:
        apply_show_dir(cfg, args.show_dir)
    if args.out:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--out must be a .pkl file, got {args.out}')
        evaluators = cfg.test_evaluator
        if not isinstance(evaluators, (list, tuple)):
            evaluators = [evaluators]
        cfg.test_evaluator = list(evaluators) + [
            dict(type='DumpResults', out_file_path=args.out)
        ]
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    runner = build_runner(cfg)
    runner.test()
    close_dist()  # every rank ends here, then the group goes


if __name__ == '__main__':
    main()
