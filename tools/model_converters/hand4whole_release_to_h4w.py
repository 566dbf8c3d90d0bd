"""Convert a released Hand4Whole / Pose2Pose checkpoint to an h4w one.

The reference saves ``{'epoch', 'network', 'optimizer'}`` in a
``.pth.tar`` file, the network trained under ``DataParallel`` (every key
starts with ``module.``). h4w keeps the reference's sub-module names below
the top level, so the conversion is a prefix table
(``h4w.apis.checkpoint_conversion.KEY_MAPS``). The input is
loaded with ``torch.load(weights_only=True)``; any key without a mapping
and any shape that differs from the h4w model stops the conversion.
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
    convert_state_dict,
    expected_shapes,
    extract_state_dict,
    save_weights,
)
from h4w.engine.checkpoint import (  # noqa: E402
    UntrustedCheckpointError,
    load_checkpoint_file,
)


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
    add_model_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
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
    save_weights(
        converted,
        args.dst,
        'hand4whole_release_to_h4w.py',
        source=osp.abspath(args.src),
        model=args.model,
    )
    print(f'wrote {args.dst}: {len(converted)} tensors')
    return 0


if __name__ == '__main__':
    sys.exit(main())
