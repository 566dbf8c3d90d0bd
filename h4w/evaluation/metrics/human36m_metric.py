"""Human3.6M joint errors (spec §6.4)."""

from typing import Dict, Optional, Sequence

from h4w.registry import METRICS
from ..functional import mean_point_error
from .utils import (
    BodyModelMetric,
    ConfigType,
    instance_array,
    log_metrics,
    mean_in_mm,
)

H36M_EVAL_JOINTS = (1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 13, 14, 15, 16)


@METRICS.register_module()
class Human36MMetric(BodyModelMetric):
    """MPJPE and PA-MPJPE of the 17 Human3.6M joints regressed from the
    predicted mesh.

    Per sample: prediction ``J P`` with ``J`` the body model's
    ``h36m_regressor`` (17, V) and ``P`` the predicted mesh; both it and
    the GT joints are made relative to joint ``root_idx``; errors over the
    ``eval_joints`` (14), PA after :func:`rigid_align` on those joints.
    Means over samples in millimetres.

    Args:
        body_model (dict): SMPL-X or SMPL config with
            ``h36m_regressor_file``.
        pred_key (str): Predicted mesh in ``pred_instances``:
            ``'smplx_mesh_cam'`` (Hand4Whole, default) or
            ``'smpl_mesh_cam'`` (Pose2Pose).
        gt_key (str): GT joints (1, 17, 3) in metres in ``gt_instances``.
            Defaults to ``'keypoints_cam'``.
        eval_joints (Sequence[int]): Evaluated H36M joints.
        root_idx (int): Root (pelvis) joint. Defaults to 0.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Defaults to ``'H36M'``.
        collect_dir (str, optional): CPU collection folder.
    """

    default_prefix: Optional[str] = 'H36M'
    body_arrays_needed = ('h36m_regressor',)
    metric_names = ('MPJPE', 'PA-MPJPE')

    def __init__(
        self,
        body_model: ConfigType,
        pred_key: str = 'smplx_mesh_cam',
        gt_key: str = 'keypoints_cam',
        eval_joints: Sequence[int] = H36M_EVAL_JOINTS,
        root_idx: int = 0,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
        collect_dir: Optional[str] = None,
    ) -> None:
        super().__init__(
            body_model,
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir,
        )
        self.pred_key = pred_key
        self.gt_key = gt_key
        self.eval_joints = list(eval_joints)
        self.root_idx = root_idx

    def process(
        self, data_batch: Optional[dict], data_samples: Sequence[dict]
    ) -> None:
        """Store the per-sample errors (metres) of a batch.

        Args:
            data_batch (dict, optional): Unused.
            data_samples (Sequence[dict]): Data-sample dicts with
                ``gt_instances[gt_key]`` (1, 17, 3) and
                ``pred_instances[pred_key]`` (1, V, 3), metres.
        """
        regressor = self.body_arrays['h36m_regressor']
        for sample in data_samples:
            gt = instance_array(sample, 'gt_instances', self.gt_key)
            pred = regressor @ instance_array(
                sample, 'pred_instances', self.pred_key
            )
            gt = gt - gt[self.root_idx]
            pred = pred - pred[self.root_idx]
            gt, pred = gt[self.eval_joints], pred[self.eval_joints]
            self.results.append(
                {
                    'MPJPE': float(mean_point_error(pred, gt)),
                    'PA-MPJPE': float(
                        mean_point_error(pred, gt, 'procrustes')
                    ),
                }
            )

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Mean MPJPE and PA-MPJPE in mm."""
        metrics = mean_in_mm(results, self.metric_names)
        log_metrics(
            f'{self.prefix} joint errors ({len(results)} samples):', metrics
        )
        return metrics
