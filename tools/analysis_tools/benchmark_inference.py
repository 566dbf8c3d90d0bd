"""People per second of the inference API (``inference_mesh``).

Builds the model of a config with random weights (or a checkpoint), then
times ``inference_mesh`` on one image with 1, 8, ... person boxes: crops,
one batched forward of every person, outputs in original-image pixels.
Optionally times the overlay render of the same people
(``--render auto|pyrender|opencv``), and the onnxruntime backend
(``--onnx FILE``, an export of the same weights with ``--with-body-model``):
``ONNXMeshModel.predict`` on the same image and boxes, with as many
threads as torch, and its largest vertex difference to PyTorch. Numbers
are for comparison on one machine, never asserted.

    python tools/analysis_tools/benchmark_inference.py \\
        configs/hand4whole/hand4whole_res50.py \\
        --model-path data/human_model_files --people 1 8 --render auto
    python tools/analysis_tools/benchmark_inference.py CONFIG \\
        --checkpoint CKPT --onnx model.onnx --people 1 8
"""

import argparse
import os.path as osp
import sys
import time

sys.path.insert(
    0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
)

import numpy as np
import torch
from mmengine.config import DictAction

from h4w.apis import inference_mesh, init_model
from h4w.utils.benchmark import peak_memory_mb, time_calls


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark inference_mesh (people per second).',
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('config', help='estimator config')
    parser.add_argument(
        '--checkpoint', help='weights (default: random initialisation)'
    )
    parser.add_argument(
        '--model-path',
        default='data/human_model_files',
        help='human_model_files root',
    )
    parser.add_argument(
        '--people',
        nargs='+',
        type=int,
        default=[1, 8],
        help='person boxes per image',
    )
    parser.add_argument(
        '--size',
        nargs=2,
        type=int,
        default=[720, 1280],
        metavar=('H', 'W'),
        help='image size',
    )
    parser.add_argument(
        '--onnx',
        help='also time this export of the same weights (onnxruntime '
        'backend, tools/deployment/export_onnx.py --with-body-model)',
    )
    parser.add_argument('--iters', type=int, default=3)
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value',
    )
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--render',
        choices=['none', 'auto', 'pyrender', 'opencv'],
        default='none',
        help='also time the overlay of the people',
    )
    return parser.parse_args(argv)


def person_boxes(count: int, height: int, width: int) -> np.ndarray:
    """``count`` boxes side by side, (K, 4) xyxy."""
    step = width / count
    return np.array(
        [
            [i * step, 0.1 * height, (i + 0.9) * step, 0.95 * height]
            for i in range(count)
        ]
    )


def onnx_line(onnx_model, infer, image, boxes, iters: int) -> str:
    """People/s of ``onnx_model.predict`` on the image and its largest
    vertex difference to PyTorch's ``infer()``."""

    def predict():
        return onnx_model.predict([image], [boxes])[0]

    people = predict()  # warm-up
    start = time.perf_counter()
    for _ in range(iters):
        predict()
    per_image = (time.perf_counter() - start) / iters
    expected = [s.pred_instances.vertices[0].cpu().numpy() for s in infer()]
    diff = max(
        float(np.abs(p['vertices'] - e).max())
        for p, e in zip(people, expected)
    )
    return (
        f'onnxruntime: {len(boxes) / per_image:7.2f} people/s '
        f'({per_image * 1000:8.1f} ms/image), vertices max diff '
        f'{diff:.1e} m'
    )


def main(argv=None) -> None:
    args = parse_args(argv)
    device = torch.device(args.device)
    model = init_model(
        args.config,
        args.checkpoint,
        device=args.device,
        cfg_options={
            'model.body_model.model_path': args.model_path,
            **(args.cfg_options or {}),
        },
    )
    height, width = args.size
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    print(
        f'{osp.basename(args.config)} on {device} ({torch.get_num_threads()} '
        f'threads), image {height}x{width}'
    )
    renderer = None
    if args.render != 'none':
        from h4w.visualization import MeshRenderer

        renderer = MeshRenderer(args.render)
    faces = model.body_model.faces.cpu().numpy()
    onnx_model = None
    if args.onnx:
        from h4w.apis import ONNXMeshModel

        onnx_model = ONNXMeshModel(args.onnx, threads=torch.get_num_threads())
    for count in args.people:
        boxes = person_boxes(count, height, width)

        def infer():
            return inference_mesh(model, image, boxes)

        seconds = time_calls(
            (infer for _ in range(args.iters)), device, warmup=infer
        )
        per_image = seconds / args.iters
        line = (
            f'people/image {count:3d}: {count / per_image:7.2f} people/s '
            f'({per_image * 1000:8.1f} ms/image), peak '
            f'{peak_memory_mb(device):.0f} MiB'
        )
        if renderer is not None:
            preds = [s.pred_instances for s in infer()]
            verts = [p.vertices[0].cpu().numpy() for p in preds]
            focal = np.stack([p.focal[0].cpu().numpy() for p in preds])
            princpt = np.stack([p.princpt[0].cpu().numpy() for p in preds])
            renderer.render(image, verts, faces, focal, princpt)  # warm-up
            start = time.perf_counter()
            for _ in range(args.iters):
                renderer.render(image, verts, faces, focal, princpt)
            fps = args.iters / (time.perf_counter() - start)
            line += f'; render ({renderer.backend}) {fps:.1f} frames/s'
        print(line)
        if onnx_model is not None:
            print(
                '  ' + onnx_line(onnx_model, infer, image, boxes, args.iters)
            )
    if renderer is not None:
        renderer.close()


if __name__ == '__main__':
    main()
