"""Hand4Whole: whole-body SMPL-X estimation (spec §2, §4)."""

from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor

from h4w.body_models.joint_sets import (
    HAND_MCP_IDX,
    SMPLX_JOINTS,
    SMPLX_POS_JOINTS,
    anchor_indices,
)
from h4w.codecs import MeshCodec
from h4w.registry import MODELS
from h4w.utils.typing import ConfigType, OptConfigType, SampleList

from ..utils import (
    depth_prior,
    flip_axis_angle,
    get_camera_trans,
    relative_to_anchors,
)
from .base import (
    BaseMeshEstimator,
    float32_geometry,
    stack_instance_fields,
)

#: Targets every training sample provides (datasets + preprocessor).
GT_KEYS = (
    'joint_img',
    'joint_cam',
    'joint_valid',
    'joint_trunc',
    'is_3d',
    'smplx_joint_img',
    'smplx_joint_cam',
    'smplx_joint_valid',
    'smplx_joint_trunc',
    'smplx_pose',
    'smplx_pose_valid',
    'smplx_shape',
    'smplx_shape_valid',
    'smplx_expr',
    'smplx_expr_valid',
) + tuple(
    f'{part}_bbox_{key}'
    for part in ('lhand', 'rhand', 'face')
    for key in ('center', 'size', 'valid')
)


def _part_slice(part: str) -> slice:
    start, end = SMPLX_JOINTS.parts[part]
    return slice(start, end)


def align_translation(pred: Tensor, target: Tensor, mask: Tensor) -> Tensor:
    """Shift each sample's (N, J, 2) ``pred`` by the mean of ``target -
    pred`` over joints with ``mask`` (N, J) == 1; no shift without a valid
    joint. Not detached (spec §4.4)."""
    mask = (mask == 1).to(pred.dtype)[:, :, None]
    count = mask.sum(1)
    shift = ((target - pred) * mask).sum(1) / count.clamp(min=1)
    return pred + shift[:, None, :]


