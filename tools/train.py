"""Train a model from a config.

Examples:
    python tools/train.py configs/quickstart/pose_lifter_smoke.py
    python tools/train.py CONFIG --resume                # newest checkpoint
    python tools/train.py CONFIG --resume work_dirs/x/epoch_2.pth
    tools/dist_train.sh CONFIG 4                        # 4 GPUs (torchrun)
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
    apply_amp,
    apply_auto_scale_lr,
    apply_common_args,
    apply_show_dir,
    build_runner,
    parse_runtime_args,
)
from h4w.utils.dist_utils import close_dist


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Train an h4w model.',
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--work-dir',
        help='where logs and checkpoints go (default: '
        './work_dirs/<config name>)',
    )
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or without a value from '
        'the newest checkpoint of the work dir (optimizer, scheduler and '
        'epoch included)',
    )
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic mixed precision (bf16 autocast; needs a GPU)',
    )
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training',
    )
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the actual total batch size '
        '(needs `auto_scale_lr.base_batch_size` in the config)',
    )
    parser.add_argument(
        '--show-dir',
        help='write visualizations of the validation results to this folder',
    )
    return parse_runtime_args(parser, argv)


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Fold the command-line flags into the config."""
    apply_common_args(cfg, args)
    if args.amp:
        apply_amp(cfg)
    if args.auto_scale_lr:
        apply_auto_scale_lr(cfg)
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    if args.show_dir:
        apply_show_dir(cfg, args.show_dir)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    runner = build_runner(cfg)
    runner.train()
    close_dist()  # every rank ends here, then the group goes


if __name__ == '__main__':
    main()
