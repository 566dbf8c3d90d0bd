"""Estimate meshes of the people in images, folders of images or videos.

Writes, under --out-dir (see README "Inference" for the coordinate frames):
  vis/<name>.jpg            overlay of an image (vis/<video>.mp4 for a video)
  meshes/<name>_<id>.obj    each person's camera-frame mesh (and .ply)
  params/<name>.json        parameters, camera and boxes of every person
  <input>.npz               every person of every frame of one input

Examples:
    python tools/demo.py configs/hand4whole/hand4whole_res50.py h4w.pth \\
        demo.jpg --bbox 193,120,516,395
    python tools/demo.py CONFIG CKPT frames/ --bbox-json dets.json \\
        --score-thr 0.5
    python tools/demo.py CONFIG CKPT frames/ --detector yolox_m.onnx
    python tools/demo.py CONFIG CKPT clip.mp4 --bbox-json dets.json \\
        --smooth --side-view
    python tools/demo.py CONFIG hand4whole.onnx demo.jpg \\
        --backend onnxruntime

With --backend onnxruntime, CHECKPOINT is the file written by
tools/deployment/export_onnx.py CONFIG CKPT --with-body-model, and torch is
never imported: the same crops, decoding and outputs, run by onnxruntime.
"""

import argparse
import logging
import os.path as osp
import sys
from typing import List, Optional, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import numpy as np
from mmengine.config import DictAction


def parse_bbox(text: str) -> List[float]:
    """``x1,y1,x2,y2`` -> four floats (argparse type)."""
    try:
        values = [float(v) for v in text.split(',')]
    except ValueError:
        values = []
    if len(values) != 4:
        raise argparse.ArgumentTypeError(
            f'--bbox expects x1,y1,x2,y2 (four numbers), got {text!r}'
        )
    return values


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Run a mesh estimator on images, folders or videos.',
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('config', help='model config file')
    parser.add_argument(
        'checkpoint',
        help='h4w checkpoint file (.onnx export with --backend onnxruntime)',
    )
    parser.add_argument(
        'input', nargs='+', help='image file(s), folder(s) or video file(s)'
    )
    parser.add_argument(
        '--out-dir',
        default='work_dirs/demo',
        help='output folder (default: work_dirs/demo)',
    )
    boxes = parser.add_argument_group('person boxes (default: whole image)')
    boxes.add_argument(
        '--bbox',
        type=parse_bbox,
        action='append',
        metavar='X1,Y1,X2,Y2',
        help='a person box in image pixels; repeat for several people '
        '(used for every image / frame)',
    )
    boxes.add_argument(
        '--bbox-json',
        help='COCO-style detections or annotations (bbox xywh), matched '
        'by file name or image id (a video frame index from 0)',
    )
    boxes.add_argument(
        '--detector',
        metavar='CONFIG_OR_FILE',
        help='a person detector: a YOLOX / RTMDet-style .onnx file (default '
        'settings), or a .py / .json config whose `detector = dict(type=...)` '
        'names any registered PERSON_DETECTORS source (plugins via '
        '`custom_imports`)',
    )
    boxes.add_argument(
        '--score-thr',
        type=float,
        default=0.0,
        help='drop --bbox-json boxes scoring below this (default 0)',
    )
    boxes.add_argument(
        '--category-id',
        type=int,
        default=1,
        help='keep --bbox-json entries of this category (COCO person: 1; '
        '-1 keeps all)',
    )
    parser.add_argument(
        '--backend',
        choices=['pytorch', 'onnxruntime'],
        default='pytorch',
        help='pytorch: CONFIG + checkpoint; onnxruntime: an ONNX export '
        '(no torch needed; see tools/deployment/export_onnx.py)',
    )
    parser.add_argument(
        '--device',
        default='cpu',
        help='cpu, cuda or cuda:1 (onnxruntime: CUDA needs onnxruntime-gpu)',
    )
    parser.add_argument(
        '--batch-size',
        type=int,
        default=1,
        help='images / frames per forward pass (all their people together)',
    )
    parser.add_argument(
        '--side-view', action='store_true', help='add a side view to renders'
    )
    parser.add_argument(
        '--renderer',
        choices=['auto', 'pyrender', 'opencv'],
        default='auto',
        help='pyrender (EGL) or the OpenCV fallback; auto picks pyrender '
        'when it works',
    )
    parser.add_argument(
        '--no-meshes',
        action='store_true',
        help='do not write the .obj / .ply files',
    )
    video = parser.add_argument_group('video')
    video.add_argument(
        '--smooth',
        action='store_true',
        help='One-Euro smoothing of each track (rotations in 6D, '
        'translation, shape, camera)',
    )
    video.add_argument(
        '--smooth-min-cutoff',
        type=float,
        default=1.0,
        help='Hz; lower = smoother but more lag (default 1.0)',
    )
    video.add_argument(
        '--smooth-beta',
        type=float,
        default=0.0,
        help='speed coefficient; higher = less lag on fast motion '
        '(default 0.0)',
    )
    video.add_argument(
        '--track-iou-thr',
        type=float,
        default=0.3,
        help='minimum box IoU to continue a track (default 0.3)',
    )
    parser.add_argument(
        '--human-model-path',
        help='human_model_files root (sets model.body_model.model_path)',
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value',
    )
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error('--batch-size must be >= 1')
    is_onnx = args.checkpoint.lower().endswith('.onnx')
    if args.backend == 'pytorch' and is_onnx:
        parser.error(
            f'{args.checkpoint} is an ONNX model: add --backend onnxruntime'
        )
    if args.backend == 'onnxruntime':
        if not is_onnx:
            parser.error(
                '--backend onnxruntime runs an .onnx export (tools/'
                f'deployment/export_onnx.py), got {args.checkpoint}'
            )
        if args.smooth:
            parser.error(
                '--smooth re-runs the body model on the smoothed '
                'parameters: use --backend pytorch'
            )
        if args.human_model_path or args.cfg_options:
            parser.error(
                '--human-model-path and --cfg-options do not apply to '
                '--backend onnxruntime (the body model is inside the .onnx '
                'file)'
            )
    return args


