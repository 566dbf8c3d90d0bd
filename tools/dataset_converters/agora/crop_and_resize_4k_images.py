"""Cut one crop per AGORA person out of the 3840x2160 renders (spec §8).

For every annotation of ``AGORA_{train,validation}_SMPLX.json`` (else
``_SMPL.json``) and every box of ``AGORA_test_bbox.json`` (``{file name:
[{'bbox': xywh}, ...]}``, the person id is the list index), the box is
brought to the aspect ratio ``out_width / out_height`` and enlarged x1.25
around its centre (``process_bbox`` without clipping) and the image is
warped onto an ``out_height x out_width`` crop (bilinear, sampled as
the reference's OpenCV 4 ``cv2.warpAffine``:
``h4w.structures.warp_affine``). Written next to the render folder::

    images_3840x2160/<folder>_crop/<img stem>_person_id_<k>.png  (BGR)
    images_3840x2160/<folder>_crop/<img stem>_person_id_<k>.json
        {'bbox_orig': processed xywh, 'affine_mat': 2x3 original -> crop,
         'resized_height': H, 'resized_width': W}

Renders are read from ``file_name_3840x2160`` (train / val) and
``--test-dir`` (test). Boxes and ``affine_mat`` are in 3840x2160 pixels
whatever the size of the file read: a render of another size (e.g. a
downscaled copy) is resampled with ``affine_mat @ diag(3840 / W,
2160 / H)``, so the written affine never changes.

Example:
    python tools/dataset_converters/agora/crop_and_resize_4k_images.py \\
        --dataset-path data/AGORA/data --out-height 512 --out-width 384
"""

import argparse
import json
import os
import os.path as osp
import sys
import time
from multiprocessing import Pool
from typing import Iterator, List, Optional, Sequence

import cv2
import numpy as np

from h4w.datasets.datasets.agora_dataset import (
    AGORA_FULL_SHAPE,
    crop_file_stem,
)
from h4w.structures.bbox import process_bbox
from h4w.structures.image import get_patch_transform, warp_affine

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from agora_common import (  # noqa: E402 (this folder is on sys.path now)
    add_print_every,
    argument_parser,
    require_dataset_path,
)


def crop_jobs(
    dataset_path: str,
    out_shape: Sequence[int],
    test_dir: str = 'images_3840x2160/test',
    splits: Sequence[str] = ('train', 'validation', 'test'),
) -> Iterator[dict]:
    """One job per person: source render, processed box and outputs."""
    out_h, out_w = out_shape
    for split in splits:
        if split == 'test':
            path = osp.join(dataset_path, 'AGORA_test_bbox.json')
            if not osp.isfile(path):
                print(f'[crop] no {path}: test split skipped', flush=True)
                continue
            with open(path) as f:
                boxes = json.load(f)
            for file_name in sorted(boxes):
                for person_id, entry in enumerate(boxes[file_name]):
                    yield _job(
                        dataset_path,
                        osp.join(test_dir, file_name),
                        'test',
                        person_id,
                        entry['bbox'],
                        out_w / out_h,
                        f'{path}: {file_name}[{person_id}]',
                    )
            continue
        path = None
        for suffix in ('SMPLX', 'SMPL'):
            candidate = osp.join(dataset_path, f'AGORA_{split}_{suffix}.json')
            if osp.isfile(candidate):
                path = candidate
                break
        if path is None:
            print(
                f'[crop] no AGORA_{split}_SMPLX.json / _SMPL.json: '
                f'{split} skipped',
                flush=True,
            )
            continue
        with open(path) as f:
            db = json.load(f)
        images = {img['id']: img for img in db['images']}
        for ann in db['annotations']:
            where = f'{path}: annotation {ann.get("id")}'
            try:
                name = images[ann['image_id']]['file_name_3840x2160']
                folder = name.replace('\\', '/').split('/')[-2]
                yield _job(
                    dataset_path,
                    name,
                    folder,
                    ann['person_id'],
                    ann['bbox'],
                    out_w / out_h,
                    where,
                )
            except (KeyError, IndexError, TypeError, ValueError) as err:
                raise ValueError(f'{where}: malformed ({err})') from err


