"""Write the example whole-body dataset of projects/example_project.

Synthetic SMPL-X people painted into images, in the layout that
WholeBodyFolderDataset reads (images/<split>/*.jpg,
annotations/{train,val}.json: COCO-WholeBody keypoints and boxes, and
camera-frame SMPL-X fits on some persons). The optional fields vary per
person on purpose (no fit, no face keypoints, an invalid or absent hand
box) so that every path of the dataset runs. For smoke runs only: the
images do not look like photos.

Example (from the repository root):
    python tools/misc/make_synthetic_human_models.py \\
        --out-dir data/human_model_files
    python projects/example_project/tools/make_example_data.py \\
        --out-dir data/example_project \\
        --human-models data/human_model_files \\
        --num-train 6 --num-val 3 --seed 0
"""

import argparse
import json
import os.path as osp
import sys
import time
from typing import List, Optional

# Run as a script from anywhere: the repository root (three folders up)
# goes on sys.path, as tools/train.py does, for `projects` and `h4w`.
sys.path.insert(
    0,
    osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))),
)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        '--out-dir',
        default='data/example_project',
        help='dataset root to write (default: %(default)s)',
    )
    parser.add_argument(
        '--human-models',
        default='data/human_model_files',
        help='human_model_files folder with smplx/SMPLX_NEUTRAL.npz, real '
        'or from tools/misc/make_synthetic_human_models.py '
        '(default: %(default)s)',
    )
    parser.add_argument(
        '--num-train',
        type=int,
        default=6,
        help='training images, 1-2 persons each (default: %(default)s)',
    )
    parser.add_argument(
        '--num-val',
        type=int,
        default=3,
        help='validation images, 1-2 persons each (default: %(default)s)',
    )
    parser.add_argument(
        '--seed',
        type=int,
        default=0,
        help='seed of the poses, placements and noise (default: %(default)s)',
    )
    return parser.parse_args(argv)


def _summary(out_dir: str, split: str) -> str:
    with open(osp.join(out_dir, 'annotations', f'{split}.json')) as f:
        db = json.load(f)
    anns = db['annotations']
    fits = sum('smplx_param' in a for a in anns)
    return (
        f'{len(db["images"])} {split} images ({len(anns)} persons, '
        f'{fits} with an SMPL-X fit)'
    )


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    from projects.example_project.example_data import write_example_dataset

    start = time.perf_counter()
    try:
        write_example_dataset(
            args.out_dir,
            args.human_models,
            num_train=args.num_train,
            num_val=args.num_val,
            seed=args.seed,
        )
    except FileNotFoundError as err:
        print(f'error: --human-models: {err}', file=sys.stderr)
        return 1
    except (ValueError, OSError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    print(
        f'wrote {_summary(args.out_dir, "train")} and '
        f'{_summary(args.out_dir, "val")} to {args.out_dir} in '
        f'{seconds:.1f} s'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
