"""Pose2Pose: body-only (SMPL), hand-only (MANO) and face-only (FLAME)
models of the reference ``Pose2Pose`` branch (spec §2.18, §4.6)."""

from typing import Dict, Optional, Sequence

import torch
from torch import Tensor

from h4w.body_models.joint_sets import (
    FLAME_JOINTS,
    MANO_JOINTS,
    SMPL_JOINTS,
    SMPL_POS_JOINTS,
)
from h4w.registry import MODELS

from ..utils import depth_prior, get_camera_trans, project_to_heatmap
from .base import (
    BaseMeshEstimator,
    SampleList,
    float32_geometry,
    stack_instance_fields,
)

#: Per part: model prefix, supervision set, rows fed to the position head.
PARTS = dict(
    body=dict(
        prefix='smpl',
        joints=SMPL_JOINTS,
        pos_idx=SMPL_JOINTS.indices_of(SMPL_POS_JOINTS.joint_names),
    ),
    hand=dict(
        prefix='mano',
        joints=MANO_JOINTS,
        pos_idx=list(range(MANO_JOINTS.num_joints)),
    ),
    face=dict(prefix='flame', joints=FLAME_JOINTS, pos_idx=None),
)


@MODELS.register_module()
class Pose2Pose(BaseMeshEstimator):
    """One ResNet on the part crop, then a position head and a rotation
    head (body, hand) or a pooled regressor (face), and the part's body
    model.

    Args:
        parts (str): ``'body'`` (SMPL), ``'hand'`` (right MANO; left hands
            are presented flipped) or ``'face'`` (FLAME).
        backbone (dict): ResNet-50 config.
        head (dict): ``Pose2PoseRotationHead`` (body, hand) or
            ``Pose2PoseFaceHead`` (face).
        body_model (dict): ``SMPLModel`` / ``MANOModel`` / ``FLAMEModel``.
        position_head (dict, optional): ``PositionHead`` (body, hand).
        loss_coord, loss_param, loss_pose (dict): Loss configs.
        input_img_shape: (H, W) crop; output_hm_shape: (D, H, W).
        focal, princpt: Virtual camera in crop pixels; princpt None = the
            crop centre.
        camera_3d_size (float): Metres, for the depth prior (body 2.5,
            hand and face 0.4).
        data_preprocessor (dict): ``MeshDataPreprocessor`` config.
    """

    def __init__(
        self,
        parts: str,
        backbone: dict,
        head: dict,
        body_model: dict,
        position_head: Optional[dict] = None,
        loss_coord: dict = dict(type='CoordLoss'),
        loss_param: dict = dict(type='ParamLoss'),
        loss_pose: dict = dict(type='ParamLoss'),
        input_img_shape: Sequence[int] = (256, 192),
        output_hm_shape: Sequence[int] = (8, 8, 6),
        focal: Sequence[float] = (5000, 5000),
        princpt: Optional[Sequence[float]] = None,
        camera_3d_size: float = 2.5,
        data_preprocessor: Optional[dict] = None,
        init_cfg: Optional[dict] = None,
    ) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg,
            body_model=body_model,
        )
        if parts not in PARTS:
            raise ValueError(
                f'parts must be one of {sorted(PARTS)}, got {parts!r}'
            )
        if (position_head is None) != (parts == 'face'):
            raise ValueError(
                'position_head is required for the body and '
                'hand models and unused for the face model'
            )
        self.parts = parts
        self.prefix = PARTS[parts]['prefix']
        self.joint_set = PARTS[parts]['joints']
        self.pos_idx = PARTS[parts]['pos_idx']
        self.backbone = MODELS.build(backbone)
        self.position_head = (
            MODELS.build(position_head) if position_head is not None else None
        )
        self.head = MODELS.build(head)
        self.body_model = MODELS.build(body_model)
        self.loss_coord = MODELS.build(loss_coord)
        self.loss_param = MODELS.build(loss_param)
        self.loss_pose = MODELS.build(loss_pose)
        self.input_img_shape = tuple(input_img_shape)
        self.output_hm_shape = tuple(output_hm_shape)
        self.focal = tuple(focal)
        self.princpt = (
            tuple(princpt)
            if princpt is not None
            else (input_img_shape[1] / 2, input_img_shape[0] / 2)
        )
        self.camera_depth_prior = depth_prior(
            focal, camera_3d_size, input_img_shape
        )

    def extract_feat(self, inputs: Tensor) -> Tensor:
        """Backbone feature (N, 2048, H/32, W/32) of the part crop."""
        return self.backbone(inputs)

    def _run_body_model(self, params: Dict[str, Tensor]) -> Dict[str, Tensor]:
        if self.parts == 'body':
            return self.body_model(
                betas=params['shape'],
                global_orient=params['root_pose'],
                body_pose=params['pose'],
            )
        if self.parts == 'hand':
            return self.body_model(
                betas=params['shape'],
                global_orient=params['root_pose'],
                hand_pose=params['pose'],
            )
        return self.body_model(
            betas=params['shape'],
            global_orient=params['root_pose'],
            jaw_pose=params['jaw_pose'],
            expression=params['expr'],
        )

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
            model_out = self._run_body_model(out)
        out['vertices'] = model_out['vertices']
        out['joints'] = model_out['joints']
        out['joint_proj'] = project_to_heatmap(
            model_out['joints'],
            out['cam_trans'],
            self.focal,
            self.princpt,
            self.input_img_shape,
            self.output_hm_shape,
        )
        return out

    def _gt_keys(self):
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
        if self.parts == 'face':
            keys += [
                'flame_root_pose',
                'flame_root_pose_valid',
                'flame_jaw_pose',
                'flame_jaw_pose_valid',
                'flame_expr',
                'flame_expr_valid',
            ]
        else:
            keys += [
                f'{p}_joint_img',
                f'{p}_joint_trunc',
                f'{p}_pose',
                f'{p}_pose_valid',
            ]
        return keys

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
        if self.parts == 'face':
            for key in ('root_pose', 'jaw_pose', 'expr'):
                losses[f'loss_flame_{key}'] = self.loss_param(
                    out[key],
                    gt[f'flame_{key}'],
                    gt[f'flame_{key}_valid'][:, None],
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
        Mesh outputs include the camera translation.
        """
        out = self._forward(inputs, data_samples)
        p = self.prefix
        preds = {
            f'{p}_mesh_cam': out['vertices'] + out['cam_trans'][:, None],
            f'{p}_joint_proj': out['joint_proj'],
            f'{p}_shape': out['shape'],
            'cam_trans': out['cam_trans'],
        }
        if self.parts == 'face':
            root = self.joint_set.named_indices['root']
            preds.update(
                flame_joint_cam=out['joints'] - out['joints'][:, root, None],
                flame_root_pose=out['root_pose'],
                flame_jaw_pose=out['jaw_pose'],
                flame_expr=out['expr'],
            )
        else:
            preds[f'{p}_pose'] = torch.cat((out['root_pose'], out['pose']), 1)
            preds['joint_img'] = out['joint_img']
        return self.add_pred_to_datasample(preds, data_samples)
