"""Time of the batched SMPL-X targets of BodyModelTargetGenerator.

Builds batches of random SMPL-X fits in the ``gt_params`` format of the
datasets (NumPy arrays, random genders, flips, rotations, camera
extrinsics, missing hands / face) and times the target computation of
spec §5.1 (the generator's forward: host-to-device copies, one SMPL-X
forward per gender, flips, crops, rotations) per batch and per sample,
with the crop geometry of Hand4Whole (512x384 crop, 8x8x6 heat map).
Numbers are for comparison on one machine, never asserted.

    python tools/analysis_tools/benchmark_target_generator.py \\
        --model-path data/human_model_files --batch-sizes 1 16 64 \\
        --device cuda
"""

import argparse
import functools

import numpy as np
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from h4w.registry import MODELS
from h4w.structures import MeshDataSample
from h4w.utils.benchmark import time_calls

#: The crop geometry of Hand4Whole (configs/_base_/models/hand4whole_res50.py)
CODEC = dict(
    type='MeshCodec',
    input_size=(512, 384),
    heatmap_size=(8, 8, 6),
    depth_sizes=dict(body=2.0, hand=0.3, face=0.3),
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark the SMPL-X targets of '
        'BodyModelTargetGenerator.',
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        '--model-path',
        default='data/human_model_files',
        help='human_model_files root',
    )
    parser.add_argument(
        '--batch-sizes', nargs='+', type=int, default=[1, 16, 64]
    )
    parser.add_argument(
        '--genders',
        nargs='+',
        default=['neutral', 'male', 'female'],
        help='SMPL-X layers; samples draw among them',
    )
    parser.add_argument(
        '--iters', type=int, default=10, help='timed batches per setting'
    )
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def random_sample(rng: np.random.Generator, genders) -> MeshDataSample:
    """One sample with a random SMPL-X fit, camera and augmentation."""
    angle = rng.uniform(-0.5, 0.5)
    cos, sin = np.cos(angle), np.sin(angle)
    cam_r = np.array([[1, 0, 0], [0, cos, -sin], [0, sin, cos]])
    params = dict(
        root_pose=rng.normal(0, 0.2, (1, 3)) + np.array([[2.8, 0, 0]]),
        body_pose=rng.normal(0, 0.2, (1, 63)),
        shape=rng.normal(0, 1, (1, 10)),
        trans=rng.normal(0, 0.2, (1, 3)) + np.array([[0, 0, 5.0]]),
        lhand_pose=rng.normal(0, 0.3, (1, 45)),
        lhand_valid=np.array([rng.random() < 0.8]),
        rhand_pose=rng.normal(0, 0.3, (1, 45)),
        rhand_valid=np.array([rng.random() < 0.8]),
        jaw_pose=rng.normal(0, 0.2, (1, 3)),
        expr=rng.normal(0, 1, (1, 10)),
        face_valid=np.array([rng.random() < 0.8]),
        focal=np.array([[1500.0, 1500.0]]),
        princpt=np.array([[400.0, 500.0]]),
        gender=[genders[rng.integers(len(genders))]],
    )
    if rng.random() < 0.5:
        params.update(cam_R=cam_r[None], cam_t=np.array([[0.0, 0.0, 0.1]]))
    scale = rng.uniform(0.75, 1.25)
    img2bb = np.array([[0.6 * scale, 0.0, -40.0], [0.0, 0.6 * scale, -50.0]])
    sample = MeshDataSample(
        metainfo=dict(
            ori_shape=(1000, 800),
            img2bb_trans=img2bb,
            flip=bool(rng.random() < 0.5),
            rot=float(rng.uniform(-60, 60)),
        )
    )
    sample.gt_params = InstanceData(**params)
    return sample


def random_batch(batch: int, genders) -> list:
    """The same ``batch`` random samples at every call (seed 0)."""
    rng = np.random.default_rng(0)
    return [random_sample(rng, genders) for _ in range(batch)]


def benchmark(gen, batch: int, iters: int, genders, device) -> dict:
    # The generator leaves samples that have their targets already alone:
    # every call (and the warm-up) gets its own copy of the batch.
    batches = [random_batch(batch, genders) for _ in range(iters + 1)]
    calls = [functools.partial(gen, samples) for samples in batches]
    seconds = time_calls(calls[1:], device, warmup=calls[0]) / iters
    return dict(
        ms_per_batch=1000 * seconds, ms_per_sample=1000 * seconds / batch
    )


def main(argv=None):
    args = parse_args(argv)
    init_default_scope('h4w')
    device = torch.device(args.device)
    gen = MODELS.build(
        dict(
            type='BodyModelTargetGenerator',
            body_model=dict(type='SMPLXModel', model_path=args.model_path),
            codec=CODEC,
            genders=tuple(args.genders),
        )
    ).to(device)
    print(f'device {device}, genders {args.genders}')
    print(f'{"batch":>5} {"ms/batch":>10} {"ms/sample":>10}')
    rows = []
    for batch in args.batch_sizes:
        row = dict(
            batch=batch,
            **benchmark(gen, batch, args.iters, args.genders, device),
        )
        rows.append(row)
        print(
            f'{batch:5d} {row["ms_per_batch"]:10.2f} '
            f'{row["ms_per_sample"]:10.3f}',
            flush=True,
        )
    return rows


if __name__ == '__main__':
    main()
