"""Convert a released Hand4Whole / Pose2Pose checkpoint to an h4w one.

The reference saves ``{'epoch', 'network', 'optimizer'}`` in a
``.pth.tar`` file, the network trained under ``DataParallel`` (every key
starts with ``module.``). h4w keeps the reference's sub-module names below
the top level, so the conversion is the prefix table below. The input is
loaded with ``torch.load(weights_only=True)``; any key without a mapping
and any shape that differs from the h4w model stops the conversion.
"""

import argparse
import os
import os.path as osp
import sys
import time
from collections import OrderedDict
from typing import Dict, List, Tuple

import torch

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

#: Upstream prefix -> h4w prefix, per model (spec §2.17, §2.18, App. A).
KEY_MAPS = {
    'hand4whole': (
        ('module.backbone.', 'backbone.'),
        ('module.body_position_net.', 'body_position_head.'),
        ('module.box_net.', 'box_head.'),
        ('module.hand_roi_net.backbone.', 'hand_backbone.'),
        ('module.hand_position_net.', 'hand_position_head.'),
        ('module.hand_rotation_net.', 'hand_rotation_head.'),
        ('module.body_rotation_net.', 'body_rotation_head.'),
        ('module.face_roi_net.backbone.', 'face_backbone.'),
        ('module.face_regressor.', 'face_head.'),
    ),
    'pose2pose_body': (
        ('module.backbone.', 'backbone.'),
        ('module.position_net.', 'position_head.'),
        ('module.rotation_net.', 'head.'),
    ),
    'pose2pose_hand': (
        ('module.backbone.', 'backbone.'),
        ('module.position_net.', 'position_head.'),
        ('module.rotation_net.', 'head.'),
    ),
    'pose2pose_face': (
        ('module.backbone.', 'backbone.'),
        ('module.regressor.', 'head.'),
    ),
}

#: Body-model buffers: never weights; dropped if a file still has them.
SKIPPED_PREFIXES = ('module.smplx_layer.', 'module.human_model_layer.')

DEFAULT_CONFIGS = {
    'hand4whole': 'configs/_base_/models/hand4whole_res50.py',
    'pose2pose_body': 'configs/pose2pose/pose2pose_body_res50.py',
    'pose2pose_hand': 'configs/pose2pose/pose2pose_hand_res50.py',
    'pose2pose_face': 'configs/pose2pose/pose2pose_face_res50.py',
}

#: Config keys of the estimator that are not weights.
NON_WEIGHT_KEYS = (
    'type',
    'codec',
    'body_model',
    'target_generator',
    'hand_roi_extractor',
    'face_roi_extractor',
    'data_preprocessor',
    'init_cfg',
)


class ConversionError(Exception):
    """The input cannot be converted; the message names the keys."""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='example:\n  python tools/model_converters/'
        'hand4whole_release_to_h4w.py snapshot_6.pth.tar '
        'checkpoints/hand4whole_h4w.pth\n  python tools/model_converters/'
        'hand4whole_release_to_h4w.py snapshot_12_hand.pth.tar '
        'p2p_hand.pth --model pose2pose_hand',
    )
    parser.add_argument('src', help='released checkpoint (.pth.tar)')
    parser.add_argument('dst', help='output mmengine checkpoint (.pth)')
    parser.add_argument(
        '--model',
        choices=sorted(KEY_MAPS),
        default='hand4whole',
        help='which network the file holds (default: hand4whole)',
    )
    parser.add_argument(
        '--config',
        default=None,
        help='h4w config whose model defines the expected shapes '
        '(default: the base config of --model)',
    )
    return parser.parse_args(argv)


def map_key(key: str, model: str) -> str:
    """The h4w name of an upstream key; ConversionError if none."""
    for src, dst in KEY_MAPS[model]:
        if key.startswith(src):
            return dst + key[len(src) :]
    raise ConversionError(f'no mapping for key "{key}" ({model})')


