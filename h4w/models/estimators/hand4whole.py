"""Hand4Whole: whole-body SMPL-X estimation (spec §2, §4)."""

from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from h4w.body_models.joint_sets import (
    HAND_MCP_IDX,
    SMPLX_JOINTS,
    SMPLX_POS_JOINTS,
    anchor_indices,
)
from h4w.registry import MODELS

from ..utils import (
    apply_affine,
    depth_prior,
    flip_axis_angle,
    get_camera_trans,
    project_to_heatmap,
    relative_to_anchors,
    restore_bbox,
)
from .base import (
    BaseMeshEstimator,
    SampleList,
    boxes_to_image,
    float32_geometry,
    stack_instance_fields,
    stack_metainfo,
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


def body_hm_to_hand_hm(
    coords: Tensor,
    bbox: Tensor,
    input_body_shape: Sequence[int],
    output_hm_shape: Sequence[int],
    output_hand_hm_shape: Sequence[int],
) -> Tensor:
    """Re-express (N, J, >=2) body heat-map x, y in the heat-map space of
    a hand box (N, 4) xyxy in body-input pixels (spec §4.3); other columns
    are kept."""
    x1 = bbox[:, None, 0] / input_body_shape[1] * output_hm_shape[2]
    y1 = bbox[:, None, 1] / input_body_shape[0] * output_hm_shape[1]
    w = (
        (bbox[:, None, 2] - bbox[:, None, 0])
        / input_body_shape[1]
        * output_hm_shape[2]
    )
    h = (
        (bbox[:, None, 3] - bbox[:, None, 1])
        / input_body_shape[0]
        * output_hm_shape[1]
    )
    x = (coords[:, :, 0] - x1) * (output_hand_hm_shape[2] / w)
    y = (coords[:, :, 1] - y1) * (output_hand_hm_shape[1] / h)
    return torch.cat((torch.stack((x, y), 2), coords[:, :, 2:]), 2)


def hand_hm_to_body_hm(
    coords: Tensor,
    bbox: Tensor,
    input_body_shape: Sequence[int],
    output_hm_shape: Sequence[int],
    output_hand_hm_shape: Sequence[int],
) -> Tensor:
    """Inverse of :func:`body_hm_to_hand_hm` for x, y (spec §2.15); z is
    left in hand units."""
    x = coords[:, :, 0] * (
        (
            (bbox[:, None, 2] - bbox[:, None, 0])
            / input_body_shape[1]
            * output_hm_shape[2]
        )
        / output_hand_hm_shape[2]
    ) + (bbox[:, None, 0] / input_body_shape[1] * output_hm_shape[2])
    y = coords[:, :, 1] * (
        (
            (bbox[:, None, 3] - bbox[:, None, 1])
            / input_body_shape[0]
            * output_hm_shape[1]
        )
        / output_hand_hm_shape[1]
    ) + (bbox[:, None, 1] / input_body_shape[0] * output_hm_shape[1])
    return torch.cat((torch.stack((x, y), 2), coords[:, :, 2:]), 2)


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
        backbone, body_position_head, box_head, hand_roi_extractor,
        hand_backbone, hand_position_head, hand_rotation_head,
        body_rotation_head, face_roi_extractor, face_backbone, face_head,
        body_model (dict): Sub-module configs.
        loss_coord, loss_param, loss_pose (dict): Loss configs; set
            ``loss_pose=dict(type='RotationMatrixLoss')`` for the
            rotation-matrix pose loss (off by default, §10.1).
        input_img_shape, input_body_shape, input_hand_shape,
        input_face_shape: (H, W) of the crop, the body / hand / face
            inputs.
        output_hm_shape, output_hand_hm_shape: (D, H, W) heat maps.
        focal, princpt: Virtual camera in body-input pixels.
        camera_3d_size (float): Metres, for the depth prior (2.5).
        hand_bbox_extension, face_bbox_extension (float): 2.0 / 1.5.
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
        backbone: dict,
        body_position_head: dict,
        box_head: dict,
        hand_roi_extractor: dict,
        hand_backbone: dict,
        hand_position_head: dict,
        hand_rotation_head: dict,
        body_rotation_head: dict,
        face_roi_extractor: dict,
        face_backbone: dict,
        face_head: dict,
        body_model: dict,
        loss_coord: dict = dict(type='CoordLoss'),
        loss_param: dict = dict(type='ParamLoss'),
        loss_pose: dict = dict(type='ParamLoss'),
        input_img_shape: Sequence[int] = (512, 384),
        input_body_shape: Sequence[int] = (256, 192),
        input_hand_shape: Sequence[int] = (256, 256),
        input_face_shape: Sequence[int] = (192, 192),
        output_hm_shape: Sequence[int] = (8, 8, 6),
        output_hand_hm_shape: Sequence[int] = (8, 8, 8),
        focal: Sequence[float] = (5000, 5000),
        princpt: Sequence[float] = (96, 128),
        camera_3d_size: float = 2.5,
        hand_bbox_extension: float = 2.0,
        face_bbox_extension: float = 1.5,
        pixel_exact_hand_unflip: bool = False,
        detach_proj_joints: bool = False,
        predict_all_joints: bool = False,
        data_preprocessor: Optional[dict] = None,
        init_cfg: Optional[dict] = None,
    ) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg,
            body_model=body_model,
        )
        self.backbone = MODELS.build(backbone)
        self.body_position_head = MODELS.build(body_position_head)
        self.box_head = MODELS.build(box_head)
        self.hand_roi_extractor = MODELS.build(hand_roi_extractor)
        self.hand_backbone = MODELS.build(hand_backbone)
        self.hand_position_head = MODELS.build(hand_position_head)
        self.hand_rotation_head = MODELS.build(hand_rotation_head)
        self.body_rotation_head = MODELS.build(body_rotation_head)
        self.face_roi_extractor = MODELS.build(face_roi_extractor)
        self.face_backbone = MODELS.build(face_backbone)
        self.face_head = MODELS.build(face_head)
        self.body_model = MODELS.build(body_model)
        self.loss_coord = MODELS.build(loss_coord)
        self.loss_param = MODELS.build(loss_param)
        self.loss_pose = MODELS.build(loss_pose)
        self.input_img_shape = tuple(input_img_shape)
        self.input_body_shape = tuple(input_body_shape)
        self.input_hand_shape = tuple(input_hand_shape)
        self.input_face_shape = tuple(input_face_shape)
        self.output_hm_shape = tuple(output_hm_shape)
        self.output_hand_hm_shape = tuple(output_hand_hm_shape)
        self.focal = tuple(focal)
        self.princpt = tuple(princpt)
        self.camera_depth_prior = depth_prior(
            focal, camera_3d_size, input_body_shape
        )
        self.hand_bbox_extension = hand_bbox_extension
        self.face_bbox_extension = face_bbox_extension
        self.pixel_exact_hand_unflip = pixel_exact_hand_unflip
        self.detach_proj_joints = detach_proj_joints
        self.predict_all_joints = predict_all_joints
        self.register_buffer(
            'joint_anchors',
            torch.tensor(anchor_indices(SMPLX_JOINTS)),
            persistent=False,
        )

    # ------------------------------------------------------------ network
    def _restore_part_boxes(
        self, boxes: Dict[str, Tensor]
    ) -> Tuple[Tensor, Tensor, Tensor]:
        hand_ar = self.input_hand_shape[1] / self.input_hand_shape[0]
        face_ar = self.input_face_shape[1] / self.input_face_shape[0]
        out = []
        for part, ar, ext in (
            ('lhand', hand_ar, self.hand_bbox_extension),
            ('rhand', hand_ar, self.hand_bbox_extension),
            ('face', face_ar, self.face_bbox_extension),
        ):
            out.append(
                restore_bbox(
                    boxes[f'{part}_center'],
                    boxes[f'{part}_size'],
                    ar,
                    ext,
                    self.input_body_shape,
                    self.output_hm_shape,
                ).detach()
            )
        return tuple(out)

    def extract_feat(self, inputs: Tensor) -> Tensor:
        """Body feature (N, 2048, 8, 6) of the (N, 3, 512, 384) crop, from
        its nearest-neighbour downsampling to 256x192 (every second pixel,
        as the reference)."""
        return self.backbone(F.interpolate(inputs, self.input_body_shape))

    def _unflip_x(self, x: Tensor) -> Tensor:
        """Left-hand x back from the flipped crop (spec §2.10)."""
        width = self.output_hand_hm_shape[2]
        if self.pixel_exact_hand_unflip:
            stride = self.input_hand_shape[1] / width
            return (self.input_hand_shape[1] - 1) / stride - x
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
        with float32_geometry(inputs):
            cam_trans = get_camera_trans(
                body['cam_param'].float(), self.camera_depth_prior
            )
            smplx = self.body_model(
                betas=body['shape'],
                global_orient=body['root_pose'],
                body_pose=body['body_pose'],
                left_hand_pose=lhand_pose,
                right_hand_pose=rhand_pose,
                jaw_pose=face['jaw_pose'],
                expression=face['expr'],
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
        return project_to_heatmap(
            joints,
            cam_trans,
            self.focal,
            self.princpt,
            self.input_body_shape,
            self.output_hm_shape,
        )

    # --------------------------------------------------------------- loss
    def _hand_targets(
        self, gt: Dict[str, Tensor], out: Dict[str, Tensor]
    ) -> Dict[str, Tensor]:
        """Hand rows of the 2D targets in predicted-hand-box space and
        truncation by that box (spec §4.3)."""
        gt = dict(gt)
        hand_hm = self.output_hand_hm_shape
        for part in ('lhand', 'rhand'):
            rows = _part_slice(part)
            bbox = out[f'{part}_bbox']
            for coord_key, trunc_key in (
                ('joint_img', 'joint_trunc'),
                ('smplx_joint_img', 'smplx_joint_trunc'),
            ):
                coord = body_hm_to_hand_hm(
                    gt[coord_key][:, rows],
                    bbox,
                    self.input_body_shape,
                    self.output_hm_shape,
                    hand_hm,
                )
                coord = torch.cat(
                    (
                        coord[:, :, :2],
                        coord[:, :, 2:]
                        * (hand_hm[0] / self.output_hm_shape[0]),
                    ),
                    2,
                )
                x, y = coord[:, :, 0], coord[:, :, 1]
                inside = (
                    (x >= 0) & (x < hand_hm[2]) & (y >= 0) & (y < hand_hm[1])
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
                proj = body_hm_to_hand_hm(
                    proj,
                    out[f'{part}_bbox'],
                    self.input_body_shape,
                    self.output_hm_shape,
                    self.output_hand_hm_shape,
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
        :class:`MeshDataPreprocessor` for the ``smplx_*`` ones).
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
        out = self._forward(inputs, data_samples)
        joint_img = out['joint_img']
        parts = [joint_img[:, : SMPLX_POS_JOINTS.parts['lhand'][0]]]
        for part in ('lhand', 'rhand'):
            start, end = SMPLX_POS_JOINTS.parts[part]
            parts.append(
                hand_hm_to_body_hm(
                    joint_img[:, start:end],
                    out[f'{part}_bbox'],
                    self.input_body_shape,
                    self.output_hm_shape,
                    self.output_hand_hm_shape,
                )
            )
        joint_img = torch.cat(parts, 1)
        joints = (
            out['output_joints'] if self.predict_all_joints else out['joints']
        )
        joint_proj = self._project(joints, out['cam_trans'])
        scale = self._body_to_crop_scale(inputs)
        pose = out['pose']
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
        if data_samples and all(
            'bb2img_trans' in s.metainfo for s in data_samples
        ):
            preds.update(self._to_original_image(preds, data_samples, inputs))
        return self.add_pred_to_datasample(preds, data_samples)

    def _body_to_crop_scale(self, inputs: Tensor) -> Tensor:
        """(x, y) scale from body-input to crop pixels (2, 2)."""
        return inputs.new_tensor(
            [
                self.input_img_shape[1] / self.input_body_shape[1],
                self.input_img_shape[0] / self.input_body_shape[0],
            ]
        )

    def _to_original_image(
        self,
        preds: Dict[str, Tensor],
        data_samples: SampleList,
        inputs: Tensor,
    ) -> Dict[str, Tensor]:
        """Keypoints, boxes and the virtual camera in original pixels."""
        trans = stack_metainfo(data_samples, 'bb2img_trans', inputs.device)
        hm_to_crop = inputs.new_tensor(
            [
                self.input_img_shape[1] / self.output_hm_shape[2],
                self.input_img_shape[0] / self.output_hm_shape[1],
            ]
        )
        crop_scale = self._body_to_crop_scale(inputs)
        focal = inputs.new_tensor(self.focal) * crop_scale
        princpt = inputs.new_tensor(self.princpt) * crop_scale
        out = dict(
            joint_img_orig=apply_affine(
                preds['joint_img'][:, :, :2] * hm_to_crop, trans
            ),
            smplx_joint_proj_orig=apply_affine(
                preds['smplx_joint_proj'] * hm_to_crop, trans
            ),
            focal=focal * trans[:, :, :2].norm(dim=1),
            princpt=apply_affine(princpt.expand(trans.shape[0], 1, 2), trans)[
                :, 0
            ],
        )
        for part in ('lhand', 'rhand', 'face'):
            out[f'{part}_bbox_orig'] = boxes_to_image(
                preds[f'{part}_bbox'], trans
            )
        return out
