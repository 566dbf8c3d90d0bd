"""Keep only the weights of a checkpoint, for a fine-tune from epoch 0.

The reference's ``tool/reset_epoch.py`` (spec §7.2, §8): the optional
AGORA fine-tune starts from the stage-3 weights with a fresh epoch count.
SRC is an h4w checkpoint or an upstream ``.pth.tar`` (renamed with the
``--model`` key map); optimizer, scheduler and message-hub state are
dropped, ``meta`` records epoch 0, iteration 0, the source and its epoch.
The weights are checked against the ``--config`` model (keys and
shapes)::

    python tools/model_converters/reset_checkpoint.py \\
        work_dirs/stage3/epoch_6.pth checkpoints/agora_init.pth
    python tools/model_converters/reset_checkpoint.py \\
        snapshot_12_hand.pth.tar hand_init.pth --model pose2pose_hand

Use the output as ``load_from``. The input is loaded weights-only;
nothing is written when it does not fit.
"""

import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from h4w.apis.checkpoint_conversion import (  # noqa: E402
    DEFAULT_CONFIGS,
    ConversionError,
    add_model_arguments,
    check_shapes,
    expected_shapes,
    load_weights,
    save_weights,
)
from h4w.engine.checkpoint import UntrustedCheckpointError  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='example:\n  python tools/model_converters/'
        'reset_checkpoint.py work_dirs/stage3/epoch_6.pth '
        'checkpoints/agora_init.pth\n  python tools/model_converters/'
        'reset_checkpoint.py snapshot_12_hand.pth.tar hand_init.pth '
        '--model pose2pose_hand',
    )
    parser.add_argument('src', help='h4w checkpoint or upstream .pth.tar')
    parser.add_argument('dst', help='output h4w checkpoint (.pth)')
    add_model_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    config = args.config or osp.join(REPO_ROOT, DEFAULT_CONFIGS[args.model])
    current = args.src
    try:
        print(f'loading {args.src} (weights only)')
        weights = load_weights(args.src, args.model)
        if weights.skipped:
            print(f'dropped {len(weights.skipped)} body-model buffer(s)')
        print(
            f'{len(weights.state_dict)} tensors ({weights.layout} layout, '
            f'epoch {weights.epoch}); checking against {config}'
        )
        current = config
        shapes = expected_shapes(config)
        current = args.src
        check_shapes(weights.state_dict, shapes)
    except (
        ConversionError,
        UntrustedCheckpointError,
        FileNotFoundError,
    ) as err:
        print(f'error: {current}: {err}', file=sys.stderr)
        return 1
    save_weights(
        weights.state_dict,
        args.dst,
        'reset_checkpoint.py',
        epoch=0,
        iter=0,
        source=osp.abspath(args.src),
        source_epoch=weights.epoch,
        model=args.model,
    )
    print(
        f'wrote {args.dst}: {len(weights.state_dict)} tensors, epoch 0, '
        'no optimizer state'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
