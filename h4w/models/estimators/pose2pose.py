"""Pose2Pose: body-only (SMPL), hand-only (MANO) and face-only (FLAME)
models of the reference ``Pose2Pose`` branch (spec §2.18, §4.6)."""

from typing import Dict, List, Optional, Union

import torch
from torch import Tensor

from h4w.body_models import FLAME_LAYOUT, MANO_LAYOUT, SMPL_LAYOUT
from h4w.codecs import MeshCodec
from h4w.registry import MODELS
from h4w.utils.typing import ConfigType, OptConfigType, SampleList

from ..utils import depth_prior, get_camera_trans
from .base import (
    BaseMeshEstimator,
    float32_geometry,
    stack_instance_fields,
)

#: The part models of Pose2Pose, by part.
PART_LAYOUTS = {
    layout.part: layout for layout in (SMPL_LAYOUT, MANO_LAYOUT, FLAME_LAYOUT)
}


@MODELS.register_module()
class Pose2Pose(BaseMeshEstimator):
    """One ResNet on the part crop, then a position head and a rotation
    head (body, hand) or a pooled regressor (face), and the part's body
    model.

    Everything that depends on the part comes from the body model's
    :class:`~h4w.body_models.ParamLayout` (prefix, joint sets, pose
    blocks, whether the pose targets are split).

    Args:
        parts (str): ``'body'`` (SMPL), ``'hand'`` (right MANO; left hands
            are presented flipped) or ``'face'`` (FLAME); must be the
            ``part`` of the body model's layout.
        codec (dict | MeshCodec): The crop geometry (crop size, heat map,
            depth range, virtual camera; ``princpt`` None = the crop
            centre).
        backbone (dict): ResNet-50 config.
        head (dict): ``Pose2PoseRotationHead`` (body, hand) or
            ``Pose2PoseFaceHead`` (face).
        body_model (dict): ``SMPLModel`` / ``MANOModel`` / ``FLAMEModel``.
        position_head (dict, optional): ``PositionHead`` (body, hand; its
            depth comes from the codec).
        target_generator (dict, optional): See :class:`BaseMeshEstimator`.
        loss_coord, loss_param, loss_pose (dict): Loss configs.
        camera_3d_size (float): Metres, for the depth prior (body 2.5,
            hand and face 0.4).
        data_preprocessor (dict): ``MeshDataPreprocessor`` config.
    """

    def __init__(
        self,
        parts: str,
        codec: Union[ConfigType, MeshCodec],
        backbone: ConfigType,
        head: ConfigType,
        body_model: ConfigType,
        position_head: OptConfigType = None,
        target_generator: OptConfigType = None,
        loss_coord: ConfigType = dict(type='CoordLoss'),
        loss_param: ConfigType = dict(type='ParamLoss'),
        loss_pose: ConfigType = dict(type='ParamLoss'),
        camera_3d_size: float = 2.5,
        data_preprocessor: OptConfigType = None,
        init_cfg: OptConfigType = None,
    ) -> None:
        super().__init__(
            codec=codec,
            body_model=body_model,
            target_generator=target_generator,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg,
        )
        if parts not in PART_LAYOUTS:
            raise ValueError(
                f'parts must be one of {sorted(PART_LAYOUTS)}, got {parts!r}'
            )
        layout = PART_LAYOUTS[parts]
        if (position_head is None) != (layout.position_joint_set is None):
            raise ValueError(
                'position_head is required for the body and '
                'hand models and unused for the face model'
            )
        if self.body_model.param_layout is not layout:
            raise ValueError(
                f'parts={parts!r} needs the {layout.prefix} body model, got '
                f'{body_model["type"]}'
            )
        self.pos_idx = layout.position_indices()
        self.parts = parts
        self.layout = layout
        self.prefix = layout.prefix
        self.joint_set = layout.joints
        self.backbone = MODELS.build(backbone)
        self.position_head = (
            MODELS.build(
                position_head,
                default_args=dict(depth_dim=self.codec.heatmap_size[0]),
            )
            if position_head is not None
            else None
        )
        self.head = MODELS.build(head)
        self.loss_coord = MODELS.build(loss_coord)
        self.loss_param = MODELS.build(loss_param)
        self.loss_pose = MODELS.build(loss_pose)
        self.camera_depth_prior = depth_prior(
            self.codec.focal, camera_3d_size, self.codec.body_input_size
        )

    def extract_feat(self, inputs: Tensor) -> Tensor:
        """Backbone feature (N, 2048, H/32, W/32) of the part crop."""
        return self.backbone(inputs)

    def _forward(
        self, inputs: Tensor, data_samples: Optional[SampleList] = None
    ) -> Dict[str, Tensor]:
        """The network.

        Args:
            inputs (Tensor): (N, 3, H, W) RGB crop in [0, 1].

        Returns:
            dict: head outputs (``root_pose``, ``pose`` or ``jaw_pose`` /
            ``expr``, ``shape``, ``cam_param``), ``joint_img`` (N, J_pos,
            3) for body / hand, ``cam_trans`` (N, 3), ``vertices`` and
            ``joints`` (N, J, 3) of the body model without translation,
            ``joint_proj`` (N, J, 2) heat-map units.
        """
        img_feat = self.extract_feat(inputs)
        out = {}
        if self.position_head is not None:
            _, joint_img = self.position_head(img_feat)
            out.update(
                self.head(img_feat, joint_img.detach()), joint_img=joint_img
            )
        else:
            out.update(self.head(img_feat))
        for key in ('shape', 'expr', 'cam_param'):
            if key in out:
                out[key] = out[key].float()
        with float32_geometry(inputs):
            out['cam_trans'] = get_camera_trans(
                out['cam_param'], self.camera_depth_prior
            )
            model_out = self.body_model_forward(out)
        out['vertices'] = model_out['vertices']
        out['joints'] = model_out['joints']
        out['joint_proj'] = self.codec.project_to_heatmap(
            model_out['joints'], out['cam_trans']
        )
        return out

    def _gt_keys(self) -> List[str]:
        p = self.prefix
        keys = [
            'joint_img',
            'joint_cam',
            'joint_valid',
            'joint_trunc',
            'is_3d',
            f'{p}_joint_cam',
            f'{p}_joint_valid',
            f'{p}_shape',
            f'{p}_shape_valid',
        ]
        if self.layout.split_pose_targets:
            for name in self._split_names():
                keys += [f'{p}_{name}', f'{p}_{name}_valid']
        else:
            keys += [
                f'{p}_joint_img',
                f'{p}_joint_trunc',
                f'{p}_pose',
                f'{p}_pose_valid',
            ]
        return keys

    def _split_names(self) -> List[str]:
        """Per-block targets of a split layout (FLAME: root pose, jaw pose,
        then the expression)."""
        names = ['root_pose'] + [b.key for b in self.layout.pose_blocks]
        return names + (['expr'] if self.layout.expression else [])

    def loss(
        self, inputs: Tensor, data_samples: SampleList
    ) -> Dict[str, Tensor]:
        """Loss terms of spec §4.6 (all weights 1, means over all
        elements; no part re-mapping or translation alignment)."""
        out = self._forward(inputs, data_samples)
        gt = stack_instance_fields(
            data_samples, self._gt_keys(), inputs.device
        )
        p = self.prefix
        root = self.joint_set.named_indices['root']
        joint_cam = out['joints'] - out['joints'][:, root, None]
        losses = dict(
            loss_joint_proj=self.loss_coord(
                out['joint_proj'], gt['joint_img'][:, :, :2], gt['joint_trunc']
            ),
            loss_joint_cam=self.loss_coord(
                joint_cam,
                gt['joint_cam'],
                gt['joint_valid'] * gt['is_3d'][:, None, None],
            ),
        )
        losses[f'loss_{p}_joint_cam'] = self.loss_coord(
            joint_cam, gt[f'{p}_joint_cam'], gt[f'{p}_joint_valid']
        )
        losses[f'loss_{p}_shape'] = self.loss_param(
            out['shape'], gt[f'{p}_shape'], gt[f'{p}_shape_valid'][:, None]
        )
        if self.layout.split_pose_targets:
            for key in self._split_names():
                losses[f'loss_{p}_{key}'] = self.loss_param(
                    out[key], gt[f'{p}_{key}'], gt[f'{p}_{key}_valid'][:, None]
                )
            return losses
        pos = self.pos_idx
        pose = torch.cat((out['root_pose'], out['pose']), 1)
        losses[f'loss_{p}_pose'] = self.loss_pose(
            pose, gt[f'{p}_pose'], gt[f'{p}_pose_valid']
        )
        losses['loss_joint_img'] = self.loss_coord(
            out['joint_img'],
            gt['joint_img'][:, pos],
            gt['joint_trunc'][:, pos],
            gt['is_3d'],
        )
        losses[f'loss_{p}_joint_img'] = self.loss_coord(
            out['joint_img'],
            gt[f'{p}_joint_img'][:, pos],
            gt[f'{p}_joint_trunc'][:, pos],
        )
        return losses

    def predict(self, inputs: Tensor, data_samples: SampleList) -> SampleList:
        """Test outputs of spec §2.18 in ``pred_instances`` (1, ...):

        * body: ``smpl_mesh_cam`` (1, 6890, 3), ``smpl_joint_proj`` (1, 33,
          2), ``smpl_pose`` (1, 72), ``smpl_shape``, ``joint_img`` (1, 25,
          3), ``cam_trans``;
        * hand: ``mano_mesh_cam`` (1, 778, 3), ``mano_joint_proj``,
          ``mano_pose`` (1, 48), ``mano_shape``, ``joint_img`` (1, 21, 3),
          ``cam_trans``;
        * face: ``flame_joint_cam`` (1, 73, 3) root-relative,
          ``flame_mesh_cam`` (1, 5023, 3), ``flame_joint_proj``,
          ``flame_root_pose``, ``flame_jaw_pose``, ``flame_shape``,
          ``flame_expr``, ``cam_trans``.
        Mesh outputs include the camera translation. With ``bb2img_trans``
        in the metainfo, also the original-image outputs of
        :meth:`add_original_image_outputs` (``focal``, ``princpt``,
        ``{p}_joint_proj_orig``, ``joint_img_orig``).
        """
        preds = self.collect_preds(self._forward(inputs, data_samples))
        preds = self.add_original_image_outputs(preds, data_samples)
        return self.add_pred_to_datasample(preds, data_samples)

    def projected_joints(self, out: Dict[str, Tensor]) -> Tensor:
        """The body-model joints of ``joint_proj`` (N, J, 3), without
        translation."""
        return out['joints']

    def collect_preds(self, out: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """The crop-space predictions of :meth:`predict` (N, ...) from the
        :meth:`_forward` outputs ``out`` (same keys as ``predict``, before
        the original-image outputs); shared with the ONNX export."""
        p = self.prefix
        preds = {
            f'{p}_mesh_cam': out['vertices'] + out['cam_trans'][:, None],
            f'{p}_joint_proj': out['joint_proj'],
            f'{p}_shape': out['shape'],
            'cam_trans': out['cam_trans'],
        }
        if self.layout.split_pose_targets:
            root = self.joint_set.named_indices['root']
            preds[f'{p}_joint_cam'] = (
                out['joints'] - out['joints'][:, root, None]
            )
            preds.update({f'{p}_{k}': out[k] for k in self._split_names()})
        else:
            preds[f'{p}_pose'] = torch.cat((out['root_pose'], out['pose']), 1)
            preds['joint_img'] = out['joint_img']
        return preds
