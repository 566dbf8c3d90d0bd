"""Random packed batches (``inputs`` + ``MeshDataSample``) for model tests.

They follow the data contract of :class:`MeshDataSample` and
:class:`~h4w.models.BodyModelTargetGenerator`: float32 images in [0, 255],
keypoint targets in heat-map units, body-model fits with a camera, and
the crop affine in the metainfo.
"""

from typing import Dict, Sequence

import numpy as np
import torch
from mmengine.structures import InstanceData

from h4w.body_models import FIT_PARAM_DIMS, PARAM_LAYOUTS
from h4w.body_models.joint_sets import (
    FLAME_JOINTS,
    MANO_JOINTS,
    SMPL_JOINTS,
    SMPLX_JOINTS,
)
from h4w.structures import MeshDataSample

#: Per body model: supervision joints, part box targets, parameter dims.
MODEL_LAYOUTS = dict(
    smplx=dict(
        num_joints=SMPLX_JOINTS.num_joints,
        boxes=True,
        params=FIT_PARAM_DIMS['smplx'],
    ),
    smpl=dict(
        num_joints=SMPL_JOINTS.num_joints,
        boxes=False,
        params=FIT_PARAM_DIMS['smpl'],
    ),
    mano=dict(
        num_joints=MANO_JOINTS.num_joints,
        boxes=False,
        params=FIT_PARAM_DIMS['mano'],
    ),
    flame=dict(
        num_joints=FLAME_JOINTS.num_joints,
        boxes=False,
        params=FIT_PARAM_DIMS['flame'],
    ),
)


def _crop_affine(rng):
    """A random (no rotation) crop: img2bb and bb2img (2, 3) matrices."""
    scale = rng.uniform(0.5, 1.5)
    offset = rng.uniform(-20, 20, 2)
    bb2img = np.array(
        [[scale, 0, offset[0]], [0, scale, offset[1]]], dtype=np.float32
    )
    img2bb = np.array(
        [
            [1 / scale, 0, -offset[0] / scale],
            [0, 1 / scale, -offset[1] / scale],
        ],
        dtype=np.float32,
    )
    return img2bb, bb2img


def get_packed_inputs(
    batch_size: int = 2,
    model_type: str = 'smplx',
    input_img_shape: Sequence[int] = (512, 384),
    output_hm_shape: Sequence[int] = (8, 8, 6),
    ori_shape: Sequence[int] = (480, 640),
    with_params: bool = True,
    seed: int = 0,
) -> Dict:
    """A batch as a dataloader would give it to the data preprocessor.

    Args:
        batch_size (int): N.
        model_type (str): ``smplx``, ``smpl``, ``mano`` or ``flame``.
        input_img_shape: (H, W) of the crop.
        output_hm_shape: (D, H, W) of the targets' heat-map units.
        ori_shape: (H, W) of the (virtual) original image.
        with_params (bool): Add ``gt_params`` body-model fits.
        seed (int): Seed.

    Returns:
        dict: ``inputs`` list of N (3, H, W) float32 tensors in [0, 255]
        and ``data_samples`` list of N :class:`MeshDataSample`.
    """
    layout = MODEL_LAYOUTS[model_type]
    rng = np.random.default_rng(seed)
    num_joints = layout['num_joints']
    d, hm_h, hm_w = output_hm_shape
    inputs, samples = [], []
    for i in range(batch_size):
        inputs.append(
            torch.from_numpy(
                rng.uniform(0, 255, (3, *input_img_shape)).astype(np.float32)
            )
        )
        img2bb, bb2img = _crop_affine(rng)
        sample = MeshDataSample(
            metainfo=dict(
                img_path=f'synthetic_{i}.jpg',
                ori_shape=tuple(ori_shape),
                img_shape=tuple(input_img_shape),
                img2bb_trans=img2bb,
                bb2img_trans=bb2img,
                flip=False,
                rot=0.0,
            )
        )
        joint_img = rng.uniform(0, 1, (1, num_joints, 3)) * [hm_w, hm_h, d]
        gt = InstanceData(
            joint_img=joint_img.astype(np.float32),
            joint_cam=rng.normal(0, 0.2, (1, num_joints, 3)).astype(
                np.float32
            ),
            joint_valid=np.ones((1, num_joints, 1), np.float32),
            joint_trunc=np.ones((1, num_joints, 1), np.float32),
            is_3d=np.ones(1, np.float32),
        )
        if layout['boxes']:
            for part in ('lhand', 'rhand', 'face'):
                center = rng.uniform(1, 5, (1, 2)).astype(np.float32)
                gt.set_field(center, f'{part}_bbox_center')
                gt.set_field(
                    rng.uniform(0.5, 1.5, (1, 2)).astype(np.float32),
                    f'{part}_bbox_size',
                )
                gt.set_field(np.ones(1, np.float32), f'{part}_bbox_valid')
        sample.gt_instances = gt
        if with_params:
            params = InstanceData()
            for name, dim in layout['params'].items():
                value = rng.normal(0, 0.2, (1, dim))
                if name == 'trans':
                    value = np.array([[0.0, 0.2, 6.0]]) + value * 0.1
                params.set_field(value.astype(np.float32), name)
            for block in PARAM_LAYOUTS[model_type].pose_blocks:
                if block.part is not None:  # SMPL-X hands and face
                    params.set_field(np.ones(1, bool), f'{block.part}_valid')
            params.focal = np.array([[1500.0, 1500.0]], np.float32)
            params.princpt = np.array(
                [[ori_shape[1] / 2, ori_shape[0] / 2]], np.float32
            )
            sample.gt_params = params
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)
