"""Render a synthetic whole-body training set in the AGORA layout.

The synthetic SMPL-X humanoid in random poses, shapes, expressions and
places over procedural backgrounds, one person per image, with exact
fits, cameras and boxes, read by AGORADataset (configs/_base_/datasets/
synthetic.py) at the image resolution. For smoke runs only: the images do not
look like photos.

Example:
    python tools/misc/make_synthetic_human_models.py
    python tools/misc/make_synthetic_dataset.py --out-dir data/synthetic \\
        --human-model-path data/human_model_files \\
        --num-train 200 --num-val 20 --img-size 512x288 --seed 0
"""

import argparse
import sys
import time
from typing import List, Optional, Tuple


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        '--out-dir',
        default='data/synthetic',
        help='dataset root to write (default: %(default)s)',
    )
    parser.add_argument(
        '--human-model-path',
        default='data/human_model_files',
        help='human_model_files root with smplx/SMPLX_NEUTRAL.npz '
        '(default: %(default)s)',
    )
    parser.add_argument(
        '--num-train',
        type=int,
        default=200,
        help='training images (default: %(default)s)',
    )
    parser.add_argument(
        '--num-val',
        type=int,
        default=20,
        help='validation images (default: %(default)s)',
    )
    parser.add_argument(
        '--img-size',
        default='512x288',
        help='WxH of the images, 16:9 (default: %(default)s)',
    )
    parser.add_argument(
        '--seed', type=int, default=0, help='seed (default: %(default)s)'
    )
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress bar'
    )
    return parser.parse_args(argv)


def parse_img_size(text: str) -> Tuple[int, int]:
    """``'WxH'`` -> (H, W); a ValueError naming ``--img-size``."""
    from h4w.synthetic import check_img_shape

    parts = text.lower().split('x')
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f'--img-size must be WxH (e.g. 512x288): {text!r}')
    try:
        return check_img_shape((int(parts[1]), int(parts[0])))
    except ValueError as err:
        raise ValueError(f'--img-size {text}: {err}') from None


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    from h4w.synthetic import make_synthetic_dataset

    start = time.perf_counter()
    try:
        img_shape = parse_img_size(args.img_size)
        make_synthetic_dataset(
            args.out_dir,
            args.human_model_path,
            num_train=args.num_train,
            num_val=args.num_val,
            img_shape=img_shape,
            seed=args.seed,
            progress=not args.no_progress,
        )
    except ValueError as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    except FileNotFoundError as err:
        print(f'error: --human-model-path: {err}', file=sys.stderr)
        return 1
    except OSError as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    total = args.num_train + args.num_val
    height, width = img_shape
    print(
        f'wrote {args.num_train} training and {args.num_val} validation '
        f'images ({width}x{height}) to {args.out_dir} in {seconds:.1f} s '
        f'({total / seconds:.1f} images/s)\n'
        'train on them with configs/hand4whole/quickstart_synthetic.py '
        '(configs/_base_/datasets/synthetic.py), setting\n'
        f"    synthetic_data_root = '{args.out_dir}'\n"
        f'    synthetic_resolution = ({height}, {width})\n'
        'or --cfg-options train_dataloader.dataset.data_root=... '
        'val_dataloader.dataset.data_root=...'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
