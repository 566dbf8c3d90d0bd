"""Merge a hand-only Pose2Pose trunk into a Hand4Whole checkpoint.

Stage 3 of the Hand4Whole recipe (the reference's
``tool/merge_hand_to_all.py``, spec §7.2, §8) starts from the stage-1
whole-body weights with the hand backbone replaced by the trunk of the
stage-2 hand-only Pose2Pose, and the hand position / rotation heads
removed (stage 3 re-initialises them; ``load_from`` is non-strict).

WHOLEBODY is a Hand4Whole checkpoint, HAND a hand Pose2Pose one; each may
be an upstream ``.pth.tar`` (``{'network', 'epoch', 'optimizer'}``) or an
h4w checkpoint. The hand trunk is ``module.backbone.*`` in upstream files
(the reference tool matched ``module.hand_backbone.*``, which released
Pose2Pose files do not have, and so copied nothing; that naming is read
too) and ``backbone.*`` in h4w files. Every ``hand_backbone.*`` weight
must come from the hand trunk with the same shape; each file is checked
against its config (keys and shapes), and swapped inputs are named. The
output holds weights only (no optimizer state, meta epoch 0)::

    python tools/model_converters/merge_hand_into_wholebody.py \\
        work_dirs/stage1/epoch_6.pth work_dirs/stage2/epoch_13.pth \\
        checkpoints/stage3_init.pth
    python tools/model_converters/merge_hand_into_wholebody.py \\
        snapshot_6_all.pth.tar snapshot_12_hand.pth.tar stage3_init.pth

Inputs are loaded weights-only; nothing is written when they do not fit.
"""

import argparse
import os.path as osp
import sys
from collections import OrderedDict
from typing import Dict, List, NamedTuple, Sequence, Tuple

import torch

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from h4w.apis.checkpoint_conversion import (  # noqa: E402
    DEFAULT_CONFIGS,
    ConversionError,
    LoadedWeights,
    check_shapes,
    expected_shapes,
    list_keys,
    load_weights,
    save_weights,
)
from h4w.engine.checkpoint import UntrustedCheckpointError  # noqa: E402

WHOLEBODY_MODEL = 'hand4whole'
HAND_MODEL = 'pose2pose_hand'
#: The hand-trunk naming that ``merge_hand_to_all.py`` assumed.
HAND_RENAMES = (('module.hand_backbone.', 'module.backbone.'),)
HAND_TRUNK = 'backbone.'
WHOLEBODY_HAND_TRUNK = 'hand_backbone.'
#: Whole-body heads that stage 3 re-initialises.
HAND_HEADS = ('hand_position_head.', 'hand_rotation_head.')


class Role(NamedTuple):
    """What one input should be: its model name, key renames and
    shapes."""

    model: str
    renames: Sequence[Tuple[str, str]]
    shapes: Dict[str, torch.Size]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='example:\n  python tools/model_converters/'
        'merge_hand_into_wholebody.py snapshot_6_all.pth.tar '
        'snapshot_12_hand.pth.tar checkpoints/stage3_init.pth',
    )
    parser.add_argument('wholebody', help='stage-1 Hand4Whole checkpoint')
    parser.add_argument('hand', help='stage-2 hand Pose2Pose checkpoint')
    parser.add_argument('dst', help='output h4w checkpoint (.pth)')
    parser.add_argument(
        '--config',
        default=osp.join(REPO_ROOT, DEFAULT_CONFIGS[WHOLEBODY_MODEL]),
        help='Hand4Whole config of WHOLEBODY (default: the base model)',
    )
    parser.add_argument(
        '--hand-config',
        default=osp.join(REPO_ROOT, DEFAULT_CONFIGS[HAND_MODEL]),
        help='hand Pose2Pose config of HAND (default: '
        f'{DEFAULT_CONFIGS[HAND_MODEL]})',
    )
    return parser.parse_args(argv)


def _read(filename: str, role: Role) -> LoadedWeights:
    weights = load_weights(filename, role.model, role.renames)
    check_shapes(weights.state_dict, role.shapes)
    return weights


