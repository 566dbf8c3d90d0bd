"""Hand and face box head (``box_net``, spec §2.5)."""

from typing import Dict

import torch
from mmengine.model import BaseModule
from torch import Tensor

from h4w.registry import MODELS

from ..utils import (
    init_head_weights,
    make_conv_layers,
    make_deconv_layers,
    make_linear_layers,
    sample_joint_features,
    soft_argmax_2d,
)

PARTS = ('lhand', 'rhand', 'face')


@MODELS.register_module()
class BoxHead(BaseModule):
    """Predicts the centre and size of the left-hand, right-hand and face
    boxes from the body feature and the body joint heat map.

    Three deconvolutions upsample to 8x the feature size, a 1x1 conv gives
    one centre heat map per part (soft-argmax), and a per-part MLP reads
    the size from the feature at the centre.

    Args:
        in_channels (int): Body feature channels (2048).
        heatmap_channels (int): J * D of the body heat map (25 * 8).
        channels (int): Deconv channels (256).
        num_deconv (int): Number of deconv stages (3).

    Note:
        N: batch. Body feature (N, 2048, 8, 6); deconv output
        (N, 256, 64, 48). Centres and sizes are in body heat-map units.
    """

    def __init__(
        self,
        in_channels: int = 2048,
        heatmap_channels: int = 200,
        channels: int = 256,
        num_deconv: int = 3,
        init_cfg=None,
    ) -> None:
        super().__init__(init_cfg)
        self.upsample = 2**num_deconv
        self.deconv = make_deconv_layers(
            [in_channels + heatmap_channels] + [channels] * num_deconv
        )
        self.bbox_center = make_conv_layers(
            [channels, len(PARTS)],
            kernel=1,
            stride=1,
            padding=0,
            bnrelu_final=False,
        )
        self.lhand_size = make_linear_layers(
            [channels, channels, 2], relu_final=False
        )
        self.rhand_size = make_linear_layers(
            [channels, channels, 2], relu_final=False
        )
        self.face_size = make_linear_layers(
            [channels, channels, 2], relu_final=False
        )
        self.apply(init_head_weights)

    def forward(
        self, img_feat: Tensor, joint_heatmap: Tensor
    ) -> Dict[str, Tensor]:
        """Args:
            img_feat (Tensor): (N, C, H, W) body feature.
            joint_heatmap (Tensor): (N, J, D, H, W) body heat map
                (detached by the caller).

        Returns:
            dict: ``{part}_center`` and ``{part}_size`` (N, 2) for part in
            lhand, rhand, face, in body heat-map units.
        """
        n, _, h, w = img_feat.shape
        feat = torch.cat((img_feat, joint_heatmap.reshape(n, -1, h, w)), 1)
        feat = self.deconv(feat)
        centers = soft_argmax_2d(self.bbox_center(feat))
        out = {}
        for i, part in enumerate(PARTS):
            center = centers[:, i, :]
            part_feat = sample_joint_features(
                feat, center[:, None, :].detach()
            )
            out[f'{part}_size'] = getattr(self, f'{part}_size')(
                part_feat[:, 0, :]
            )
            out[f'{part}_center'] = center / self.upsample
        return out
