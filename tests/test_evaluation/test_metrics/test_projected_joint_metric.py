"""ProjectedJointMetric: crop-pixel distances of the valid joints."""

import numpy as np
import pytest
import torch

from h4w.evaluation import ProjectedJointMetric


def sample(pred, gt, valid, img_shape=(256, 192)):
    return dict(
        img_shape=img_shape,
        pred_instances=dict(smplx_joint_proj=torch.tensor([pred])),
        gt_instances=dict(
            smplx_joint_img=torch.tensor([gt]),
            smplx_joint_trunc=torch.tensor([valid])[..., None],
        ),
    )


def test_heatmap_units_become_crop_pixels():
    metric = ProjectedJointMetric(heatmap_size=(8, 4, 3), prefix='S')
    # crop 256x192 over a 4x3 heat map: 64 px per unit in x and y
    metric.process(
        None,
        [
            # 1 unit down (64 px), exact, and an invalid far-off joint
            sample(
                [[1.0, 1.0], [2.0, 2.0], [0.0, 0.0]],
                [[1.0, 2.0, 5.0], [2.0, 2.0, 0.0], [3.0, 4.0, 0.0]],
                [1.0, 1.0, 0.0],
            ),
            # 3-4-5 triangle in units of 64 px, on a 2x-wide crop
            sample([[0.0, 0.0]], [[1.5, 4.0, 0.0]], [1.0], (512, 384)),
            # no valid joint: left out
            sample([[0.0, 0.0]], [[1.0, 1.0, 0.0]], [0.0]),
        ],
    )
    result = metric.evaluate(3)
    expected = np.mean([32.0, np.hypot(1.5 * 128, 4.0 * 128)])
    assert result == {'S/MPJPE_2d': pytest.approx(expected)}


def test_missing_field_is_named():
    metric = ProjectedJointMetric(heatmap_size=(4, 3))
    bad = sample([[0.0, 0.0]], [[0.0, 0.0, 0.0]], [1.0])
    del bad['pred_instances']['smplx_joint_proj']
    with pytest.raises(KeyError, match='smplx_joint_proj'):
        metric.process(None, [bad])
