"""Image-space error of the projected joints: how well the predicted
camera and joints land on the person."""

from typing import Dict, List, Sequence

import numpy as np

from h4w.registry import METRICS

from .utils import PerSampleMetric, instance_array, log_metrics, meta_value

__all__ = ['ProjectedJointMetric']


@METRICS.register_module()
class ProjectedJointMetric(PerSampleMetric):
    """Mean 2D distance, in crop pixels, between the predicted joints
    projected through the predicted camera and the ground-truth joints.

    The mesh errors (MPVPE ...) align the prediction to the ground truth
    at the root first, so they cannot see the camera; this metric does:
    it is what the projected-joint loss trains (spec §2.14, §4.4).

    Both arrays are in body heat-map units of the crop: the prediction
    ``pred_instances[pred_key]`` (1, J, 2), the ground truth
    ``gt_instances[gt_key]`` (1, J, 2|3) with the joints inside the crop
    marked by ``gt_instances[valid_key]`` (1, J, 1). Heat-map units become
    crop pixels with ``img_shape`` (the crop (H, W) of the sample's
    metainfo) and ``heatmap_size``.

    Metric: ``MPJPE_2d`` (crop pixels), mean over samples of the mean over
    their valid joints (samples without a valid joint are left out).

    Args:
        heatmap_size (Sequence[int]): Body heat map (D, H, W) or (H, W),
            e.g. ``codec['heatmap_size']`` of the config.
        pred_key (str): Defaults to ``'smplx_joint_proj'``.
        gt_key (str): Defaults to ``'smplx_joint_img'``.
        valid_key (str): Defaults to ``'smplx_joint_trunc'``.
        prefix (str, optional): Metric-name prefix, e.g. ``'Synthetic'``.
        collect_device (str): As :class:`mmengine.evaluator.BaseMetric`.
    """

    metric_names = ('MPJPE_2d',)

    def __init__(
        self,
        heatmap_size: Sequence[int],
        pred_key: str = 'smplx_joint_proj',
        gt_key: str = 'smplx_joint_img',
        valid_key: str = 'smplx_joint_trunc',
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.heatmap_hw = tuple(int(v) for v in heatmap_size)[-2:]
        self.pred_key = pred_key
        self.gt_key = gt_key
        self.valid_key = valid_key

    def sample_result(self, data_sample: dict) -> float:
        """Mean distance (crop pixels) over the valid joints of one
        sample; NaN when none is valid."""
        pred = instance_array(data_sample, 'pred_instances', self.pred_key)
        gt = instance_array(data_sample, 'gt_instances', self.gt_key)
        valid = instance_array(data_sample, 'gt_instances', self.valid_key)
        valid = valid.reshape(-1) > 0
        if not valid.any():
            return float('nan')
        crop_h, crop_w = meta_value(data_sample, 'img_shape')[:2]
        scale = np.array(
            [crop_w / self.heatmap_hw[1], crop_h / self.heatmap_hw[0]]
        )
        distances = np.linalg.norm((pred[:, :2] - gt[:, :2]) * scale, axis=1)
        return float(distances[valid].mean())

    def compute_metrics(self, results: List[float]) -> Dict[str, float]:
        errors = [e for e in results if np.isfinite(e)]
        metrics = {'MPJPE_2d': float(np.mean(errors)) if errors else np.nan}
        log_metrics(
            f'Projected joint error ({len(errors)} samples)',
            metrics,
            unit='px',
        )
        return metrics
