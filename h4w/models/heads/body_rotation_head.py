"""Body rotation, shape and camera head (``body_rotation_net``, §2.11)."""

from typing import Dict

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
class BodyRotationHead(BaseModule):
    """Root and 21 body rotations from body-joint features plus the hand
    features at the four MCP joints of each hand; shape and camera from
    the pooled body feature.

    Args:
        in_channels (int): Body feature channels (2048).
        hand_channels (int): Hand feature channels (2048).
        num_body_joints (int): Body joints sampled (25).
        num_hand_joints (int): Joints sampled per hand (4 MCPs).
        feat_channels (int): Channels after the 1x1 convs (512).
        num_rotations (int): Body rotations predicted (21).
        shape_dim (int): Shape parameters (10).

    Note:
        N: batch. Joint features (N, 25 + 4 + 4, 515) -> (N, 16995).
    """

    def __init__(
        self,
        in_channels: int = 2048,
        hand_channels: int = 2048,
        num_body_joints: int = 25,
        num_hand_joints: int = 4,
        feat_channels: int = 512,
        num_rotations: int = 21,
        shape_dim: int = 10,
        init_cfg=None,
    ) -> None:
        super().__init__(init_cfg)
        self.body_conv = make_conv_layers(
            [in_channels, feat_channels], kernel=1, stride=1, padding=0
        )
        self.lhand_conv = make_conv_layers(
            [hand_channels, feat_channels], kernel=1, stride=1, padding=0
        )
        self.rhand_conv = make_conv_layers(
            [hand_channels, feat_channels], kernel=1, stride=1, padding=0
        )
        flat = (num_body_joints + 2 * num_hand_joints) * (feat_channels + 3)
        self.root_pose_out = make_linear_layers([flat, 6], relu_final=False)
        self.body_pose_out = make_linear_layers(
            [flat, num_rotations * 6], relu_final=False
        )
        self.shape_out = make_linear_layers(
            [in_channels, shape_dim], relu_final=False
        )
        self.cam_out = make_linear_layers([in_channels, 3], relu_final=False)
        self.apply(init_head_weights)

    def forward(
        self,
        img_feat: Tensor,
        body_joint_img: Tensor,
        lhand_feat: Tensor,
        lhand_joint_img: Tensor,
        rhand_feat: Tensor,
        rhand_joint_img: Tensor,
    ) -> Dict[str, Tensor]:
        """Args:
            img_feat (Tensor): (N, 2048, 8, 6) body feature.
            body_joint_img (Tensor): (N, 25, 3) body heat-map coordinates.
            lhand_feat, rhand_feat (Tensor): (N, 2048, 8, 8) un-flipped hand
                features.
            lhand_joint_img, rhand_joint_img (Tensor): (N, 4, 3) MCP
                coordinates in hand heat-map units.
            All coordinates are detached by the caller.

        Returns:
            dict: ``root_pose`` (N, 3) and ``body_pose`` (N, 63)
            axis-angle, ``shape`` (N, 10), ``cam_param`` (N, 3).
        """
        pooled = img_feat.mean((2, 3))
        shape = self.shape_out(pooled)
        cam_param = self.cam_out(pooled)
        feats = []
        for conv, feat, coords in (
            (self.body_conv, img_feat, body_joint_img),
            (self.lhand_conv, lhand_feat, lhand_joint_img),
            (self.rhand_conv, rhand_feat, rhand_joint_img),
        ):
            sampled = sample_joint_features(conv(feat), coords[:, :, :2])
            feats.append(torch.cat((sampled, coords), dim=2))
        feat = torch.cat(feats, dim=1).flatten(1)
        n = img_feat.shape[0]
        root_pose = rot6d_to_axis_angle(self.root_pose_out(feat))
        body_pose = rot6d_to_axis_angle(
            self.body_pose_out(feat).reshape(-1, 6)
        ).reshape(n, -1)
        return dict(
            root_pose=root_pose,
            body_pose=body_pose,
            shape=shape,
            cam_param=cam_param,
        )
