"""3DPW joint and mesh errors of Pose2Pose (spec §6.5)."""

from typing import Dict, Optional

from h4w.registry import METRICS
from h4w.utils.typing import ConfigType

from ..functional import mean_point_error
from .utils import H36MJointMetric


@METRICS.register_module()
class PW3DMetric(H36MJointMetric):
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
    metric_names = ('MPJPE', 'PA-MPJPE', 'MPVPE', 'PA-MPVPE')
    errors_title = 'joint and mesh errors'

    def __init__(
        self,
        body_model: ConfigType,
        pred_key: str = 'smpl_mesh_cam',
        gt_key: str = 'smpl_mesh_cam',
        **kwargs,
    ) -> None:
        super().__init__(body_model, pred_key, gt_key, **kwargs)

    def sample_result(self, data_sample: dict) -> Dict[str, float]:
        """Errors (metres) of a data-sample dict with
        ``gt_instances[gt_key]`` and ``pred_instances[pred_key]``
        (1, 6890, 3), metres."""
        gt_mesh = self.gt_array(data_sample)
        pred_mesh = self.pred_array(data_sample)
        gt_joints = self.regress(gt_mesh)
        pred_joints = self.regress(pred_mesh)
        errors = self.joint_errors(pred_joints, gt_joints)
        gt_mesh = gt_mesh - gt_joints[self.root_idx]
        pred_mesh = pred_mesh - pred_joints[self.root_idx]
        errors['MPVPE'] = float(mean_point_error(pred_mesh, gt_mesh))
        errors['PA-MPVPE'] = float(
            mean_point_error(pred_mesh, gt_mesh, 'procrustes')
        )
        return errors
