"""Human3.6M joint errors (spec §6.4)."""

from typing import Dict, Optional

from h4w.registry import METRICS
from h4w.utils.typing import ConfigType

from .utils import H36M_EVAL_JOINTS, H36MJointMetric

__all__ = ['Human36MMetric', 'H36M_EVAL_JOINTS']


@METRICS.register_module()
class Human36MMetric(H36MJointMetric):
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
    metric_names = ('MPJPE', 'PA-MPJPE')

    def __init__(
        self,
        body_model: ConfigType,
        pred_key: str = 'smplx_mesh_cam',
        gt_key: str = 'keypoints_cam',
        **kwargs,
    ) -> None:
        super().__init__(body_model, pred_key, gt_key, **kwargs)

    def sample_result(self, data_sample: dict) -> Dict[str, float]:
        """Errors (metres) of a data-sample dict with
        ``gt_instances[gt_key]`` (1, 17, 3) and ``pred_instances[pred_key]``
        (1, V, 3), metres."""
        gt = self.gt_array(data_sample)
        pred = self.regress(self.pred_array(data_sample))
        return self.joint_errors(pred, gt)
