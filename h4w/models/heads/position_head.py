"""Joint position head: 3D heat map + soft-argmax (spec §2.4, §2.9)."""

from typing import Tuple

import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from h4w.registry import MODELS

from ..utils import init_head_weights, make_conv_layers, soft_argmax_3d


@MODELS.register_module()
class PositionHead(BaseModule):
    """``PositionNet`` of the reference: a 1x1 conv to ``J * D`` channels,
    read as a (J, D, H, W) heat map, and a 3D soft-argmax.

    Used for the body (25 joints), the hands (20) and the Pose2Pose
    body (25) / hand (21) models.

    Args:
        in_channels (int): Feature channels (2048 for ResNet-50).
        num_joints (int): J.
        depth_dim (int): D, number of depth bins (8).

    Note:
        N: batch, C: channels, H/W: feature map size.
    """

    def __init__(
        self,
        in_channels: int = 2048,
        num_joints: int = 25,
        depth_dim: int = 8,
        init_cfg=None,
    ) -> None:
        super().__init__(init_cfg)
        self.num_joints = num_joints
        self.depth_dim = depth_dim
        self.conv = make_conv_layers(
            [in_channels, num_joints * depth_dim],
            kernel=1,
            stride=1,
            padding=0,
            bnrelu_final=False,
        )
        self.apply(init_head_weights)

    def forward(self, feat: Tensor) -> Tuple[Tensor, Tensor]:
        """Args:
            feat (Tensor): (N, C, H, W).

        Returns:
            tuple: ``heatmap`` (N, J, D, H, W) softmax probabilities and
            ``coords`` (N, J, 3) as (x, y, z) heat-map indices.
        """
        n, _, h, w = feat.shape
        logits = self.conv(feat).reshape(
            n, self.num_joints, self.depth_dim, h, w
        )
        coords = soft_argmax_3d(logits)
        prob = F.softmax(logits.reshape(n, self.num_joints, -1), dim=2)
        return prob.reshape_as(logits), coords
