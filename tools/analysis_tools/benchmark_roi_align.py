"""Speed and peak memory of the pure-torch roi_align.

Crops K random hand-sized boxes (20% to 90% of the image height, partly
outside at times) from a batch of K images, as the Hand4Whole part branches
do, and prints milliseconds per call and peak memory (CUDA: allocator
peak; CPU: process max RSS). Numbers are for comparison on one machine,
never asserted.

    python tools/analysis_tools/benchmark_roi_align.py \\
        --num-rois 48 --img-shape 512 384 --output-size 256 256 \\
        --device cuda --backward
"""

import argparse

import torch

from h4w.models.task_modules import roi_align
from h4w.utils.benchmark import peak_memory_mb, time_calls


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark roi_align (pure torch).',
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        '--num-rois', type=int, default=48, help='RoIs per call, one per image'
    )
    parser.add_argument('--channels', type=int, default=3)
    parser.add_argument(
        '--img-shape',
        type=int,
        nargs=2,
        default=[512, 384],
        metavar=('H', 'W'),
    )
    parser.add_argument(
        '--output-size',
        type=int,
        nargs=2,
        default=[256, 256],
        metavar=('H', 'W'),
    )
    parser.add_argument(
        '--sampling-ratio',
        type=int,
        default=-1,
        help='samples per bin and axis; <= 0: adaptive',
    )
    parser.add_argument('--aligned', action='store_true')
    parser.add_argument(
        '--backward', action='store_true', help='also time forward + backward'
    )
    parser.add_argument(
        '--iters', type=int, default=10, help='timed calls per setting'
    )
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def random_inputs(args, device):
    gen = torch.Generator().manual_seed(0)
    k, (img_h, img_w) = args.num_rois, args.img_shape
    img = torch.rand(k, args.channels, img_h, img_w, generator=gen)
    size = img_h * (0.2 + 0.7 * torch.rand(k, 1, generator=gen))
    centre = torch.rand(k, 2, generator=gen) * torch.tensor([img_w, img_h])
    boxes = torch.cat(
        [
            torch.arange(k, dtype=torch.float32)[:, None],
            centre - size / 2,
            centre + size / 2,
        ],
        dim=1,
    )
    return img.to(device), boxes.to(device)


def benchmark(img, boxes, args, backward: bool) -> dict:
    device = img.device
    img = img.detach().requires_grad_(backward)

    def call():
        out = roi_align(
            img,
            boxes,
            tuple(args.output_size),
            sampling_ratio=args.sampling_ratio,
            aligned=args.aligned,
        )
        if backward:
            out.backward(torch.ones_like(out))
            img.grad = None

    with torch.set_grad_enabled(backward):
        seconds = time_calls([call] * args.iters, device, warmup=call)
    return dict(
        ms_per_call=1000 * seconds / args.iters, peak_mb=peak_memory_mb(device)
    )


def main(argv=None):
    args = parse_args(argv)
    device = torch.device(args.device)
    img, boxes = random_inputs(args, device)
    print(
        f'{args.num_rois} RoIs, {args.channels}x{args.img_shape[0]}x'
        f'{args.img_shape[1]} -> {args.output_size[0]}x'
        f'{args.output_size[1]} on {device}'
    )
    print(f'{"mode":16} {"ms/call":>9} {"peak MB":>9}')
    rows = []
    for mode in ['forward'] + (['forward+backward'] if args.backward else []):
        row = dict(
            mode=mode,
            **benchmark(img, boxes, args, backward=mode != 'forward'),
        )
        rows.append(row)
        print(
            f'{mode:16} {row["ms_per_call"]:9.2f} {row["peak_mb"]:9.0f}',
            flush=True,
        )
    return rows


if __name__ == '__main__':
    main()
