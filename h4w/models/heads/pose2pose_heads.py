"""Heads of the Pose2Pose body, hand and face models (spec §2.18)."""

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
class Pose2PoseRotationHead(BaseModule):
    """``rotation_net`` of the Pose2Pose body / hand models: root and
    part rotations from the feature sampled at the predicted joints,
    shape and camera from the pooled feature.

    Args:
        in_channels (int): Feature channels (2048).
        num_joints (int): Joints sampled (body 25, hand 21).
        num_rotations (int): Rotations after the root (body 21, hand 15).
        feat_channels (int): Channels after ``conv`` (512).
        shape_dim (int): Shape parameters (10).
        num_extra_rotations (int): Zero rotations appended to the pose
            (body: 2, the SMPL hand joints; hand: 0).

    Note:
        N: batch. Joint features (N, J, 515) -> (N, 515 J).
    """

    def __init__(
        self,
        in_channels: int = 2048,
        num_joints: int = 25,
        num_rotations: int = 21,
        feat_channels: int = 512,
        shape_dim: int = 10,
        num_extra_rotations: int = 0,
        init_cfg=None,
    ) -> None:
        super().__init__(init_cfg)
        self.num_extra_rotations = num_extra_rotations
        self.conv = make_conv_layers(
            [in_channels, feat_channels], kernel=1, stride=1, padding=0
        )
        flat = num_joints * (feat_channels + 3)
        self.root_pose_out = make_linear_layers([flat, 6], relu_final=False)
        self.pose_out = make_linear_layers(
            [flat, num_rotations * 6], relu_final=False
        )
        self.shape_out = make_linear_layers(
            [in_channels, shape_dim], relu_final=False
        )
        self.cam_out = make_linear_layers([in_channels, 3], relu_final=False)
        self.apply(init_head_weights)

    def forward(
        self, img_feat: Tensor, joint_img: Tensor
    ) -> Dict[str, Tensor]:
        """Args:
            img_feat (Tensor): (N, C, H, W).
            joint_img (Tensor): (N, J, 3) heat-map coordinates (detached by
                the caller).

        Returns:
            dict: ``root_pose`` (N, 3), ``pose`` (N, 3 * (num_rotations +
            num_extra_rotations)) axis-angle, ``shape`` (N, 10),
            ``cam_param`` (N, 3).
        """
        n = img_feat.shape[0]
        pooled = img_feat.mean((2, 3))
        shape = self.shape_out(pooled)
        cam_param = self.cam_out(pooled)
        feat = sample_joint_features(self.conv(img_feat), joint_img[:, :, :2])
        feat = torch.cat((feat, joint_img), dim=2).flatten(1)
        root_pose = rot6d_to_axis_angle(self.root_pose_out(feat))
        pose = rot6d_to_axis_angle(self.pose_out(feat).reshape(-1, 6))
        pose = pose.reshape(n, -1)
        if self.num_extra_rotations:
            pose = torch.cat(
                (pose, pose.new_zeros(n, 3 * self.num_extra_rotations)), 1
            )
        return dict(
            root_pose=root_pose, pose=pose, shape=shape, cam_param=cam_param
        )


@MODELS.register_module()
class Pose2PoseFaceHead(BaseModule):
    """``regressor`` of the Pose2Pose face model: FLAME root and jaw
    rotations, shape, expression and camera from the pooled feature.

    Args:
        in_channels (int): Feature channels (2048).
        shape_dim (int): Shape parameters (10).
        expr_dim (int): Expression coefficients (10).
    """

    def __init__(
        self,
        in_channels: int = 2048,
        shape_dim: int = 10,
        expr_dim: int = 10,
        init_cfg=None,
    ) -> None:
        super().__init__(init_cfg)
        self.pose_out = make_linear_layers([in_channels, 12], relu_final=False)
        self.shape_out = make_linear_layers(
            [in_channels, shape_dim], relu_final=False
        )
        self.expr_out = make_linear_layers(
            [in_channels, expr_dim], relu_final=False
        )
        self.cam_out = make_linear_layers([in_channels, 3], relu_final=False)
        self.apply(init_head_weights)

    def forward(self, img_feat: Tensor) -> Dict[str, Tensor]:
        """Args:
            img_feat (Tensor): (N, C, H, W).

        Returns:
            dict: ``root_pose``, ``jaw_pose`` (N, 3) axis-angle, ``shape``
            (N, 10), ``expr`` (N, 10), ``cam_param`` (N, 3).
        """
        pooled = img_feat.mean((2, 3))
        pose_6d = self.pose_out(pooled)
        return dict(
            root_pose=rot6d_to_axis_angle(pose_6d[:, :6]),
            jaw_pose=rot6d_to_axis_angle(pose_6d[:, 6:]),
            shape=self.shape_out(pooled),
            expr=self.expr_out(pooled),
            cam_param=self.cam_out(pooled),
        )