def extract_state_dict(checkpoint) -> Dict[str, torch.Tensor]:
    """The network weights of a reference ``.pth.tar`` (``network``) or of
    a bare state dict."""
    if isinstance(checkpoint, dict) and 'network' in checkpoint:
        checkpoint = checkpoint['network']
    elif isinstance(checkpoint, dict) and 'state_dict' in checkpoint:
        checkpoint = checkpoint['state_dict']
    if not isinstance(checkpoint, dict) or not all(
        isinstance(v, torch.Tensor) for v in checkpoint.values()
    ):
        raise ConversionError(
            'expected a dict with a "network" state dict (reference '
            '.pth.tar) or a state dict of tensors'
        )
    return checkpoint


def convert_state_dict(
    state_dict: Dict[str, torch.Tensor], model: str
) -> Tuple[Dict[str, torch.Tensor], List[str]]:
    """Rename every key; returns the new dict and the skipped keys.

    Raises:
        ConversionError: listing every key without a mapping.
    """
    out, skipped, unmapped = OrderedDict(), [], []
    for key, value in state_dict.items():
        if not key.startswith('module.'):
            key = 'module.' + key  # saved without DataParallel
        if key.startswith(SKIPPED_PREFIXES):
            skipped.append(key)
            continue
        try:
            out[map_key(key, model)] = value
        except ConversionError:
            unmapped.append(key)
    if unmapped:
        raise ConversionError(
            f'{len(unmapped)} key(s) have no mapping for --model {model}: '
            + ', '.join(unmapped[:20])
            + (' ...' if len(unmapped) > 20 else '')
        )
    return out, skipped


def expected_shapes(config_file: str) -> Dict[str, torch.Size]:
    """Shapes of every weight of the estimator in ``config_file``, built
    without its body model (no model files needed)."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import h4w.models  # noqa: F401  (registers the modules)
    from h4w.registry import MODELS

    init_default_scope('h4w')
    cfg = Config.fromfile(config_file)
    shapes = {}
    for name, sub_cfg in cfg.model.items():
        if (
            name in NON_WEIGHT_KEYS
            or name.startswith('loss_')
            or not isinstance(sub_cfg, dict)
            or 'type' not in sub_cfg
        ):
            continue
        module = MODELS.build(sub_cfg)
        for key, value in module.state_dict().items():
            shapes[f'{name}.{key}'] = value.shape
    return shapes


def check_shapes(
    state_dict: Dict[str, torch.Tensor], shapes: Dict[str, torch.Size]
) -> None:
    """ConversionError naming every missing, unexpected or mis-shaped
    key."""
    problems = []
    for key in sorted(set(shapes) - set(state_dict)):
        problems.append(f'missing {key}')
    for key, value in state_dict.items():
        if key not in shapes:
            problems.append(f'unexpected {key}')
        elif tuple(value.shape) != tuple(shapes[key]):
            problems.append(
                f'shape of {key}: file {tuple(value.shape)}, '
                f'model {tuple(shapes[key])}'
            )
    if problems:
        raise ConversionError(
            f'{len(problems)} problem(s): '
            + '; '.join(problems[:20])
            + (' ...' if len(problems) > 20 else '')
        )


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, REPO_ROOT)
    from h4w.engine.checkpoint import (
        UntrustedCheckpointError,
        load_checkpoint_file,
    )

    config = args.config or osp.join(REPO_ROOT, DEFAULT_CONFIGS[args.model])
    try:
        print(f'loading {args.src} (weights only)')
        src = extract_state_dict(
            load_checkpoint_file(args.src, map_location='cpu', trusted=False)
        )
        converted, skipped = convert_state_dict(src, args.model)
        if skipped:
            print(
                f'dropped {len(skipped)} body-model buffer(s) '
                f'({skipped[0]} ...)'
            )
        print(f'checking {len(converted)} tensors against {config}')
        check_shapes(converted, expected_shapes(config))
    except (
        ConversionError,
        UntrustedCheckpointError,
        FileNotFoundError,
    ) as err:
        print(f'error: {args.src}: {err}', file=sys.stderr)
        return 1
    checkpoint = dict(
        meta=dict(
            source=osp.abspath(args.src),
            model=args.model,
            converted_by='hand4whole_release_to_h4w.py',
            time=time.strftime('%Y-%m-%d %H:%M:%S'),
        ),
        state_dict=converted,
    )
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save(checkpoint, args.dst)
    print(f'wrote {args.dst}: {len(converted)} tensors')
    return 0


if __name__ == '__main__':
    sys.exit(main())
