"""SMPL layer (Pose2Pose body, spec §3.4)."""

from typing import Dict, Optional

from torch import Tensor

from h4w.body_models import SMPL_LAYOUT
from h4w.body_models.joint_sets import SMPL_JOINT_SOURCES
from h4w.registry import MODELS

from .base_body_model import (
    BaseBodyModel,
    check_gender,
    regressor_from_sources,
)


@MODELS.register_module()
class SMPLModel(BaseBodyModel):
    """SMPL with the 33-joint supervision regressor of Pose2Pose.

    Args:
        model_path (str): ``human_model_files`` root.
        gender (str): ``'neutral'``, ``'male'`` or ``'female'``.
        num_betas (int): Defaults to 10.
        h36m_regressor_file (str, optional): 17x6890 Human3.6M regressor,
            relative to ``model_path``.

    Buffers: ``joint_regressor`` (33, 6890), ``faces`` and, when given,
    ``h36m_regressor`` (17, 6890).
    """

    model_type = 'smpl'
    param_layout = SMPL_LAYOUT

    def __init__(
        self,
        model_path: Optional[str] = None,
        gender: str = 'neutral',
        num_betas: int = 10,
        h36m_regressor_file: Optional[str] = None,
    ) -> None:
        check_gender(gender)
        super().__init__(
            model_path,
            file_name=f'SMPL_{gender.upper()}.pkl',
            layer_kwargs=dict(gender=gender, num_betas=num_betas),
            param_dims=dict(betas=num_betas, global_orient=3, body_pose=69),
        )
        self.register_buffer(
            'joint_regressor',
            regressor_from_sources(
                [src for _, src in SMPL_JOINT_SOURCES], self.layer.J_regressor
            ),
            persistent=False,
        )
        if h36m_regressor_file is not None:
            self.add_aux_buffer(
                'h36m_regressor',
                h36m_regressor_file,
                'Human3.6M SMPL regressor',
                self.layer.J_regressor.dtype,
            )

    def forward(self, **params: Tensor) -> Dict[str, Tensor]:
        """Run SMPL.

        Args:
            **params: ``betas`` (N,10), ``global_orient`` (N,3),
                ``body_pose`` (N,69), ``transl`` (N,3); missing are zeros.

        Returns:
            dict: ``vertices`` (N,6890,3), ``output_joints`` (N,45,3)
            (layer output) and ``joints`` (N,33,3) (supervision set).
        """
        output = self.run_layer(**params)
        joints = self.joint_regressor @ output.vertices
        return dict(
            vertices=output.vertices,
            output_joints=output.joints,
            joints=joints,
        )