def box_source(args) -> Tuple[Optional[np.ndarray], Optional[dict]]:
    """The person boxes of the arguments: fixed boxes (MeshInferencer
    ``bboxes``) or a detector config (its ``detector``); (None, None) is
    the whole image."""
    from h4w.apis import person_detector_config

    given = [args.bbox, args.bbox_json, args.detector]
    if sum(bool(g) for g in given) > 1:
        raise SystemExit('give one of --bbox, --bbox-json and --detector')
    if args.bbox:
        return np.array(args.bbox, dtype=np.float64), None
    if args.bbox_json:
        return None, dict(
            type='JSONPersonDetector',
            path=args.bbox_json,
            score_thr=args.score_thr,
            category_id=None if args.category_id < 0 else args.category_id,
        )
    if args.detector:
        return None, person_detector_config(args.detector)
    return None, None


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    from mmengine.logging import print_log
    from mmengine.utils import ProgressBar

    from h4w.apis import (
        MeshInferencer,
        ResultWriter,
        build_person_detector,
        count_frames,
    )

    cfg_options = dict(args.cfg_options or {})
    if args.human_model_path:
        cfg_options['model.body_model.model_path'] = args.human_model_path
    total = count_frames(args.input)  # checks every input first
    for path, what in ((args.config, 'config'), (args.checkpoint, 'model')):
        if not osp.isfile(path):
            raise SystemExit(f'{what} file not found: {path}')
    bboxes, detector = box_source(args)
    # built before the model, so a bad file fails fast
    detector = build_person_detector(detector)
    inferencer = MeshInferencer(
        args.config,
        args.checkpoint,
        device=args.device,
        cfg_options=cfg_options,
        batch_size=args.batch_size,
        renderer=args.renderer,
        side_view=args.side_view,
        smooth=args.smooth,
        smooth_cfg=dict(
            min_cutoff=args.smooth_min_cutoff, beta=args.smooth_beta
        ),
        track_iou_thr=args.track_iou_thr,
        detector=detector,
        backend=args.backend,
    )
    writer = ResultWriter(
        args.out_dir,
        inferencer.faces,
        inferencer.layout.prefix,
        save_meshes=not args.no_meshes,
    )
    progress = ProgressBar(total)
    people = frames = 0
    with writer:
        for frame in inferencer(args.input, bboxes=bboxes):
            if not frame.params:
                print_log(
                    f'\n{frame.name}: no person, the frame is written '
                    'unchanged',
                    logger='current',
                    level=logging.WARNING,
                )
            writer.add(frame)
            people += len(frame.params)
            frames += 1
            progress.update()
    print(
        f'\n{people} people in {frames} images / frames; outputs in '
        f'{osp.abspath(args.out_dir)}'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
