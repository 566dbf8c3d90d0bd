"""3DPW joint and mesh errors of Pose2Pose (spec §6.5)."""

from typing import Dict, Optional, Sequence

from h4w.registry import METRICS
from ..functional import mean_point_error
from .human36m_metric import H36M_EVAL_JOINTS
from .utils import (
    BodyModelMetric,
    ConfigType,
    instance_array,
    log_metrics,
    mean_in_mm,
)


@METRICS.register_module()
class PW3DMetric(BodyModelMetric):
    """MPJPE, PA-MPJPE, MPVPE and PA-MPVPE on 3DPW (SMPL meshes).

    Per sample, with ``J`` the body model's ``h36m_regressor`` (17, 6890),
    ``G`` the GT and ``P`` the predicted mesh (metres):

    * ``MPJPE`` / ``PA-MPJPE``: ``J G`` and ``J P`` relative to joint
      ``root_idx``, on the ``eval_joints`` (14); PA after
      :func:`rigid_align` on those joints.
    * ``MPVPE`` / ``PA-MPVPE``: both meshes translated so that their H36M
      root joint is at the origin; mean vertex error, and after
      :func:`rigid_align` of the centred meshes.

    Means over samples in millimetres, in the order above.

    Args:
        body_model (dict): SMPL config with ``h36m_regressor_file``.
        pred_key (str): Predicted mesh in ``pred_instances``. Defaults to
            ``'smpl_mesh_cam'``.
        gt_key (str): GT mesh in ``gt_instances``. Defaults to
            ``'smpl_mesh_cam'``.
        eval_joints (Sequence[int]): Evaluated H36M joints.
        root_idx (int): Root (pelvis) joint. Defaults to 0.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Defaults to ``'3DPW'``.
        collect_dir (str, optional): CPU collection folder.
    """

    default_prefix: Optional[str] = '3DPW'
    body_arrays_needed = ('h36m_regressor',)
    metric_names = ('MPJPE', 'PA-MPJPE', 'MPVPE', 'PA-MPVPE')

    def __init__(
        self,
        body_model: ConfigType,
        pred_key: str = 'smpl_mesh_cam',
        gt_key: str = 'smpl_mesh_cam',
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
                ``gt_instances[gt_key]`` and ``pred_instances[pred_key]``
                (1, 6890, 3), metres.
        """
        regressor = self.body_arrays['h36m_regressor']
        for sample in data_samples:
            gt_mesh = instance_array(sample, 'gt_instances', self.gt_key)
            pred_mesh = instance_array(sample, 'pred_instances', self.pred_key)
            gt_joints = regressor @ gt_mesh
            pred_joints = regressor @ pred_mesh
            gt_root = gt_joints[self.root_idx]
            pred_root = pred_joints[self.root_idx]
            gt_joints = (gt_joints - gt_root)[self.eval_joints]
            pred_joints = (pred_joints - pred_root)[self.eval_joints]
            gt_mesh = gt_mesh - gt_root
            pred_mesh = pred_mesh - pred_root
            self.results.append(
                {
                    'MPJPE': float(mean_point_error(pred_joints, gt_joints)),
                    'PA-MPJPE': float(
                        mean_point_error(pred_joints, gt_joints, 'procrustes')
                    ),
                    'MPVPE': float(mean_point_error(pred_mesh, gt_mesh)),
                    'PA-MPVPE': float(
                        mean_point_error(pred_mesh, gt_mesh, 'procrustes')
                    ),
                }
            )

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Mean MPJPE, PA-MPJPE, MPVPE and PA-MPVPE in mm."""
        metrics = mean_in_mm(results, self.metric_names)
        log_metrics(
            f'{self.prefix} joint and mesh errors ({len(results)} samples):',
            metrics,
        )
        return metrics
