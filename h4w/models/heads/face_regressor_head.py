"""Face expression and jaw head (``face_regressor``, spec §2.12)."""

from typing import Dict

from mmengine.model import BaseModule
from torch import Tensor

from h4w.registry import MODELS

from ..utils import init_head_weights, make_linear_layers, rot6d_to_axis_angle


@MODELS.register_module()
class FaceRegressorHead(BaseModule):
    """Expression coefficients and jaw rotation from the pooled face
    feature.

    Args:
        in_channels (int): Face feature channels (512 for ResNet-18).
        expr_dim (int): Expression coefficients (10).
    """

    def __init__(
        self, in_channels: int = 512, expr_dim: int = 10, init_cfg=None
    ) -> None:
        super().__init__(init_cfg)
        self.expr_out = make_linear_layers(
            [in_channels, expr_dim], relu_final=False
        )
        self.jaw_pose_out = make_linear_layers(
            [in_channels, 6], relu_final=False
        )
        self.apply(init_head_weights)

    def forward(self, face_feat: Tensor) -> Dict[str, Tensor]:
        """Args:
            face_feat (Tensor): (N, C, H, W).

        Returns:
            dict: ``expr`` (N, 10) and ``jaw_pose`` (N, 3) axis-angle.
        """
        pooled = face_feat.mean((2, 3))
        return dict(
            expr=self.expr_out(pooled),
            jaw_pose=rot6d_to_axis_angle(self.jaw_pose_out(pooled)),
        )
