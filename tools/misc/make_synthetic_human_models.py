"""Write a synthetic human_model_files tree (SMPL-X, SMPL, MANO, FLAME).

The official body models are licensed and cannot be shipped. This tool
writes stand-ins with the same layout, file names, keys, shapes and dtypes
holding a procedural mannequin, for tests, CI and the quick start. Real
files can replace them without changing any h4w code.

Example:
    python tools/misc/make_synthetic_human_models.py --seed 0
"""

import argparse
import time

from h4w.synthetic.synthetic_human_models import (
    MODELS,
    make_synthetic_human_models,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        '--out-dir',
        default='data/human_model_files',
        help='root of the tree to write (default: %(default)s)',
    )
    parser.add_argument(
        '--seed',
        type=int,
        default=0,
        help='seed of the random blend shapes and hand '
        'poses (default: %(default)s)',
    )
    parser.add_argument(
        '--models',
        nargs='+',
        choices=MODELS,
        default=list(MODELS),
        help='models to write (default: all)',
    )
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='rewrite even if a complete tree with the '
        'same seed is already there',
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    start = time.perf_counter()

    def report(path: str, seconds: float) -> None:
        print(f'[{seconds:6.1f} s] wrote {path}', flush=True)

    root = make_synthetic_human_models(
        args.out_dir,
        seed=args.seed,
        models=args.models,
        overwrite=args.overwrite,
        progress=report,
    )
    print(
        f'synthetic human models in {root} '
        f'({time.perf_counter() - start:.1f} s total)'
    )


if __name__ == '__main__':
    main()