@MODELS.register_module()
class Hand4Whole(BaseMeshEstimator):
    """Hand4Whole (Moon et al., CVPRW 2022), numerically as the reference.

    Data flow (spec §2.1): nearest-downsampled body image -> ``backbone``
    -> ``body_position_head`` -> ``box_head`` -> hand / face boxes ->
    ``hand_roi_extractor`` (left crop flipped) -> ``hand_backbone`` ->
    ``hand_position_head`` / ``hand_rotation_head`` -> un-flip ->
    ``body_rotation_head`` (with the hand MCP features) -> ``face_roi_
    extractor`` -> ``face_backbone`` -> ``face_head`` -> ``body_model``.

    Args:
        codec (dict | MeshCodec): The crop geometry: crop, body, hand and
            face input sizes, body and hand heat maps, depth ranges, part
            box extensions and the virtual camera (``MeshCodec``). The RoI
            extractors' sizes and the position heads' depth come from it.
        backbone, body_position_head, box_head, hand_roi_extractor,
        hand_backbone, hand_position_head, hand_rotation_head,
        body_rotation_head, face_roi_extractor, face_backbone, face_head,
        body_model (dict): Sub-module configs.
        target_generator (dict, optional): See :class:`BaseMeshEstimator`.
        loss_coord, loss_param, loss_pose (dict): Loss configs; set
            ``loss_pose=dict(type='RotationMatrixLoss')`` for the
            rotation-matrix pose loss (off by default, §10.1).
        camera_3d_size (float): Metres, for the depth prior (2.5).
        pixel_exact_hand_unflip (bool): Un-flip left-hand x as
            ``(W_hand - 1) / s - x`` (pixel exact) instead of the
            reference's ``D_x - 1 - x`` (off by default, §10.1).
        detach_proj_joints (bool): Only the camera learns from the 2D loss
            (reference behaviour when training on AGORA alone).
        predict_all_joints (bool): Project all 144 SMPL-X joints at test
            time (AGORA evaluation) instead of the 137-joint set.
        data_preprocessor (dict): ``MeshDataPreprocessor`` config.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(
        self,
        codec: Union[ConfigType, MeshCodec],
        backbone: ConfigType,
        body_position_head: ConfigType,
        box_head: ConfigType,
        hand_roi_extractor: ConfigType,
        hand_backbone: ConfigType,
        hand_position_head: ConfigType,
        hand_rotation_head: ConfigType,
        body_rotation_head: ConfigType,
        face_roi_extractor: ConfigType,
        face_backbone: ConfigType,
        face_head: ConfigType,
        body_model: ConfigType,
        target_generator: OptConfigType = None,
        loss_coord: ConfigType = dict(type='CoordLoss'),
        loss_param: ConfigType = dict(type='ParamLoss'),
        loss_pose: ConfigType = dict(type='ParamLoss'),
        camera_3d_size: float = 2.5,
        pixel_exact_hand_unflip: bool = False,
        detach_proj_joints: bool = False,
        predict_all_joints: bool = False,
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
        codec = self.codec
        body_depth = dict(depth_dim=codec.heatmap_size[0])
        hand_depth = dict(depth_dim=codec.hand_heatmap_size[0])
        self.backbone = MODELS.build(backbone)
        self.body_position_head = MODELS.build(
            body_position_head, default_args=body_depth
        )
        self.box_head = MODELS.build(
            box_head,
            default_args=dict(
                heatmap_channels=self.body_position_head.num_joints
                * codec.heatmap_size[0]
            ),
        )
        self.hand_roi_extractor = MODELS.build(
            hand_roi_extractor, default_args=self._roi_args('hand')
        )
        self.hand_backbone = MODELS.build(hand_backbone)
        self.hand_position_head = MODELS.build(
            hand_position_head, default_args=hand_depth
        )
        self.hand_rotation_head = MODELS.build(hand_rotation_head)
        self.body_rotation_head = MODELS.build(body_rotation_head)
        self.face_roi_extractor = MODELS.build(
            face_roi_extractor, default_args=self._roi_args('face')
        )
        self.face_backbone = MODELS.build(face_backbone)
        self.face_head = MODELS.build(face_head)
        self.loss_coord = MODELS.build(loss_coord)
        self.loss_param = MODELS.build(loss_param)
        self.loss_pose = MODELS.build(loss_pose)
        self.camera_depth_prior = depth_prior(
            codec.focal, camera_3d_size, codec.body_input_size
        )
        self.pixel_exact_hand_unflip = pixel_exact_hand_unflip
        self.detach_proj_joints = detach_proj_joints
        self.predict_all_joints = predict_all_joints
        self.register_buffer(
            'joint_anchors',
            torch.tensor(anchor_indices(SMPLX_JOINTS)),
            persistent=False,
        )

    def _roi_args(self, part: str) -> dict:
        """Sizes of a part RoI extractor, from the codec."""
        return dict(
            output_size=getattr(self.codec, f'{part}_input_size'),
            input_img_shape=self.codec.input_size,
            input_body_shape=self.codec.body_input_size,
        )

    # ------------------------------------------------------------ network
    def _restore_part_boxes(
        self, boxes: Dict[str, Tensor]
    ) -> Tuple[Tensor, Tensor, Tensor]:
        return tuple(
            self.codec.restore_part_bbox(
                boxes[f'{name}_center'], boxes[f'{name}_size'], part
            ).detach()
            for name, part in (
                ('lhand', 'hand'),
                ('rhand', 'hand'),
                ('face', 'face'),
            )
        )

    def extract_feat(self, inputs: Tensor) -> Tensor:
        """Body feature (N, 2048, 8, 6) of the (N, 3, 512, 384) crop, from
        its nearest-neighbour downsampling to 256x192 (every second pixel,
        as the reference)."""
        return self.backbone(F.interpolate(inputs, self.codec.body_input_size))

    def _unflip_x(self, x: Tensor) -> Tensor:
        """Left-hand x back from the flipped crop (spec §2.10)."""
        width = self.codec.hand_heatmap_size[2]
        if self.pixel_exact_hand_unflip:
            hand_w = self.codec.hand_input_size[1]
            stride = hand_w / width
            return (hand_w - 1) / stride - x
        return (width - 1) - x

    def _forward(
        self, inputs: Tensor, data_samples: Optional[SampleList] = None
    ) -> Dict[str, Tensor]:
        """The network.

        Args:
            inputs (Tensor): (N, 3, 512, 384) RGB crop in [0, 1].

        Returns:
            dict: ``joint_img`` (N, 65, 3) [body 25 body-hm, hands 20 + 20
            hand-hm], ``pose`` (N, 159), ``shape``, ``expr`` (N, 10),
            ``cam_trans`` (N, 3), box centres / sizes (N, 2), boxes
            ``lhand_bbox`` / ``rhand_bbox`` / ``face_bbox`` (N, 4) body-input
            pixels, ``vertices`` (N, 10475, 3) and ``joints`` (N, 137, 3)
            from SMPL-X without translation, ``output_joints`` (N, 144, 3).
        """
        n = inputs.shape[0]
        img_feat = self.extract_feat(inputs)
        body_hm, body_joint_img = self.body_position_head(img_feat)
        boxes = self.box_head(img_feat, body_hm.detach())
        lhand_bbox, rhand_bbox, face_bbox = self._restore_part_boxes(boxes)

        hand_img = torch.cat(
            (
                self.hand_roi_extractor(inputs, lhand_bbox, flip=True),
                self.hand_roi_extractor(inputs, rhand_bbox),
            )
        )
        hand_feat = self.hand_backbone(hand_img)
        face_feat = self.face_backbone(
            self.face_roi_extractor(inputs, face_bbox)
        )

        _, hand_joint_img = self.hand_position_head(hand_feat)
        hand_pose = self.hand_rotation_head(hand_feat, hand_joint_img.detach())
        lhand_joint_img = torch.cat(
            (
                self._unflip_x(hand_joint_img[:n, :, :1]),
                hand_joint_img[:n, :, 1:],
            ),
            2,
        )
        rhand_joint_img = hand_joint_img[n:]
        lhand_pose = flip_axis_angle(hand_pose[:n].reshape(n, -1, 3))
        lhand_pose = lhand_pose.reshape(n, -1)
        rhand_pose = hand_pose[n:]
        lhand_feat = torch.flip(hand_feat[:n], dims=[3])
        rhand_feat = hand_feat[n:]

        mcp = list(HAND_MCP_IDX)
        body = self.body_rotation_head(
            img_feat,
            body_joint_img.detach(),
            lhand_feat,
            lhand_joint_img[:, mcp].detach(),
            rhand_feat,
            rhand_joint_img[:, mcp].detach(),
        )
        face = self.face_head(face_feat)
        body['shape'], face['expr'] = (
            body['shape'].float(),
            face['expr'].float(),
        )
        pose = torch.cat(
            (
                body['root_pose'],
                body['body_pose'],
                lhand_pose,
                rhand_pose,
                face['jaw_pose'],
            ),
            1,
        )
        with float32_geometry(inputs):
            cam_trans = get_camera_trans(
                body['cam_param'].float(), self.camera_depth_prior
            )
            smplx = self.body_model_forward(
                dict(
                    root_pose=body['root_pose'],
                    pose=pose[:, 3:],
                    shape=body['shape'],
                    expr=face['expr'],
                )
            )
        joint_img = torch.cat(
            (body_joint_img, lhand_joint_img, rhand_joint_img), 1
        )
        out = dict(
            joint_img=joint_img,
            pose=pose,
            shape=body['shape'],
            expr=face['expr'],
            cam_trans=cam_trans,
            lhand_bbox=lhand_bbox,
            rhand_bbox=rhand_bbox,
            face_bbox=face_bbox,
            vertices=smplx['vertices'],
            joints=smplx['joints'],
            output_joints=smplx['output_joints'],
        )
        out.update(boxes)
        return out

    def _project(self, joints: Tensor, cam_trans: Tensor) -> Tensor:
        if self.detach_proj_joints and self.training:
            joints = joints.detach()
        return self.codec.project_to_heatmap(joints, cam_trans)

    # --------------------------------------------------------------- loss
    def _hand_targets(
        self, gt: Dict[str, Tensor], out: Dict[str, Tensor]
    ) -> Dict[str, Tensor]:
        """Hand rows of the 2D targets in predicted-hand-box space and
        truncation by that box (spec §4.3)."""
        gt = dict(gt)
        codec = self.codec
        for part in ('lhand', 'rhand'):
            rows = _part_slice(part)
            bbox = out[f'{part}_bbox']
            for coord_key, trunc_key in (
                ('joint_img', 'joint_trunc'),
                ('smplx_joint_img', 'smplx_joint_trunc'),
            ):
                coord = codec.body_to_hand_heatmap(
                    gt[coord_key][:, rows], bbox
                )
                coord = torch.cat(
                    (
                        coord[:, :, :2],
                        coord[:, :, 2:] * codec.hand_depth_scale(),
                    ),
                    2,
                )
                inside = codec.in_heatmap(
                    coord[:, :, :2], codec.hand_heatmap_size
                ).to(coord.dtype)
                trunc = gt[trunc_key][:, rows] * inside[:, :, None]
                gt[coord_key] = torch.cat(
                    (
                        gt[coord_key][:, : rows.start],
                        coord,
                        gt[coord_key][:, rows.stop :],
                    ),
                    1,
                )
                gt[trunc_key] = torch.cat(
                    (
                        gt[trunc_key][:, : rows.start],
                        trunc,
                        gt[trunc_key][:, rows.stop :],
                    ),
                    1,
                )
        return gt

    def _aligned_projection(
        self, joint_proj: Tensor, gt: Dict[str, Tensor], out: Dict[str, Tensor]
    ) -> Tensor:
        """Hand rows into hand-box space, then hand and face rows shifted
        onto their targets (spec §4.4)."""
        parts = []
        for part in ('body', 'lhand', 'rhand', 'face'):
            rows = _part_slice(part)
            proj = joint_proj[:, rows]
            if part in ('lhand', 'rhand'):
                proj = self.codec.body_to_hand_heatmap(
                    proj, out[f'{part}_bbox']
                )
            if part != 'body':
                proj = align_translation(
                    proj,
                    gt['joint_img'][:, rows, :2],
                    gt['joint_trunc'][:, rows, 0],
                )
            parts.append(proj)
        return torch.cat(parts, 1)

    def loss(
        self, inputs: Tensor, data_samples: SampleList
    ) -> Dict[str, Tensor]:
        """The 11 loss terms of spec §4.2, each a mean over all elements.

        ``gt_instances`` of every sample must hold :data:`GT_KEYS` (see
        :class:`BodyModelTargetGenerator` for the ``smplx_*`` ones).
        """
        out = self._forward(inputs, data_samples)
        gt = stack_instance_fields(data_samples, GT_KEYS, inputs.device)
        is_3d = gt['is_3d']
        # root-relative; hands to their wrist, face to the neck (§2.14)
        joint_cam = relative_to_anchors(
            out['joints'],
            SMPLX_JOINTS.named_indices['root'],
            self.joint_anchors,
        )
        joint_proj = self._project(out['joints'], out['cam_trans'])
        gt = self._hand_targets(gt, out)
        joint_proj = self._aligned_projection(joint_proj, gt, out)
        pos = slice(0, SMPLX_POS_JOINTS.num_joints)

        losses = dict(
            loss_smplx_pose=self.loss_pose(
                out['pose'], gt['smplx_pose'], gt['smplx_pose_valid']
            ),
            loss_smplx_shape=self.loss_param(
                out['shape'],
                gt['smplx_shape'],
                gt['smplx_shape_valid'][:, None],
            ),
            loss_smplx_expr=self.loss_param(
                out['expr'], gt['smplx_expr'], gt['smplx_expr_valid'][:, None]
            ),
            loss_joint_cam=self.loss_coord(
                joint_cam,
                gt['joint_cam'],
                gt['joint_valid'] * is_3d[:, None, None],
            ),
            loss_smplx_joint_cam=self.loss_coord(
                joint_cam, gt['smplx_joint_cam'], gt['smplx_joint_valid']
            ),
        )
        for part in ('lhand', 'rhand', 'face'):
            valid = gt[f'{part}_bbox_valid'][:, None]
            losses[f'loss_{part}_bbox'] = self.loss_coord(
                out[f'{part}_center'][:, None],
                gt[f'{part}_bbox_center'][:, None],
                valid[:, None],
            ) + self.loss_coord(
                out[f'{part}_size'][:, None],
                gt[f'{part}_bbox_size'][:, None],
                valid[:, None],
            )
        losses['loss_joint_proj'] = self.loss_coord(
            joint_proj, gt['joint_img'][:, :, :2], gt['joint_trunc']
        )
        losses['loss_joint_img'] = self.loss_coord(
            out['joint_img'],
            gt['joint_img'][:, pos],
            gt['joint_trunc'][:, pos],
            is_3d,
        )
        losses['loss_smplx_joint_img'] = self.loss_coord(
            out['joint_img'],
            gt['smplx_joint_img'][:, pos],
            gt['smplx_joint_trunc'][:, pos],
        )
        return losses

    # ------------------------------------------------------------ predict
    def predict(self, inputs: Tensor, data_samples: SampleList) -> SampleList:
        """Outputs of spec §2.15 in ``pred_instances``.

        Crop space: ``joint_img`` (1, 65, 3) body heat-map units (hand rows
        mapped back), ``smplx_joint_proj`` (1, 137|144, 2) body heat-map
        units, ``lhand_bbox`` / ``rhand_bbox`` / ``face_bbox`` (1, 4) xyxy
        in crop pixels. Parameters: ``smplx_root_pose`` (1, 3),
        ``smplx_body_pose`` (1, 63), ``smplx_lhand_pose`` /
        ``smplx_rhand_pose`` (1, 45), ``smplx_jaw_pose`` (1, 3),
        ``smplx_shape`` / ``smplx_expr`` (1, 10), ``cam_trans`` (1, 3),
        ``smplx_mesh_cam`` (1, 10475, 3) metres with translation.
        Original image (when ``bb2img_trans`` is in the metainfo):
        ``joint_img_orig`` (1, 65, 2), ``smplx_joint_proj_orig``, boxes
        ``*_bbox_orig`` (1, 4), camera ``focal`` / ``princpt`` (1, 2) in
        pixels.
        """
        preds = self.collect_preds(self._forward(inputs, data_samples))
        preds = self.add_original_image_outputs(preds, data_samples)
        return self.add_pred_to_datasample(preds, data_samples)

    def projected_joints(self, out: Dict[str, Tensor]) -> Tensor:
        """The body-model joints that :meth:`predict` projects (N, 137, 3),
        or (N, 144, 3) with ``predict_all_joints``; no translation."""
        return (
            out['output_joints'] if self.predict_all_joints else out['joints']
        )

    def collect_preds(self, out: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """The crop-space predictions of :meth:`predict` (N, ...) from the
        :meth:`_forward` outputs ``out`` (same keys as ``predict``, before
        the original-image outputs); shared with the ONNX export."""
        joint_img = out['joint_img']
        parts = [joint_img[:, : SMPLX_POS_JOINTS.parts['lhand'][0]]]
        for part in ('lhand', 'rhand'):
            start, end = SMPLX_POS_JOINTS.parts[part]
            parts.append(
                self.codec.hand_to_body_heatmap(
                    joint_img[:, start:end], out[f'{part}_bbox']
                )
            )
        joint_img = torch.cat(parts, 1)
        joint_proj = self._project(
            self.projected_joints(out), out['cam_trans']
        )
        pose = out['pose']
        scale = pose.new_tensor(self.codec.body_input_to_crop_scale())
        preds = dict(
            joint_img=joint_img,
            smplx_joint_proj=joint_proj,
            smplx_root_pose=pose[:, :3],
            smplx_body_pose=pose[:, 3:66],
            smplx_lhand_pose=pose[:, 66:111],
            smplx_rhand_pose=pose[:, 111:156],
            smplx_jaw_pose=pose[:, 156:],
            smplx_shape=out['shape'],
            smplx_expr=out['expr'],
            cam_trans=out['cam_trans'],
            smplx_mesh_cam=out['vertices'] + out['cam_trans'][:, None],
        )
        for part in ('lhand', 'rhand', 'face'):
            preds[f'{part}_bbox'] = out[f'{part}_bbox'] * scale.repeat(2)
        return preds
