"""People per second of the exported ONNX model (onnxruntime, CPU) against
the PyTorch tensor path of the same model.

Builds the model (random weights, or CHECKPOINT), exports it with
:func:`h4w.apis.export_onnx` to a temporary file (or ``--onnx``) and times
the same wrapper (normalisation, network, crop-space outputs and, with
``--with-body-model``, the body model) in PyTorch and in onnxruntime on
random crops at each ``--batch`` size, with the same number of threads.
Numbers are for comparison on one machine, never asserted.

    python tools/analysis_tools/benchmark_onnx.py \\
        configs/hand4whole/hand4whole_res50.py none --batch 1 8 \\
        --cfg-options model.body_model.model_path=data/human_model_files
"""

import argparse
import os.path as osp
import sys
import tempfile
import time

sys.path.insert(
    0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
)

import numpy as np
import torch
from mmengine.config import DictAction

from h4w.apis import init_model
from h4w.apis.onnx_export import (
    MeshOnnxWrapper,
    export_onnx,
    make_session,
    max_abs_differences,
    run_onnxruntime,
)
from h4w.testing import smooth_crops


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark onnxruntime against PyTorch (people/s, CPU).',
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('config', help='estimator config file')
    parser.add_argument(
        'checkpoint', help='h4w checkpoint, or "none" for random weights'
    )
    parser.add_argument(
        '--batch', nargs='+', type=int, default=[1, 8], help='batch sizes'
    )
    parser.add_argument('--iters', type=int, default=3)
    parser.add_argument(
        '--threads',
        type=int,
        default=None,
        help='threads of both runtimes (default: torch.get_num_threads())',
    )
    parser.add_argument('--with-body-model', action='store_true')
    parser.add_argument(
        '--seed', type=int, default=0, help='seed of the random weights'
    )
    parser.add_argument(
        '--onnx', help='keep the exported file here (default: temporary)'
    )
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def _time(call, iters: int) -> float:
    """Seconds per call after one warm-up call."""
    call()
    start = time.perf_counter()
    for _ in range(iters):
        call()
    return (time.perf_counter() - start) / iters


def main(argv=None) -> int:
    args = parse_args(argv)
    threads = args.threads or torch.get_num_threads()
    torch.set_num_threads(threads)
    checkpoint = None if args.checkpoint.lower() == 'none' else args.checkpoint
    torch.manual_seed(args.seed)
    model = init_model(args.config, checkpoint, cfg_options=args.cfg_options)
    wrapper = MeshOnnxWrapper(model, args.with_body_model)
    with tempfile.TemporaryDirectory() as tmp:
        onnx_file = args.onnx or osp.join(tmp, 'model.onnx')
        start = time.perf_counter()
        export_onnx(model, onnx_file, args.with_body_model)
        print(
            f'{osp.basename(args.config)}: exported in '
            f'{time.perf_counter() - start:.1f} s, {threads} threads, '
            f'body model in the graph: {args.with_body_model}'
        )
        session = make_session(onnx_file, threads)
        height, width = wrapper.input_size
        rng = np.random.default_rng(0)
        for batch in args.batch:
            crops = smooth_crops(rng, batch, height, width)
            tensor = torch.from_numpy(crops)

            def run_torch():
                with torch.no_grad():
                    return wrapper.named_outputs(tensor)

            def run_ort():
                return run_onnxruntime(onnx_file, crops, session)

            t_torch = _time(run_torch, args.iters)
            t_ort = _time(run_ort, args.iters)
            expected = {k: v.numpy() for k, v in run_torch().items()}
            diffs = max_abs_differences(expected, run_ort())
            worst = max(diffs, key=diffs.get)
            print(
                f'batch {batch:3d}: PyTorch {batch / t_torch:7.2f} people/s '
                f'({t_torch * 1000:8.1f} ms), onnxruntime '
                f'{batch / t_ort:7.2f} people/s ({t_ort * 1000:8.1f} ms), '
                f'x{t_torch / t_ort:.2f}; max abs diff {diffs[worst]:.1e} '
                f'({worst}, max |value| {np.abs(expected[worst]).max():.1e})'
            )
    return 0


if __name__ == '__main__':
    sys.exit(main())