def _job(
    root: str,
    src_rel: str,
    folder: str,
    person_id: int,
    bbox,
    aspect: float,
    where: str,
) -> dict:
    box = process_bbox(
        np.asarray(bbox, np.float32).reshape(4),
        0,
        0,
        aspect_ratio=aspect,
        sanitize=False,
    )
    out_dir = osp.join(root, 'images_3840x2160', f'{folder}_crop')
    stem = crop_file_stem(src_rel, person_id)
    return dict(
        src=osp.join(root, src_rel),
        bbox=box,
        where=where,
        png=osp.join(out_dir, f'{stem}.png'),
        json=osp.join(out_dir, f'{stem}.json'),
    )


def crop_one(job: dict, out_shape: Sequence[int]) -> dict:
    """Write the crop and its json; returns the json content."""
    out_h, out_w = out_shape
    img = cv2.imread(job['src'], cv2.IMREAD_COLOR)
    if img is None:
        raise FileNotFoundError(
            f'render not found or unreadable: '
            f'{job["src"]} (for {job["where"]})'
        )
    x, y, w, h = (float(v) for v in job['bbox'])  # float64 centre
    affine = get_patch_transform(
        (x + w / 2.0, y + h / 2.0), (w, h), (out_w, out_h), 1.0, 0.0
    )
    full_h, full_w = AGORA_FULL_SHAPE
    warp = affine.astype(np.float64)
    if img.shape[:2] != (full_h, full_w):
        # boxes are in 3840x2160 pixels: read pixel p is full pixel s * p
        warp = warp @ np.diag(
            [full_w / img.shape[1], full_h / img.shape[0], 1.0]
        )
    crop = warp_affine(img, warp, (out_w, out_h))
    os.makedirs(osp.dirname(job['png']), exist_ok=True)
    if not cv2.imwrite(job['png'], crop):
        raise OSError(f'cannot write {job["png"]}')
    info = {
        'bbox_orig': [float(v) for v in job['bbox']],
        'affine_mat': affine.tolist(),
        'resized_height': int(out_h),
        'resized_width': int(out_w),
    }
    with open(job['json'], 'w') as f:
        json.dump(info, f)
    return info


def _run(args: tuple) -> str:
    job, out_shape = args
    crop_one(job, out_shape)
    return job['png']


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argument_parser(__doc__)
    parser.add_argument('--out-height', type=int, default=512)
    parser.add_argument('--out-width', type=int, default=384)
    parser.add_argument(
        '--splits',
        nargs='+',
        choices=('train', 'validation', 'test'),
        default=['train', 'validation', 'test'],
    )
    parser.add_argument(
        '--test-dir',
        default='images_3840x2160/test',
        help='test renders, relative to --dataset-path (default: %(default)s)',
    )
    parser.add_argument(
        '--workers', type=int, default=0, help='processes (0: in this process)'
    )
    add_print_every(parser, 500, 'crops')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> List[str]:
    args = parse_args(argv)
    require_dataset_path(args.dataset_path)
    out_shape = (args.out_height, args.out_width)
    jobs = list(
        crop_jobs(args.dataset_path, out_shape, args.test_dir, args.splits)
    )
    print(
        f'[crop] {len(jobs)} crops of {args.out_height}x{args.out_width}',
        flush=True,
    )
    start = time.perf_counter()
    written: List[str] = []
    every = max(1, args.print_every)
    tasks = ((job, out_shape) for job in jobs)
    if args.workers > 0:
        with Pool(args.workers) as pool:
            results: Iterator[str] = pool.imap(_run, tasks, chunksize=16)
            for png in results:
                written.append(png)
                _progress(len(written), len(jobs), every, start)
    else:
        for task in tasks:
            written.append(_run(task))
            _progress(len(written), len(jobs), every, start)
    print(
        f'[crop] done: {len(written)} crops '
        f'({time.perf_counter() - start:.1f} s)',
        flush=True,
    )
    return written


def _progress(done: int, total: int, every: int, start: float) -> None:
    if done % every == 0 or done == total:
        print(
            f'[crop] {done}/{total} ({time.perf_counter() - start:.0f} s)',
            flush=True,
        )


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError, OSError) as err:
        sys.exit(f'crop_and_resize_4k_images: {err}')
