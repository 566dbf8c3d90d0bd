"""Print the fully merged config, e.g.
``python tools/analysis_tools/print_config.py CONFIG --cfg-options k=v``."""

import argparse
import os.path as osp
import sys

# Configs may load plugins from projects/ (``custom_imports``): the
# repository root goes on sys.path, as the launchers' PYTHONPATH
# puts it (mmdet style).
sys.path.insert(
    0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
)

from mmengine.config import Config, DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Print the whole config after inheritance and overrides.'
    )
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. train_cfg.max_epochs=3',
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    print(f'Config:\n{cfg.pretty_text}')


if __name__ == '__main__':
    main()
