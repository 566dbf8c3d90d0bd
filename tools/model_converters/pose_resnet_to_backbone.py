"""Initialise an h4w backbone from a 2D pose network's ResNet trunk.

Stage 1 of the Hand4Whole recipe (and the body Pose2Pose) starts the body
backbone from the SimpleBaseline COCO pose ResNet-50 (the reference's
``tool/convert_simple_to_pose2pose.py``, spec §7.2, §8). SRC may be

* the SimpleBaseline ``body_pose_resnet_50_256x192.pth.tar``: a raw state
  dict (``conv1.*``, ``bn1.*``, ``layer1..4.*``, ``deconv_layers.*``,
  ``final_layer.*``), keys possibly under ``module.``, possibly wrapped in
  ``{'state_dict': ...}``;
* an mmpose top-down ResNet checkpoint (``backbone.*``, ``head.*`` or
  ``keypoint_head.*``);
* the reference converter's ``snapshot_0.pth.tar``
  (``{'network': {'module.backbone.*'}, 'epoch': 0}``).

The ResNet trunk is kept (deconvolution, final-layer and head keys are
dropped and counted), checked against the TARGET sub-module of the
config's model (same keys, same shapes: a ResNet-18 file does not fit a
ResNet-50 target) and written as ``{'meta', 'state_dict'}`` with keys
``<target>.*``, for ``load_from`` (mmengine loads it non-strictly)::

    python tools/model_converters/pose_resnet_to_backbone.py \\
        body_pose_resnet_50_256x192.pth.tar checkpoints/stage0.pth
    python tools/model_converters/pose_resnet_to_backbone.py \\
        td-hm_res50.pth hand_init.pth --target hand_backbone

The tool also prints the equivalent ``init_cfg`` of the backbone, where
one exists. Inputs are loaded weights-only; nothing is written when the
input does not fit.
"""

import argparse
import os.path as osp
import sys
from collections import OrderedDict
from typing import Dict, NamedTuple

import torch

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from h4w.apis.checkpoint_conversion import (  # noqa: E402
    DEFAULT_CONFIGS,
    ConversionError,
    check_shapes,
    expected_shapes,
    extract_state_dict,
    list_keys,
    save_weights,
)
from h4w.engine.checkpoint import (  # noqa: E402
    UntrustedCheckpointError,
    load_checkpoint_file,
)

TARGETS = ('backbone', 'hand_backbone', 'face_backbone')
#: First names of the torchvision ResNet trunk's keys.
TRUNK_NAMES = ('conv1', 'bn1', 'layer1', 'layer2', 'layer3', 'layer4')
#: First names of the pose heads (and the ImageNet classifier), dropped.
HEAD_NAMES = ('deconv_layers', 'final_layer', 'head', 'keypoint_head', 'fc')


class Trunk(NamedTuple):
    """The ResNet trunk of a pose network.

    Attributes:
        state_dict (dict): Trunk key (torchvision name) -> tensor.
        prefix (str): What precedes the trunk keys in the file (``''``
            or ``'module.'`` for a raw SimpleBaseline state dict).
        dropped (dict): Prefix -> number of dropped keys.
    """

    state_dict: Dict[str, torch.Tensor]
    prefix: str
    dropped: Dict[str, int]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='example:\n  python tools/model_converters/'
        'pose_resnet_to_backbone.py body_pose_resnet_50_256x192.pth.tar '
        'checkpoints/stage0.pth\n  python tools/model_converters/'
        'pose_resnet_to_backbone.py td-hm_res50.pth hand_init.pth '
        '--target hand_backbone',
    )
    parser.add_argument(
        'src', help='SimpleBaseline .pth.tar, mmpose or snapshot_0 file'
    )
    parser.add_argument('dst', help='output h4w checkpoint (.pth)')
    parser.add_argument(
        '--target',
        choices=TARGETS,
        default='backbone',
        help='sub-module of the model to initialise (default: backbone)',
    )
    parser.add_argument(
        '--config',
        default=osp.join(REPO_ROOT, DEFAULT_CONFIGS['hand4whole']),
        help='h4w config whose model has the target (default: the '
        'Hand4Whole base model)',
    )
    return parser.parse_args(argv)


