"""Finger rotation head (``hand_rotation_net``, spec §2.9)."""

import torch
from mmengine.model import BaseModule
from torch import Tensor

from h4w.registry import MODELS

from ..utils import (
    init_head_weights,
    make_conv_layers,
    make_linear_layers,
    rot6d_to_axis_angle,
    sample_joint_features,
)


@MODELS.register_module()
class HandRotationHead(BaseModule):
    """15 finger rotations of a (right-looking) hand from the hand feature
    sampled at the 20 predicted hand joints.

    Args:
        in_channels (int): Hand feature channels (2048).
        num_joints (int): Joints sampled (20).
        feat_channels (int): Channels after ``hand_conv`` (512).
        num_rotations (int): Finger joints predicted (15).

    Note:
        M: number of hand crops (2N: left flipped, then right).
    """

    def __init__(
        self,
        in_channels: int = 2048,
        num_joints: int = 20,
        feat_channels: int = 512,
        num_rotations: int = 15,
        init_cfg=None,
    ) -> None:
        super().__init__(init_cfg)
        self.num_rotations = num_rotations
        self.hand_conv = make_conv_layers(
            [in_channels, feat_channels], kernel=1, stride=1, padding=0
        )
        self.hand_pose_out = make_linear_layers(
            [num_joints * (feat_channels + 3), num_rotations * 6],
            relu_final=False,
        )
        self.apply(init_head_weights)

    def forward(self, hand_feat: Tensor, joint_img: Tensor) -> Tensor:
        """Args:
            hand_feat (Tensor): (M, C, 8, 8).
            joint_img (Tensor): (M, 20, 3) hand heat-map coordinates
                (detached by the caller).

        Returns:
            Tensor: (M, 45) axis-angle finger poses (SMPL-X hand order).
        """
        feat = self.hand_conv(hand_feat)
        feat = sample_joint_features(feat, joint_img[:, :, :2])
        feat = torch.cat((feat, joint_img), dim=2).flatten(1)
        pose_6d = self.hand_pose_out(feat)
        return rot6d_to_axis_angle(pose_6d.reshape(-1, 6)).reshape(
            hand_feat.shape[0], -1
        )
