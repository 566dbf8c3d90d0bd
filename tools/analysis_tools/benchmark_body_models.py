"""Throughput and peak memory of the body-model layers.

Runs forward passes of SMPL-X, SMPL, MANO or FLAME on random parameters
and prints samples/s and peak memory (CUDA: allocator peak; CPU: process
max RSS). Numbers are for comparison on one machine, never asserted.

    python tools/analysis_tools/benchmark_body_models.py \\
        --model-path data/human_model_files --models smplx smpl \\
        --batch-sizes 1 16 64 --device cpu
"""

import argparse

import torch
from mmengine.registry import init_default_scope

from h4w.registry import MODELS
from h4w.utils.benchmark import peak_memory_mb, time_calls

MODEL_TYPES = dict(
    smplx=dict(type='SMPLXModel'),
    smpl=dict(type='SMPLModel'),
    mano=dict(type='MANOModel'),
    flame=dict(type='FLAMEModel'),
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark body-model forward passes.',
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        '--model-path',
        default='data/human_model_files',
        help='human_model_files root',
    )
    parser.add_argument(
        '--models', nargs='+', choices=list(MODEL_TYPES), default=['smplx']
    )
    parser.add_argument(
        '--batch-sizes', nargs='+', type=int, default=[1, 16, 64]
    )
    parser.add_argument(
        '--iters',
        type=int,
        default=10,
        help='timed forward passes per setting',
    )
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def random_params(model, batch: int, device) -> dict:
    """Small random values for every parameter of the layer."""
    gen = torch.Generator().manual_seed(0)
    return {
        name: (torch.randn(batch, dim, generator=gen) * 0.2).to(device)
        for name, dim in model.param_dims.items()
    }


def benchmark(model, batch: int, iters: int, device) -> dict:
    params = random_params(model, batch, device)
    with torch.no_grad():
        seconds = time_calls(
            [lambda: model(**params)] * iters,
            device,
            warmup=lambda: model(**params),
        )
    return dict(
        samples_per_s=batch * iters / seconds,
        ms_per_sample=1000 * seconds / (batch * iters),
        peak_mb=peak_memory_mb(device),
    )


def main(argv=None):
    args = parse_args(argv)
    init_default_scope('h4w')
    device = torch.device(args.device)
    print(
        f'{"model":6} {"batch":>5} {"samples/s":>10} {"ms/sample":>10} '
        f'{"peak MB":>9}'
    )
    rows = []
    for name in args.models:
        model = MODELS.build(
            dict(MODEL_TYPES[name], model_path=args.model_path)
        ).to(device)
        for batch in args.batch_sizes:
            row = dict(
                model=name,
                batch=batch,
                **benchmark(model, batch, args.iters, device),
            )
            rows.append(row)
            print(
                f'{name:6} {batch:5d} {row["samples_per_s"]:10.1f} '
                f'{row["ms_per_sample"]:10.2f} {row["peak_mb"]:9.0f}',
                flush=True,
            )
    return rows


if __name__ == '__main__':
    main()