def _strip_module(key: str) -> str:
    return key[len('module.') :] if key.startswith('module.') else key


def extract_trunk(state_dict: Dict[str, torch.Tensor]) -> Trunk:
    """Split a pose network's weights into its ResNet trunk and heads.

    The trunk is under ``backbone.`` if any key is (mmpose, snapshot_0),
    else at the top level (SimpleBaseline); ``module.`` is ignored.

    Args:
        state_dict (dict): The pose network's weights.

    Returns:
        Trunk: The trunk under torchvision names and the dropped prefixes.

    Raises:
        ConversionError: Naming keys that are neither trunk nor head.
    """
    names = [_strip_module(key) for key in state_dict]
    backbone = (
        'backbone.' if any(n.startswith('backbone.') for n in names) else ''
    )
    trunk, prefixes, dropped, unknown = OrderedDict(), set(), {}, []
    for (key, value), name in zip(state_dict.items(), names):
        in_trunk = name.startswith(backbone)
        inner = name[len(backbone) :] if in_trunk else name
        first = inner.split('.')[0]
        outer = key[: len(key) - len(inner)]
        if in_trunk and first in TRUNK_NAMES:
            trunk[inner] = value
            prefixes.add(outer)
        elif first in HEAD_NAMES:
            head = f'{outer}{first}.'
            dropped[head] = dropped.get(head, 0) + 1
        else:
            unknown.append(key)
    if unknown:
        raise ConversionError(
            f'{len(unknown)} key(s) are neither ResNet trunk '
            f'({", ".join(TRUNK_NAMES)}) nor pose head '
            f'({", ".join(HEAD_NAMES)}): {list_keys(unknown)}'
        )
    if not trunk:
        raise ConversionError('no ResNet trunk key (conv1.*, layer1.*, ...)')
    return Trunk(trunk, min(prefixes), dropped)


def init_cfg_hint(
    checkpoint: dict, trunk: Trunk, src: str, target: str
) -> str:
    """The ``init_cfg`` that loads the same trunk from SRC directly
    (mmengine's loader drops a leading ``module.`` itself)."""
    if 'network' in checkpoint:
        return (
            'no init_cfg reads this file (its weights are under '
            '"network"); use the converted file as load_from'
        )
    prefix = (
        f", prefix='{trunk.prefix}'"
        if trunk.prefix not in ('', 'module.')
        else ''
    )
    return (
        f"model.{target}.init_cfg=dict(type='Pretrained', "
        f"checkpoint='{src}'{prefix})"
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    current = args.src
    try:
        print(f'loading {args.src} (weights only)')
        checkpoint = load_checkpoint_file(
            args.src, map_location='cpu', trusted=False
        )
        trunk = extract_trunk(extract_state_dict(checkpoint))
        for prefix, count in sorted(trunk.dropped.items()):
            print(f'dropped {count} key(s) under {prefix}*')
        print(
            f'kept {len(trunk.state_dict)} ResNet trunk tensors, '
            f'dropped {sum(trunk.dropped.values())}'
        )
        current = args.config
        shapes = {
            key: shape
            for key, shape in expected_shapes(args.config).items()
            if key.startswith(args.target + '.')
        }
        if not shapes:
            raise ConversionError(f'the model has no {args.target}')
        current = args.src
        state_dict = OrderedDict(
            (f'{args.target}.{key}', value)
            for key, value in trunk.state_dict.items()
        )
        print(f'checking against {args.target} of {args.config}')
        try:
            check_shapes(state_dict, shapes)
        except ConversionError as err:
            raise ConversionError(
                f'the trunk does not fit model.{args.target} of '
                f'{args.config} (another ResNet depth?): {err}'
            ) from err
    except (
        ConversionError,
        UntrustedCheckpointError,
        FileNotFoundError,
    ) as err:
        print(f'error: {current}: {err}', file=sys.stderr)
        return 1
    save_weights(
        state_dict,
        args.dst,
        'pose_resnet_to_backbone.py',
        source=osp.abspath(args.src),
        target=args.target,
    )
    print(f'wrote {args.dst}: {len(state_dict)} tensors under {args.target}.')
    print(
        'equivalent config: '
        + init_cfg_hint(checkpoint, trunk, args.src, args.target)
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
