"""Config edits behind the flags of tools/train.py and tools/test.py."""

import argparse
import os
import os.path as osp
from typing import Optional, Sequence

from mmengine.config import Config, DictAction


def parse_runtime_args(
    parser: argparse.ArgumentParser, argv: Optional[Sequence[str]] = None
):
    """Add the flags both tools share (``--cfg-options``, ``--launcher``,
    ``--local-rank``), parse, and export ``LOCAL_RANK`` for mmengine."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings as key=value pairs, e.g. '
        'train_cfg.max_epochs=3 optim_wrapper.optimizer.lr=1e-5',
    )
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm'],
        default='none',
        help='job launcher; without CUDA the gloo backend is used',
    )
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def fill_codec(cfg: Config) -> Config:
    """Give the model's codec to every pipeline transform that takes one.

    The crop geometry is written once, as ``model.codec`` (the model base
    config); dataset configs list their transforms without it. For each
    transform of the train / val / test pipelines (wrappers and mixed
    datasets included) whose class has a ``codec`` argument and whose
    config does not set it, this sets ``codec=model.codec``. The tools
    call it after ``--cfg-options``; call it yourself when you build
    datasets from a config outside the tools.

    Returns:
        Config: ``cfg``, edited in place.
    """
    import inspect

    from h4w.registry import TRANSFORMS

    codec = cfg.get('model', {}).get('codec')
    if codec is None:
        return cfg
    if cfg.get('custom_imports'):  # plugin transforms register here
        from mmengine.utils import import_modules_from_strings

        import_modules_from_strings(**cfg['custom_imports'])

    def visit(node) -> None:
        if isinstance(node, (list, tuple)):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            for transform in node.get('pipeline', None) or ():
                cls = TRANSFORMS.get(transform.get('type', ''))
                params = inspect.signature(cls).parameters if cls else {}
                if 'codec' in params and 'codec' not in transform:
                    transform['codec'] = codec
            for value in node.values():
                visit(value)

    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        visit(cfg.get(key))
    return cfg


def build_runner(cfg: Config):
    """Build the runner named by ``cfg.runner_type`` (h4w: H4WRunner),
    after :func:`fill_codec`."""
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    from h4w.registry import RUNNERS

    init_default_scope(cfg.get('default_scope', 'h4w'))
    fill_codec(cfg)

    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)


def apply_common_args(cfg: Config, args) -> None:
    """Apply the flags both tools share: ``--launcher``, ``--cfg-options``
    and ``--work-dir`` (default ``./work_dirs/<config name>``)."""
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader and loader.get('num_workers', 0) == 0:
            # torch refuses persistent workers without workers
            loader['persistent_workers'] = False
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join(
            './work_dirs', osp.splitext(osp.basename(args.config))[0]
        )


def apply_amp(cfg: Config) -> None:
    """Train with bf16 autocast (mmengine ``AmpOptimWrapper``)."""
    import torch

    if not torch.cuda.is_available():
        raise SystemExit(
            "--amp needs a CUDA device (mmengine's "
            'AmpOptimWrapper does not run on the CPU)'
        )
    optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if optim_wrapper == 'AmpOptimWrapper':
        return
    if optim_wrapper != 'OptimWrapper':
        raise SystemExit(
            f'--amp replaces OptimWrapper, but the config uses {optim_wrapper}'
        )
    cfg.optim_wrapper.type = 'AmpOptimWrapper'
    cfg.optim_wrapper.dtype = 'bfloat16'


def apply_auto_scale_lr(cfg: Config) -> None:
    if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
        raise SystemExit(
            '--auto-scale-lr needs `auto_scale_lr = dict('
            'base_batch_size=...)` in the config'
        )
    cfg.auto_scale_lr.enable = True


def apply_show_dir(cfg: Config, show_dir: str) -> None:
    """Switch on the visualization hook and point it at ``show_dir``."""
    hooks = cfg.get('default_hooks', {})
    if 'visualization' not in hooks:
        raise SystemExit(
            '--show-dir needs a `visualization` hook in default_hooks; this '
            'config has none (mesh recipes define it)'
        )
    hooks.visualization.enable = True
    hooks.visualization.out_dir = osp.expanduser(show_dir)
