"""Write what the data pipeline produces to image files.

For every sample: the network input crop with the dataset keypoints
(green, red when truncated), the body-model fit's joints (blue), the
hand / face boxes (from their targets) and, with ``--show-mesh``, the
fitted mesh as a translucent overlay. The fit targets come from the
config's data preprocessor, so this checks exactly what the model is
trained on.

Examples:
    python tools/misc/browse_dataset.py \
        configs/hand4whole/stage1_h36m_mpii_coco.py --output-dir vis
    python tools/misc/browse_dataset.py CONFIG --phase test --max-samples 8 \
        --cfg-options test_dataloader.dataset.data_root=data/EHF
"""

import argparse
import os
import os.path as osp
import sys

# Configs may load plugins from projects/ (``custom_imports``): the
# repository root goes on sys.path, as the launchers' PYTHONPATH
# puts it (mmdet style).
sys.path.insert(
    0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
)

import numpy as np
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from h4w.structures.keypoint import affine_points, flip_x
from h4w.utils.arrays import to_numpy

PREFIXES = ('smplx', 'smpl', 'mano', 'flame')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Write pipeline outputs (crop, 2D joints, part boxes, '
        'mesh overlay) to image files.',
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--phase',
        default='train',
        choices=['train', 'val', 'test'],
        help='which dataloader to browse (default: train)',
    )
    parser.add_argument(
        '--output-dir',
        default='work_dirs/browse_dataset',
        help='folder for the images (created)',
    )
    parser.add_argument(
        '--max-samples',
        type=int,
        default=20,
        help='number of samples to write (default: 20)',
    )
    parser.add_argument(
        '--show-mesh',
        action='store_true',
        help='overlay the fitted mesh (needs the body-model files)',
    )
    parser.add_argument(
        '--seed', type=int, default=0, help='seed of the augmentation draws'
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. '
        'train_dataloader.dataset.datasets_3d.0.data_root=data/Human36M',
    )
    return parser.parse_args(argv)


def _np(value):
    """The first row of a per-instance field, as NumPy."""
    return to_numpy(value)[0]


def _mesh_in_crop(sample, prefix):
    """Project the fit's mesh (camera frame, before the augmentation)
    into the crop: original pixels, flip, then img2bb_trans."""
    gt, params = sample.gt_instances, sample.gt_params
    verts = _np(gt[f'{prefix}_mesh_cam']).astype(np.float64)
    focal, princpt = _np(params.focal), _np(params.princpt)
    xy = verts[:, :2] / verts[:, 2:3] * focal + princpt
    if sample.metainfo.get('flip', False):
        xy[:, 0] = flip_x(xy[:, 0], sample.ori_shape[1])
    trans = np.asarray(sample.img2bb_trans, dtype=np.float64)
    return affine_points(xy, trans), verts[:, 2]


def render_sample(image, sample, codec, faces=None, prefix=None):
    """The annotated crop (H, W, 3) uint8 RGB."""
    from h4w.visualization import draw_boxes, draw_keypoints, draw_mesh

    crop = np.ascontiguousarray(image.permute(1, 2, 0).numpy()).clip(0, 255)
    crop = crop.astype(np.uint8).copy()
    gt = sample.gt_instances if 'gt_instances' in sample else {}
    if (
        faces is not None
        and prefix
        and f'{prefix}_mesh_cam' in gt
        and 'gt_params' in sample
        and 'focal' in sample.gt_params
    ):
        verts_2d, depth = _mesh_in_crop(sample, prefix)
        draw_mesh(crop, verts_2d, depth, faces, (230, 200, 180), alpha=0.5)
    if prefix and f'{prefix}_joint_img' in gt:
        pts = codec.heatmap_to_crop(
            _np(gt[f'{prefix}_joint_img']).astype(float)
        )
        draw_keypoints(
            crop, pts, _np(gt[f'{prefix}_joint_valid']), (0, 80, 255), 2
        )
    if 'joint_img' in gt:
        pts = codec.heatmap_to_crop(_np(gt['joint_img']).astype(float))
        valid = _np(gt['joint_valid']).reshape(-1) > 0
        trunc = _np(gt['joint_trunc']).reshape(-1) > 0
        draw_keypoints(crop, pts, valid & trunc, (0, 220, 0))
        draw_keypoints(crop, pts, valid & ~trunc, (255, 0, 0))
    for part in ('lhand', 'rhand', 'face'):
        if f'{part}_bbox_valid' in gt and _np(gt[f'{part}_bbox_valid']) > 0:
            center = _np(gt[f'{part}_bbox_center'])
            size = _np(gt[f'{part}_bbox_size'])
            box = np.concatenate([center - size / 2, center + size / 2])
            box = codec.heatmap_to_crop(box.reshape(2, 2)).reshape(4)
            draw_boxes(
                crop, box, (0, 255, 255) if part == 'face' else (255, 0, 255)
            )
    return crop


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'h4w'))
    import random

    from h4w.models.task_modules import build_target_generator
    from h4w.registry import DATASETS, MODELS
    from h4w.utils.config_utils import fill_codec
    from h4w.utils.image_io import write_image

    fill_codec(cfg)
    random.seed(args.seed)
    np.random.seed(args.seed)
    dataset = DATASETS.build(cfg[f'{args.phase}_dataloader'].dataset)
    preprocessor = MODELS.build(cfg.model.data_preprocessor)
    # the estimator's target generator, without building the network
    generator = build_target_generator(
        cfg.model.body_model,
        cfg.model.codec,
        cfg.model.get('target_generator'),
    )
    prefix = generator.layout.prefix
    faces = None
    if args.show_mesh:
        layer = next(iter(generator.body_models.values()))
        faces = layer.faces.cpu().numpy().astype(np.int64)
    os.makedirs(args.output_dir, exist_ok=True)
    count = min(args.max_samples, len(dataset))
    print(
        f'{type(dataset).__name__}: {len(dataset)} samples; writing '
        f'{count} to {args.output_dir}'
    )
    for i in range(count):
        data = preprocessor(pseudo_collate([dataset[i]]), True)
        generator(data['data_samples'])
        sample = data['data_samples'][0]
        image = data['inputs'][0] * preprocessor.std + preprocessor.mean
        crop = render_sample(image, sample, generator.codec, faces, prefix)
        name = osp.splitext(
            osp.basename(sample.metainfo.get('img_path', 'sample'))
        )[0]
        path = osp.join(args.output_dir, f'{i:05d}_{name}.png')
        write_image(path, crop)
        print(f'[{i + 1}/{count}] {path}', flush=True)


if __name__ == '__main__':
    main()