def read_as(filename: str, role: Role, other: Role) -> LoadedWeights:
    """The weights of ``filename``, checked against ``role``.

    Raises:
        ConversionError: Naming the misfit keys, or saying that the file
            is an ``other`` checkpoint (inputs swapped).
    """
    try:
        return _read(filename, role)
    except ConversionError as err:
        try:
            _read(filename, other)
        except ConversionError:
            raise err from None
        raise ConversionError(
            f'this is a {other.model} checkpoint, not a {role.model} one '
            f'(are WHOLEBODY and HAND swapped?): {err}'
        ) from err


def merge(
    wholebody: Dict[str, torch.Tensor], hand: Dict[str, torch.Tensor]
) -> Tuple[Dict[str, torch.Tensor], List[Tuple[str, str]], List[str]]:
    """Copy the hand trunk into ``hand_backbone`` and drop the hand heads.

    Args:
        wholebody (dict): Hand4Whole weights (h4w names).
        hand (dict): Hand Pose2Pose weights (h4w names).

    Returns:
        tuple: The merged weights, the copied ``(destination, source)``
        keys and the dropped keys.

    Raises:
        ConversionError: Naming the ``hand_backbone`` keys the trunk does
            not cover with the same shape, and extra trunk keys.
    """
    trunk = {
        key[len(HAND_TRUNK) :]: value
        for key, value in hand.items()
        if key.startswith(HAND_TRUNK)
    }
    targets = {
        key[len(WHOLEBODY_HAND_TRUNK) :]: value
        for key, value in wholebody.items()
        if key.startswith(WHOLEBODY_HAND_TRUNK)
    }
    problems = [
        f'no {HAND_TRUNK}{name} for {WHOLEBODY_HAND_TRUNK}{name}'
        for name in targets
        if name not in trunk
    ]
    problems += [
        f'shape of {HAND_TRUNK}{name} {tuple(trunk[name].shape)} != '
        f'{WHOLEBODY_HAND_TRUNK}{name} {tuple(value.shape)}'
        for name, value in targets.items()
        if name in trunk and trunk[name].shape != value.shape
    ]
    problems += [
        f'{HAND_TRUNK}{name} has no {WHOLEBODY_HAND_TRUNK}{name}'
        for name in trunk
        if name not in targets
    ]
    if problems:
        raise ConversionError(
            f'the hand trunk does not fit {WHOLEBODY_HAND_TRUNK[:-1]}: '
            + list_keys(problems)
        )
    merged, copied, dropped = OrderedDict(), [], []
    for key, value in wholebody.items():
        if key.startswith(HAND_HEADS):
            dropped.append(key)
        elif key.startswith(WHOLEBODY_HAND_TRUNK):
            source = HAND_TRUNK + key[len(WHOLEBODY_HAND_TRUNK) :]
            merged[key] = hand[source]
            copied.append((key, source))
        else:
            merged[key] = value
    return merged, copied, dropped


def main(argv=None) -> int:
    args = parse_args(argv)
    current = args.config
    try:
        body_role = Role(WHOLEBODY_MODEL, (), expected_shapes(args.config))
        current = args.hand_config
        hand_role = Role(
            HAND_MODEL, HAND_RENAMES, expected_shapes(args.hand_config)
        )
        current = args.wholebody
        print(f'loading {args.wholebody} (weights only)')
        body = read_as(args.wholebody, body_role, hand_role)
        current = args.hand
        print(f'loading {args.hand} (weights only)')
        hand = read_as(args.hand, hand_role, body_role)
        merged, copied, dropped = merge(body.state_dict, hand.state_dict)
    except (
        ConversionError,
        UntrustedCheckpointError,
        FileNotFoundError,
    ) as err:
        print(f'error: {current}: {err}', file=sys.stderr)
        return 1
    for key, source in copied:
        print(f'copied {key} <- {source} {tuple(merged[key].shape)}')
    print(
        f'copied {len(copied)} hand trunk tensors; dropped {len(dropped)} '
        f'hand head tensors ({", ".join(h + "*" for h in HAND_HEADS)}; '
        'stage 3 re-initialises them)'
    )
    save_weights(
        merged,
        args.dst,
        'merge_hand_into_wholebody.py',
        epoch=0,
        iter=0,
        wholebody_source=osp.abspath(args.wholebody),
        wholebody_epoch=body.epoch,
        hand_source=osp.abspath(args.hand),
        hand_epoch=hand.epoch,
    )
    print(f'wrote {args.dst}: {len(merged)} tensors')
    return 0


if __name__ == '__main__':
    sys.exit(main())
