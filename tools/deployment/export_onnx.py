"""Export a mesh estimator's tensor path to ONNX and check it.

Builds the model with ``init_model``, writes the ``.onnx`` file (input
``imgs`` (N, 3, H, W) float32 RGB crops in [0, 255], normalisation in the
graph, dynamic batch N; outputs documented in :mod:`h4w.apis.onnx_export`),
validates it with ``onnx.checker`` and runs onnxruntime once on a random
batch of 2 crops against PyTorch, printing the max abs difference of every
output. Needs the ``deploy`` extra (``pip install -e ".[deploy]"``).

    python tools/deployment/export_onnx.py \\
        configs/hand4whole/hand4whole_res50.py hand4whole.pth \\
        --out hand4whole.onnx --with-body-model \\
        --cfg-options model.body_model.model_path=data/human_model_files

CHECKPOINT ``none`` keeps the random initialisation (for trying the
export). A file written with ``--with-body-model`` runs on its own, without
torch: ``tools/demo.py CONFIG OUT.onnx IMAGE --backend onnxruntime``.
Exit status: 0 on success, 1 when the export or the check fails.
"""

import argparse
import os
import os.path as osp
import sys

sys.path.insert(
    0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
)

from mmengine.config import DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Export an h4w estimator to ONNX and compare '
        'onnxruntime with PyTorch.',
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('config', help='estimator config file')
    parser.add_argument(
        'checkpoint', help='h4w checkpoint, or "none" for random weights'
    )
    parser.add_argument(
        '--out',
        help='output .onnx file (default: <config name>.onnx in the '
        'current directory)',
    )
    parser.add_argument(
        '--with-body-model',
        action='store_true',
        help='run the body model in the graph: also output vertices, '
        'joints and joint_proj',
    )
    parser.add_argument(
        '--opset', type=int, default=17, help='ONNX opset (>= 17)'
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value (e.g. '
        'model.body_model.model_path=data/human_model_files)',
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        import onnx
        import onnxruntime  # noqa: F401
    except ImportError as err:
        print(
            f'error: {err.name} is not installed; install the deploy '
            'extra: pip install -e ".[deploy]" (onnx, onnxruntime)',
            file=sys.stderr,
        )
        return 1
    if args.opset < 17:
        print(
            f'error: --opset must be >= 17, got {args.opset}', file=sys.stderr
        )
        return 1
    if not osp.isfile(args.config):
        print(f'error: config {args.config} not found', file=sys.stderr)
        return 1
    checkpoint = None if args.checkpoint.lower() == 'none' else args.checkpoint
    if checkpoint is not None and not osp.isfile(checkpoint):
        print(f'error: checkpoint {checkpoint} not found', file=sys.stderr)
        return 1
    out = args.out or osp.splitext(osp.basename(args.config))[0] + '.onnx'
    out_dir = osp.dirname(osp.abspath(out))
    os.makedirs(out_dir, exist_ok=True)

    from h4w.apis import init_model
    from h4w.apis.onnx_export import (
        export_onnx,
        max_abs_differences,
        run_onnxruntime,
    )

    model = init_model(
        args.config, checkpoint, device='cpu', cfg_options=args.cfg_options
    )
    try:
        names, expected, imgs = export_onnx(
            model,
            out,
            with_body_model=args.with_body_model,
            opset=args.opset,
            batch_size=2,
        )
        onnx.checker.check_model(out)
        actual = run_onnxruntime(out, imgs)
    except Exception as err:  # report any exporter / runtime failure
        print(
            f'error: the ONNX export or check of {args.config} failed: '
            f'{type(err).__name__}: {err}',
            file=sys.stderr,
        )
        return 1
    size_mb = osp.getsize(out) / 2**20
    print(f'wrote {out} ({size_mb:.1f} MiB, opset {args.opset})')
    print('onnx.checker: ok')
    print('onnxruntime vs PyTorch on a random batch of 2, max abs diff:')
    diffs = max_abs_differences(expected, actual, names)
    width = max(len(n) for n in names)
    for name in names:
        shape = 'x'.join(['N'] + [str(s) for s in expected[name].shape[1:]])
        print(f'  {name:<{width}}  ({shape})  {diffs[name]:.3e}')
    if args.with_body_model:
        print(
            f'run it without torch: python tools/demo.py {args.config} '
            f'{out} IMAGE --backend onnxruntime'
        )
    else:
        print(
            'note: the onnxruntime backend of tools/demo.py needs the mesh: '
            'export with --with-body-model'
        )
    return 0


if __name__ == '__main__':
    sys.exit(main())
