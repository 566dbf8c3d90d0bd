"""Speed and peak memory of a whole estimator (Hand4Whole, Pose2Pose).

Builds the model of a config, feeds random packed batches
(``h4w.testing.get_packed_inputs``) and times inference (``predict``) or
training steps (data preprocessor + forward + backward + Adam). Prints
samples/s and peak memory (CUDA: allocator peak; CPU: process max RSS).
Numbers are for comparison on one machine, never asserted.

    python tools/analysis_tools/benchmark_model.py \\
        configs/_base_/models/hand4whole_res50.py \\
        --model-path data/human_model_files --batch-sizes 1 4 --mode predict
"""

import argparse
import os.path as osp
import sys
from functools import partial

# Configs may load plugins from projects/ (``custom_imports``): the
# repository root goes on sys.path, as the launchers' PYTHONPATH
# puts it (mmdet style).
sys.path.insert(
    0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
)

import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

from h4w.registry import MODELS
from h4w.testing import get_packed_inputs
from h4w.utils.benchmark import peak_memory_mb, time_calls


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark an estimator built from a config.',
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('config', help='config with a `model` entry')
    parser.add_argument(
        '--model-path',
        default='data/human_model_files',
        help='human_model_files root',
    )
    parser.add_argument('--batch-sizes', nargs='+', type=int, default=[1, 4])
    parser.add_argument(
        '--mode', choices=['predict', 'train'], default='predict'
    )
    parser.add_argument(
        '--iters', type=int, default=5, help='timed iterations per batch size'
    )
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--amp', action='store_true', help='bf16 autocast (predict mode)'
    )
    return parser.parse_args(argv)


def packed_batch(cfg, batch: int) -> dict:
    """Random inputs shaped for the model of ``cfg``."""
    model_type = MODELS.get(cfg.body_model.type).param_layout.prefix
    codec = cfg.codec
    return get_packed_inputs(
        batch, model_type, codec.input_size, codec.heatmap_size
    )


def run_once(model, data, mode, optim, amp, device):
    if mode == 'train':
        model.train_step(data, optim)
        return
    with (
        torch.no_grad(),
        torch.autocast(device.type, torch.bfloat16, enabled=amp),
    ):
        model.test_step(data)


def benchmark(model, cfg, batch, args, device) -> dict:
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-5))
    model.train(args.mode == 'train')
    batches = [packed_batch(cfg, batch) for _ in range(args.iters + 1)]
    calls = [
        partial(run_once, model, data, args.mode, optim, args.amp, device)
        for data in batches
    ]
    seconds = time_calls(calls[1:], device, warmup=calls[0])
    return dict(
        samples_per_s=batch * args.iters / seconds,
        ms_per_sample=1000 * seconds / (batch * args.iters),
        peak_mb=peak_memory_mb(device),
    )


def main(argv=None):
    args = parse_args(argv)
    init_default_scope('h4w')
    device = torch.device(args.device)
    cfg = Config.fromfile(args.config).model
    cfg.body_model.model_path = args.model_path
    torch.manual_seed(0)
    model = MODELS.build(cfg).to(device)
    print(
        f'{cfg.type} ({args.mode}, {device}, threads '
        f'{torch.get_num_threads()})'
    )
    print(f'{"batch":>5} {"samples/s":>10} {"ms/sample":>10} {"peak MB":>9}')
    rows = []
    for batch in args.batch_sizes:
        row = dict(batch=batch, **benchmark(model, cfg, batch, args, device))
        rows.append(row)
        print(
            f'{batch:5d} {row["samples_per_s"]:10.2f} '
            f'{row["ms_per_sample"]:10.1f} {row["peak_mb"]:9.0f}',
            flush=True,
        )
    return rows


if __name__ == '__main__':
    main()
