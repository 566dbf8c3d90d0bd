"""Independent, spec-literal functional reference of Hand4Whole and Pose2Pose.

Written from ``/work/shared/spec/hand4whole_reference.md`` only (a second
reading of the spec, not of h4w's heads / estimators / utils): every head is
re-implemented with ``torch.nn.functional`` and reads its weights from the
estimator's ``state_dict()`` by key name (spec §2.17 / Appendix A, without
the ``module.`` prefix and with h4w's sub-module names).

Black boxes taken from h4w (tested separately): the ResNet trunks
(``model.backbone`` etc., §2.2), the body-model layers (``model.body_model``,
§2.14 / §3), ``h4w.models.task_modules.roi_align`` (torchvision semantics,
§2.7). Everything else -- soft-argmax, joint-feature sampling, BoxNet, box
restoration, RoI boxes and the left-hand flip, un-flip, 6D -> axis-angle,
camera, projection, part-relative joints, test-mode conversions and all
losses incl. the hand re-mapping and translation alignment -- is written
here.

Conventions: shapes (H, W) and heat maps (D, H, W) as in the spec (§0).
"""

import math
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from h4w.models.task_modules import roi_align

# --------------------------------------------------------------- constants
#: §1.1 whole-body configuration.
H4W_CFG = dict(
    input_img_shape=(512, 384),
    input_body_shape=(256, 192),
    output_hm_shape=(8, 8, 6),
    input_hand_shape=(256, 256),
    output_hand_hm_shape=(8, 8, 8),
    input_face_shape=(192, 192),
    focal=(5000.0, 5000.0),
    princpt=(96.0, 128.0),
    camera_3d_size=2.5,
    hand_bbox_extension=2.0,
    face_bbox_extension=1.5,
)

#: §1.2 Pose2Pose configuration per part.
P2P_CFG = dict(
    body=dict(
        input_img_shape=(256, 192),
        output_hm_shape=(8, 8, 6),
        camera_3d_size=2.5,
        princpt=(96.0, 128.0),
        focal=(5000.0, 5000.0),
        num_pos_joints=25,
    ),
    hand=dict(
        input_img_shape=(256, 256),
        output_hm_shape=(8, 8, 8),
        camera_3d_size=0.4,
        princpt=(128.0, 128.0),
        focal=(5000.0, 5000.0),
        num_pos_joints=21,
    ),
    face=dict(
        input_img_shape=(256, 192),
        output_hm_shape=(8, 8, 6),
        camera_3d_size=0.4,
        princpt=(96.0, 128.0),
        focal=(5000.0, 5000.0),
        num_pos_joints=0,
    ),
)

# §3.3 (b): parts of the 137-joint SMPL-X supervision set.
SMPLX_BODY = list(range(0, 25))
SMPLX_LHAND = list(range(25, 45))
SMPLX_RHAND = list(range(45, 65))
SMPLX_FACE = list(range(65, 137))
SMPLX_ROOT, SMPLX_LWRIST, SMPLX_RWRIST, SMPLX_NECK = 0, 12, 13, 7
# §3.3 (c): L_MCP = R_MCP = Index_1, Middle_1, Ring_1, Pinky_1 of a hand.
HAND_MCP = [4, 8, 12, 16]
# §3.3 (a): 15 rotations per hand.
NUM_HAND_ROT = 15

# §3.4: SMPL 33-joint set = 14 body (0-13), 8 MCPs (14-21), Nose 22,
# L_Eye 23, R_Eye 24, L_Ear 25, R_Ear 26, 6 feet (27-32). The 25-joint
# PositionNet set is "the 14 body + 6 feet + L_Ear, R_Ear, L_Eye, R_Eye,
# Nose" (by name), i.e. these rows of the 33 set:
SMPL_POS_FROM_33 = list(range(14)) + list(range(27, 33)) + [25, 26, 23, 24, 22]


def camera_depth_prior(
    focal: Sequence[float], camera_3d_size: float, input_shape: Sequence[int]
) -> float:
    """k = sqrt(fx * fy * size^2 / (H * W)) (§1.1 derived constants)."""
    return math.sqrt(
        focal[0]
        * focal[1]
        * camera_3d_size**2
        / (input_shape[0] * input_shape[1])
    )


# ------------------------------------------------------------ primitives
def batch_norm(
    x: Tensor, p: Dict[str, Tensor], prefix: str, training: bool
) -> Tensor:
    """BatchNorm2d with default eps/momentum (§2.2): batch statistics in
    training mode (running buffers are left untouched), running statistics
    in eval mode."""
    if training:
        return F.batch_norm(
            x,
            None,
            None,
            p[f'{prefix}.weight'],
            p[f'{prefix}.bias'],
            training=True,
            eps=1e-5,
        )
    return F.batch_norm(
        x,
        p[f'{prefix}.running_mean'],
        p[f'{prefix}.running_var'],
        p[f'{prefix}.weight'],
        p[f'{prefix}.bias'],
        training=False,
        eps=1e-5,
    )


def conv1x1(x: Tensor, p: Dict[str, Tensor], prefix: str) -> Tensor:
    """One Conv2d of a conv stack (kernel 1, stride 1, pad 0, bias, §2.3)."""
    return F.conv2d(x, p[f'{prefix}.weight'], p[f'{prefix}.bias'])


def conv_bn_relu(
    x: Tensor, p: Dict[str, Tensor], prefix: str, training: bool
) -> Tensor:
    """conv stack [c_in, c_out] with BN + ReLU: keys ``prefix.0`` (conv)
    and ``prefix.1`` (BN) (§2.3 index order)."""
    x = conv1x1(x, p, f'{prefix}.0')
    return F.relu(batch_norm(x, p, f'{prefix}.1', training))


def linear(x: Tensor, p: Dict[str, Tensor], prefix: str) -> Tensor:
    return F.linear(x, p[f'{prefix}.weight'], p[f'{prefix}.bias'])


def soft_argmax_3d(logits: Tensor) -> Tuple[Tensor, Tensor]:
    """§2.4: softmax over the D*H*W cells of every joint, expectation of the
    index along each axis (marginals). ``logits`` (N, J, D, H, W) ->
    coords (N, J, 3) as (x, y, z) and probabilities (N, J, D, H, W)."""
    n, j, d, h, w = logits.shape
    prob = F.softmax(logits.reshape(n, j, d * h * w), dim=2)
    prob = prob.reshape(n, j, d, h, w)
    px = prob.sum(dim=(2, 3))  # (N, J, W)
    py = prob.sum(dim=(2, 4))  # (N, J, H)
    pz = prob.sum(dim=(3, 4))  # (N, J, D)
    x = (px * torch.arange(w, dtype=prob.dtype)).sum(dim=2)
    y = (py * torch.arange(h, dtype=prob.dtype)).sum(dim=2)
    z = (pz * torch.arange(d, dtype=prob.dtype)).sum(dim=2)
    return torch.stack((x, y, z), dim=2), prob


def soft_argmax_2d(logits: Tensor) -> Tensor:
    """§2.5: softmax over H*W, expectation of x in [0, W-1] and y in
    [0, H-1]. ``logits`` (N, J, H, W) -> (N, J, 2)."""
    n, j, h, w = logits.shape
    prob = F.softmax(logits.reshape(n, j, h * w), dim=2).reshape(n, j, h, w)
    x = (prob.sum(dim=2) * torch.arange(w, dtype=prob.dtype)).sum(dim=2)
    y = (prob.sum(dim=3) * torch.arange(h, dtype=prob.dtype)).sum(dim=2)
    return torch.stack((x, y), dim=2)


def sample_joint_features(feat: Tensor, coords: Tensor) -> Tensor:
    """§2.8: bilinear sampling at index coordinates (align_corners=True,
    zero padding). ``feat`` (N, C, H, W), ``coords`` (N, J, >=2) ->
    (N, J, C)."""
    _, _, h, w = feat.shape
    x = coords[:, :, 0] / (w - 1) * 2 - 1
    y = coords[:, :, 1] / (h - 1) * 2 - 1
    grid = torch.stack((x, y), dim=2)[:, :, None, :]  # (N, J, 1, 2)
    out = F.grid_sample(
        feat, grid, mode='bilinear', padding_mode='zeros', align_corners=True
    )  # (N, C, J, 1)
    return out[:, :, :, 0].permute(0, 2, 1)


# -------------------------------------------------------------- rotations
def rot6d_to_rotmat(x: Tensor) -> Tensor:
    """§2.13: (M, 6) viewed as (M, 3, 2) row-major, i.e. columns
    a1 = (x0, x2, x4), a2 = (x1, x3, x5); Gram-Schmidt with F.normalize
    (eps 1e-12) and b3 = b1 x b2 taken along dim 1 (the CORRECT cross
    product; the reference's dim-less torch.cross is wrong for M == 3,
    §2.13 quirk, fixed on purpose)."""
    x = x.reshape(-1, 3, 2)
    a1, a2 = x[:, :, 0], x[:, :, 1]
    b1 = F.normalize(a1, dim=1, eps=1e-12)
    b2 = F.normalize(
        a2 - (b1 * a2).sum(dim=1, keepdim=True) * b1, dim=1, eps=1e-12
    )
    b3 = torch.linalg.cross(b1, b2, dim=1)
    return torch.stack((b1, b2, b3), dim=2)  # columns


def rotmat_to_axis_angle(rotmat: Tensor) -> Tensor:
    """Rotation matrix -> axis-angle (Rodrigues vector) through a
    quaternion (Shepperd's case selection), in float64, angle in [0, pi]
    (§2.13: any correct conversion; NaN -> 0)."""
    r = rotmat.double()
    m00, m01, m02 = r[:, 0, 0], r[:, 0, 1], r[:, 0, 2]
    m10, m11, m12 = r[:, 1, 0], r[:, 1, 1], r[:, 1, 2]
    m20, m21, m22 = r[:, 2, 0], r[:, 2, 1], r[:, 2, 2]
    t = torch.stack(
        (
            1 + m00 + m11 + m22,
            1 + m00 - m11 - m22,
            1 - m00 + m11 - m22,
            1 - m00 - m11 + m22,
        ),
        dim=1,
    )
    cand = torch.stack(
        (
            torch.stack((t[:, 0], m21 - m12, m02 - m20, m10 - m01), dim=1),
            torch.stack((m21 - m12, t[:, 1], m01 + m10, m02 + m20), dim=1),
            torch.stack((m02 - m20, m01 + m10, t[:, 2], m12 + m21), dim=1),
            torch.stack((m10 - m01, m02 + m20, m12 + m21, t[:, 3]), dim=1),
        ),
        dim=1,
    )  # (M, 4 cases, 4) = (w, x, y, z) * 2 sqrt(t_case)
    best = t.argmax(dim=1)
    idx = torch.arange(len(r))
    q = cand[idx, best] / (2 * t[idx, best].clamp(min=1e-30).sqrt())[:, None]
    q = torch.where(q[:, :1] < 0, -q, q)  # w >= 0 -> angle in [0, pi]
    w, v = q[:, 0], q[:, 1:]
    sin_half = v.norm(dim=1)
    angle = 2 * torch.atan2(sin_half, w)
    factor = torch.where(
        sin_half > 1e-12,
        angle / sin_half.clamp(1e-12),
        2.0 / w.clamp(min=1e-12),
    )
    aa = v * factor[:, None]
    aa = torch.where(torch.isnan(aa), torch.zeros_like(aa), aa)
    return aa.to(rotmat.dtype)


def rot6d_to_axis_angle(x: Tensor) -> Tensor:
    """§2.13: (M, 6) -> (M, 3)."""
    return rotmat_to_axis_angle(rot6d_to_rotmat(x))


def rot6d_block(x: Tensor, num: int) -> Tensor:
    """(N, 6 * num) -> axis-angle (N, 3 * num)."""
    n = x.shape[0]
    return rot6d_to_axis_angle(x.reshape(n * num, 6)).reshape(n, num * 3)


# ------------------------------------------------------------ geometry
def restore_bbox(
    center: Tensor,
    size: Tensor,
    aspect_ratio: float,
    extension: float,
    output_hm_shape=(8, 8, 6),
    input_body_shape=(256, 192),
) -> Tensor:
    """§2.6: centre/size (body hm units) -> xyxy in body-input pixels,
    squared to ``aspect_ratio`` (W/H) and enlarged by ``extension``."""
    xy1 = center - size / 2
    xy2 = center + size / 2
    sx = input_body_shape[1] / output_hm_shape[2]
    sy = input_body_shape[0] / output_hm_shape[1]
    x1, y1 = xy1[:, 0] * sx, xy1[:, 1] * sy
    x2, y2 = xy2[:, 0] * sx, xy2[:, 1] * sy
    w, h = x2 - x1, y2 - y1
    cx, cy = x1 + w / 2, y1 + h / 2
    wider = w > aspect_ratio * h
    taller = w < aspect_ratio * h
    new_h = torch.where(wider, w / aspect_ratio, h)
    new_w = torch.where(taller, h * aspect_ratio, w)
    w, h = new_w * extension, new_h * extension
    x1, y1 = cx - w / 2, cy - h / 2
    return torch.stack((x1, y1, x1 + w, y1 + h), dim=1)


def crop_rois(
    img: Tensor,
    bbox: Tensor,
    output_shape: Sequence[int],
    input_img_shape=(512, 384),
    input_body_shape=(256, 192),
) -> Tensor:
    """§2.7: boxes (body-input pixels) scaled to the 512x384 image
    (x * 384/192, y * 512/256), rows [batch, x1, y1, x2, y2], roi_align
    with spatial_scale 1, adaptive sampling, aligned=False."""
    sx = input_img_shape[1] / input_body_shape[1]
    sy = input_img_shape[0] / input_body_shape[0]
    n = img.shape[0]
    rois = torch.stack(
        (
            torch.arange(n, dtype=bbox.dtype),
            bbox[:, 0] * sx,
            bbox[:, 1] * sy,
            bbox[:, 2] * sx,
            bbox[:, 3] * sy,
        ),
        dim=1,
    )
    return roi_align(
        img,
        rois,
        tuple(output_shape),
        spatial_scale=1.0,
        sampling_ratio=-1,
        aligned=False,
    )


def camera_translation(cam_param: Tensor, k: float) -> Tensor:
    """§2.14: t_xy = cam_param[:, :2], t_z = k * sigmoid(cam_param[:, 2])."""
    t_z = k * torch.sigmoid(cam_param[:, 2])
    return torch.cat((cam_param[:, :2], t_z[:, None]), dim=1)


def project(
    joints: Tensor, cam_trans: Tensor, focal, princpt, input_shape, hm_shape
) -> Tensor:
    """§2.14: perspective projection (+1e-4 on depth) into the input crop,
    then pixel -> hm units (x / W_in * W_hm, y / H_in * H_hm)."""
    x = joints[:, :, 0] + cam_trans[:, None, 0]
    y = joints[:, :, 1] + cam_trans[:, None, 1]
    z = joints[:, :, 2] + cam_trans[:, None, 2]
    u = x / (z + 1e-4) * focal[0] + princpt[0]
    v = y / (z + 1e-4) * focal[1] + princpt[1]
    u = u / input_shape[1] * hm_shape[2]
    v = v / input_shape[0] * hm_shape[1]
    return torch.stack((u, v), dim=2)


def body_hm_to_hand_hm(coords: Tensor, bbox: Tensor, cfg=H4W_CFG) -> Tensor:
    """§4.3: body hm -> hand-box hm for x, y; z * D_hand / D_body."""
    hm, hand_hm = cfg['output_hm_shape'], cfg['output_hand_hm_shape']
    body = cfg['input_body_shape']
    x1 = bbox[:, None, 0] / body[1] * hm[2]
    y1 = bbox[:, None, 1] / body[0] * hm[1]
    bw = (bbox[:, None, 2] - bbox[:, None, 0]) / body[1] * hm[2]
    bh = (bbox[:, None, 3] - bbox[:, None, 1]) / body[0] * hm[1]
    x = (coords[:, :, 0] - x1) * hand_hm[2] / bw
    y = (coords[:, :, 1] - y1) * hand_hm[1] / bh
    out = [x, y]
    if coords.shape[2] > 2:
        out.append(coords[:, :, 2] * hand_hm[0] / hm[0])
    return torch.stack(out, dim=2)


def hand_hm_to_body_hm(coords: Tensor, bbox: Tensor, cfg=H4W_CFG) -> Tensor:
    """§2.15: x_body = x_hand * ((x2-x1)/192*6)/8 + x1/192*6 (same for y
    with 256 / 8); z stays in hand units."""
    hm, hand_hm = cfg['output_hm_shape'], cfg['output_hand_hm_shape']
    body = cfg['input_body_shape']
    bw = (bbox[:, None, 2] - bbox[:, None, 0]) / body[1] * hm[2]
    bh = (bbox[:, None, 3] - bbox[:, None, 1]) / body[0] * hm[1]
    x = coords[:, :, 0] * bw / hand_hm[2] + bbox[:, None, 0] / body[1] * hm[2]
    y = coords[:, :, 1] * bh / hand_hm[1] + bbox[:, None, 1] / body[0] * hm[1]
    return torch.stack((x, y, coords[:, :, 2]), dim=2)


# ------------------------------------------------------------------ losses
def coord_loss(
    out: Tensor, gt: Tensor, valid: Tensor, is_3d: Tensor = None
) -> Tensor:
    """§4.1 CoordLoss: |out - gt| * valid; z column additionally * is_3D."""
    loss = (out - gt).abs() * valid
    if is_3d is not None:
        loss = torch.cat(
            (loss[:, :, :2], loss[:, :, 2:] * is_3d[:, None, None].float()),
            dim=2,
        )
    return loss


def param_loss(out: Tensor, gt: Tensor, valid: Tensor) -> Tensor:
    """§4.1 ParamLoss: |out - gt| * valid."""
    return (out - gt).abs() * valid


def translation_align(pred: Tensor, target: Tensor, mask: Tensor) -> Tensor:
    """§4.4: per-sample 2D translation = mean over joints with mask == 1 of
    (target - pred), zero if no such joint; added to ``pred`` (not
    detached). pred/target (N, J, 2), mask (N, J)."""
    out = []
    for i in range(pred.shape[0]):
        m = mask[i] == 1
        if m.sum() == 0:
            t = pred.new_zeros(2)
        else:
            t = (target[i, m] - pred[i, m]).mean(dim=0)
        out.append(pred[i] + t)
    return torch.stack(out)


# ----------------------------------------------------------------- targets
def stack_gt(samples: List, key: str) -> Tensor:
    """Concatenate a ``gt_instances`` field over the samples (each has a
    leading size 1) as float32."""
    vals = []
    for s in samples:
        v = s.gt_instances.get(key)
        v = torch.as_tensor(
            np.asarray(v) if not isinstance(v, Tensor) else v.detach()
        )
        vals.append(v.float().reshape(1, *v.shape[1:]))
    return torch.cat(vals)


def _state(model) -> Dict[str, Tensor]:
    return {k: v.detach() for k, v in model.state_dict().items()}


# ================================================================ Hand4Whole
def hand4whole_forward(
    model, img: Tensor, training: bool, cfg=H4W_CFG
) -> Dict[str, Tensor]:
    """§2.1 steps 1-16 with the heads of §2.4-§2.14; returns the internal
    tensors needed by the test outputs and the losses."""
    p = _state(model)
    n = img.shape[0]
    d, h, w = cfg['output_hm_shape']
    hd, hh, hw = cfg['output_hand_hm_shape']
    # 1. nearest resize to the body input (§2.1, §10.1 item 1)
    body_img = F.interpolate(img, cfg['input_body_shape'])
    # 2. body backbone (black box, §2.2)
    img_feat = model.backbone(body_img)
    # 3. body PositionNet (§2.4): channel c = j * D + d
    logits = conv1x1(img_feat, p, 'body_position_head.conv.0')
    num_body = logits.shape[1] // d
    logits = logits.reshape(n, num_body, d, h, w)
    body_joint_img, body_hm = soft_argmax_3d(logits)
    # 4. BoxNet (§2.5) on img_feat ++ detached heat-map (N, 25*8, 8, 6)
    x = torch.cat(
        (img_feat, body_hm.detach().reshape(n, num_body * d, h, w)), dim=1
    )
    for i in (0, 3, 6):
        x = F.conv_transpose2d(
            x,
            p[f'box_head.deconv.{i}.weight'],
            stride=2,
            padding=1,
            output_padding=0,
        )
        x = F.relu(batch_norm(x, p, f'box_head.deconv.{i + 1}', training))
    centers = soft_argmax_2d(conv1x1(x, p, 'box_head.bbox_center.0'))
    box = {}
    for k, part in enumerate(('lhand', 'rhand', 'face')):
        c = centers[:, k]  # (N, 2) in 64x48 index units
        feat = sample_joint_features(x, c[:, None].detach())[:, 0]
        size = linear(
            F.relu(linear(feat, p, f'box_head.{part}_size.0')),
            p,
            f'box_head.{part}_size.2',
        )
        box[f'{part}_center'] = c / 8  # -> body hm units
        box[f'{part}_size'] = size
    # 5. restore_bbox (§2.6), detached
    hand_shape, face_shape = cfg['input_hand_shape'], cfg['input_face_shape']
    bbox = {}
    for part, shape, ext in (
        ('lhand', hand_shape, cfg['hand_bbox_extension']),
        ('rhand', hand_shape, cfg['hand_bbox_extension']),
        ('face', face_shape, cfg['face_bbox_extension']),
    ):
        bbox[part] = restore_bbox(
            box[f'{part}_center'],
            box[f'{part}_size'],
            shape[1] / shape[0],
            ext,
            cfg['output_hm_shape'],
            cfg['input_body_shape'],
        ).detach()
    # 6. hand RoIs from the 512x384 image, left crop flipped (§2.7)
    lcrop = crop_rois(
        img,
        bbox['lhand'],
        hand_shape,
        cfg['input_img_shape'],
        cfg['input_body_shape'],
    )
    rcrop = crop_rois(
        img,
        bbox['rhand'],
        hand_shape,
        cfg['input_img_shape'],
        cfg['input_body_shape'],
    )
    hand_img = torch.cat((torch.flip(lcrop, [3]), rcrop))
    hand_feat = model.hand_backbone(hand_img)
    # 7. face RoI (§2.7)
    face_img = crop_rois(
        img,
        bbox['face'],
        face_shape,
        cfg['input_img_shape'],
        cfg['input_body_shape'],
    )
    face_feat = model.face_backbone(face_img)
    # 8. hand PositionNet (§2.9)
    hlogits = conv1x1(hand_feat, p, 'hand_position_head.conv.0')
    num_hand = hlogits.shape[1] // hd
    hand_joint_img, _ = soft_argmax_3d(
        hlogits.reshape(2 * n, num_hand, hd, hh, hw)
    )
    # 9. hand RotationNet (§2.9)
    hf = conv_bn_relu(hand_feat, p, 'hand_rotation_head.hand_conv', training)
    hj = hand_joint_img.detach()
    hf = torch.cat((sample_joint_features(hf, hj), hj), dim=2)
    hand_6d = linear(
        hf.reshape(2 * n, -1), p, 'hand_rotation_head.hand_pose_out.0'
    )
    hand_pose = rot6d_block(hand_6d, NUM_HAND_ROT)  # (2N, 45)
    # 10. un-flip the left hand (§2.10)
    ljoint = hand_joint_img[:n]
    ljoint = torch.cat((hw - 1 - ljoint[:, :, :1], ljoint[:, :, 1:]), dim=2)
    rjoint = hand_joint_img[n:]
    lpose = hand_pose[:n].reshape(n, NUM_HAND_ROT, 3)
    lpose = torch.cat((lpose[:, :, :1], -lpose[:, :, 1:]), dim=2)
    lhand_pose = lpose.reshape(n, -1)
    rhand_pose = hand_pose[n:]
    lhand_feat = torch.flip(hand_feat[:n], [3])
    rhand_feat = hand_feat[n:]
    # 11. body RotationNet (§2.11)
    pooled = img_feat.mean(dim=(2, 3))
    shape = linear(pooled, p, 'body_rotation_head.shape_out.0')
    cam_param = linear(pooled, p, 'body_rotation_head.cam_out.0')
    bj = body_joint_img.detach()
    bf = conv_bn_relu(img_feat, p, 'body_rotation_head.body_conv', training)
    bf = torch.cat((sample_joint_features(bf, bj), bj), dim=2)
    parts = [bf]
    for side, feat, joints in (
        ('lhand', lhand_feat, ljoint),
        ('rhand', rhand_feat, rjoint),
    ):
        mcp = joints[:, HAND_MCP].detach()
        f = conv_bn_relu(feat, p, f'body_rotation_head.{side}_conv', training)
        parts.append(torch.cat((sample_joint_features(f, mcp), mcp), dim=2))
    feat = torch.cat(parts, dim=1).reshape(n, -1)  # (N, 33 * 515)
    root_6d = linear(feat, p, 'body_rotation_head.root_pose_out.0')
    body_6d = linear(feat, p, 'body_rotation_head.body_pose_out.0')
    # 12. 6D -> axis-angle (§2.13)
    root_pose = rot6d_block(root_6d, 1)
    body_pose = rot6d_block(body_6d, body_6d.shape[1] // 6)
    # 13. camera translation (§2.14)
    k = camera_depth_prior(
        cfg['focal'], cfg['camera_3d_size'], cfg['input_body_shape']
    )
    cam_trans = camera_translation(cam_param, k)
    # 14. FaceRegressor (§2.12)
    fpool = face_feat.mean(dim=(2, 3))
    expr = linear(fpool, p, 'face_head.expr_out.0')
    jaw_pose = rot6d_block(linear(fpool, p, 'face_head.jaw_pose_out.0'), 1)
    # 15. SMPL-X forward, projection, part-relative joints (§2.14)
    zeros = root_pose.new_zeros(n, 3)
    out = model.body_model(
        betas=shape,
        global_orient=root_pose,
        body_pose=body_pose,
        left_hand_pose=lhand_pose,
        right_hand_pose=rhand_pose,
        jaw_pose=jaw_pose,
        leye_pose=zeros,
        reye_pose=zeros,
        expression=expr,
    )
    joints = out['joints']  # (N, 137, 3)
    joint_proj = project(
        joints,
        cam_trans,
        cfg['focal'],
        cfg['princpt'],
        cfg['input_body_shape'],
        cfg['output_hm_shape'],
    )
    joint_cam = joints - joints[:, SMPLX_ROOT : SMPLX_ROOT + 1]
    joint_cam = torch.cat(
        (
            joint_cam[:, :25],
            joint_cam[:, 25:45]
            - joint_cam[:, SMPLX_LWRIST : SMPLX_LWRIST + 1],
            joint_cam[:, 45:65]
            - joint_cam[:, SMPLX_RWRIST : SMPLX_RWRIST + 1],
            joint_cam[:, 65:] - joint_cam[:, SMPLX_NECK : SMPLX_NECK + 1],
        ),
        dim=1,
    )
    mesh_cam = out['vertices'] + cam_trans[:, None]
    # 16. concatenations
    pose = torch.cat(
        (root_pose, body_pose, lhand_pose, rhand_pose, jaw_pose), dim=1
    )
    joint_img = torch.cat((body_joint_img, ljoint, rjoint), dim=1)
    return dict(
        pose=pose,
        root_pose=root_pose,
        body_pose=body_pose,
        lhand_pose=lhand_pose,
        rhand_pose=rhand_pose,
        jaw_pose=jaw_pose,
        shape=shape,
        expr=expr,
        cam_trans=cam_trans,
        joint_img=joint_img,
        joint_proj=joint_proj,
        joint_cam=joint_cam,
        mesh_cam=mesh_cam,
        lhand_bbox=bbox['lhand'],
        rhand_bbox=bbox['rhand'],
        face_bbox=bbox['face'],
        hand_img=hand_img,
        face_img=face_img,
        **box,
    )


def hand4whole_predict(model, img: Tensor, cfg=H4W_CFG) -> Dict[str, Tensor]:
    """§2.15 test-mode outputs (eval-mode BN)."""
    out = hand4whole_forward(model, img, training=False, cfg=cfg)
    joint_img = out['joint_img']
    joint_img = torch.cat(
        (
            joint_img[:, :25],
            hand_hm_to_body_hm(joint_img[:, 25:45], out['lhand_bbox'], cfg),
            hand_hm_to_body_hm(joint_img[:, 45:65], out['rhand_bbox'], cfg),
        ),
        dim=1,
    )
    sx = cfg['input_img_shape'][1] / cfg['input_body_shape'][1]
    sy = cfg['input_img_shape'][0] / cfg['input_body_shape'][0]
    scale = joint_img.new_tensor([sx, sy, sx, sy])
    return dict(
        joint_img=joint_img,
        smplx_joint_proj=out['joint_proj'],
        smplx_mesh_cam=out['mesh_cam'],
        smplx_root_pose=out['root_pose'],
        smplx_body_pose=out['body_pose'],
        smplx_lhand_pose=out['lhand_pose'],
        smplx_rhand_pose=out['rhand_pose'],
        smplx_jaw_pose=out['jaw_pose'],
        smplx_shape=out['shape'],
        smplx_expr=out['expr'],
        cam_trans=out['cam_trans'],
        lhand_bbox=out['lhand_bbox'] * scale,
        rhand_bbox=out['rhand_bbox'] * scale,
        face_bbox=out['face_bbox'] * scale,
    )


def hand4whole_losses(
    model, img: Tensor, samples: List, cfg=H4W_CFG
) -> Dict[str, Tensor]:
    """§4.1-§4.4: the 11 whole-body losses (train-mode BN)."""
    out = hand4whole_forward(model, img, training=True, cfg=cfg)

    def gt(key):
        return stack_gt(samples, key)

    is_3d = gt('is_3d').reshape(-1)
    loss = {}
    loss['smplx_pose'] = param_loss(
        out['pose'], gt('smplx_pose'), gt('smplx_pose_valid')
    )
    loss['smplx_shape'] = param_loss(
        out['shape'], gt('smplx_shape'), gt('smplx_shape_valid')[:, None]
    )
    loss['smplx_expr'] = param_loss(
        out['expr'], gt('smplx_expr'), gt('smplx_expr_valid')[:, None]
    )
    loss['joint_cam'] = coord_loss(
        out['joint_cam'],
        gt('joint_cam'),
        gt('joint_valid') * is_3d[:, None, None],
    )
    loss['smplx_joint_cam'] = coord_loss(
        out['joint_cam'], gt('smplx_joint_cam'), gt('smplx_joint_valid')
    )
    for part in ('lhand', 'rhand', 'face'):
        valid = gt(f'{part}_bbox_valid').reshape(-1)[:, None]
        loss[f'{part}_bbox'] = coord_loss(
            out[f'{part}_center'], gt(f'{part}_bbox_center'), valid
        ) + coord_loss(out[f'{part}_size'], gt(f'{part}_bbox_size'), valid)

    # §4.3 hand-target re-mapping into the predicted (detached) hand boxes
    targets = dict(
        joint_img=gt('joint_img'),
        smplx_joint_img=gt('smplx_joint_img'),
        joint_trunc=gt('joint_trunc'),
        smplx_joint_trunc=gt('smplx_joint_trunc'),
    )
    hand_hm = cfg['output_hand_hm_shape']
    for part, rows in (('lhand', SMPLX_LHAND), ('rhand', SMPLX_RHAND)):
        bbox = out[f'{part}_bbox']
        for coord_key, trunc_key in (
            ('joint_img', 'joint_trunc'),
            ('smplx_joint_img', 'smplx_joint_trunc'),
        ):
            coord = body_hm_to_hand_hm(targets[coord_key][:, rows], bbox, cfg)
            trunc = targets[trunc_key][:, rows, 0]
            x, y = coord[:, :, 0], coord[:, :, 1]
            trunc = (
                trunc
                * (
                    (x >= 0) & (x < hand_hm[2]) & (y >= 0) & (y < hand_hm[1])
                ).float()
            )
            new_coord = targets[coord_key].clone()
            new_coord[:, rows] = coord
            new_trunc = targets[trunc_key].clone()
            new_trunc[:, rows, 0] = trunc
            targets[coord_key], targets[trunc_key] = new_coord, new_trunc

    # §4.4 joint_proj: hands into the box + translation alignment, face
    # translation alignment only, body unchanged.
    joint_proj = out['joint_proj']
    pieces = [joint_proj[:, :25]]
    for part, rows in (('lhand', SMPLX_LHAND), ('rhand', SMPLX_RHAND)):
        coord = body_hm_to_hand_hm(
            joint_proj[:, rows], out[f'{part}_bbox'], cfg
        )
        pieces.append(
            translation_align(
                coord,
                targets['joint_img'][:, rows, :2],
                targets['joint_trunc'][:, rows, 0],
            )
        )
    pieces.append(
        translation_align(
            joint_proj[:, SMPLX_FACE],
            targets['joint_img'][:, SMPLX_FACE, :2],
            targets['joint_trunc'][:, SMPLX_FACE, 0],
        )
    )
    joint_proj = torch.cat(pieces, dim=1)

    pos = SMPLX_BODY + SMPLX_LHAND + SMPLX_RHAND  # reduce_joint_set, §3.3c
    loss['joint_proj'] = coord_loss(
        joint_proj, targets['joint_img'][:, :, :2], targets['joint_trunc']
    )
    loss['joint_img'] = coord_loss(
        out['joint_img'],
        targets['joint_img'][:, pos],
        targets['joint_trunc'][:, pos],
        is_3d,
    )
    loss['smplx_joint_img'] = coord_loss(
        out['joint_img'],
        targets['smplx_joint_img'][:, pos],
        targets['smplx_joint_trunc'][:, pos],
    )
    return {f'loss_{k}': v.mean() for k, v in loss.items()}


# ================================================================= Pose2Pose
def pose2pose_forward(
    model, img: Tensor, part: str, training: bool
) -> Dict[str, Tensor]:
    """§2.18 with §2.13/§2.14 per part (no RoI stage)."""
    cfg = P2P_CFG[part]
    p = _state(model)
    n = img.shape[0]
    d, h, w = cfg['output_hm_shape']
    img_feat = model.backbone(img)
    pooled = img_feat.mean(dim=(2, 3))
    out = {}
    if part in ('body', 'hand'):
        logits = conv1x1(img_feat, p, 'position_head.conv.0')
        num_joints = logits.shape[1] // d
        joint_img, _ = soft_argmax_3d(logits.reshape(n, num_joints, d, h, w))
        jd = joint_img.detach()
        f = conv_bn_relu(img_feat, p, 'head.conv', training)
        f = torch.cat((sample_joint_features(f, jd), jd), dim=2)
        f = f.reshape(n, -1)
        root_pose = rot6d_block(linear(f, p, 'head.root_pose_out.0'), 1)
        pose_6d = linear(f, p, 'head.pose_out.0')
        rest_pose = rot6d_block(pose_6d, pose_6d.shape[1] // 6)
        shape = linear(pooled, p, 'head.shape_out.0')
        cam_param = linear(pooled, p, 'head.cam_out.0')
        out['joint_img'] = joint_img
    else:
        pose_6d = linear(pooled, p, 'head.pose_out.0')
        root_pose = rot6d_block(pose_6d[:, :6], 1)
        jaw_pose = rot6d_block(pose_6d[:, 6:], 1)
        shape = linear(pooled, p, 'head.shape_out.0')
        expr = linear(pooled, p, 'head.expr_out.0')
        cam_param = linear(pooled, p, 'head.cam_out.0')
    k = camera_depth_prior(
        cfg['focal'], cfg['camera_3d_size'], cfg['input_img_shape']
    )
    cam_trans = camera_translation(cam_param, k)
    if part == 'body':
        # two zero hand rotations appended -> 69-d SMPL body_pose
        body_pose = torch.cat((rest_pose, rest_pose.new_zeros(n, 6)), dim=1)
        res = model.body_model(
            betas=shape, global_orient=root_pose, body_pose=body_pose
        )
        out['pose'] = torch.cat((root_pose, body_pose), dim=1)  # (N, 72)
    elif part == 'hand':
        res = model.body_model(
            betas=shape, global_orient=root_pose, hand_pose=rest_pose
        )
        out['pose'] = torch.cat((root_pose, rest_pose), dim=1)  # (N, 48)
    else:
        zeros = root_pose.new_zeros(n, 3)
        res = model.body_model(
            betas=shape,
            expression=expr,
            global_orient=root_pose,
            jaw_pose=jaw_pose,
            neck_pose=zeros,
            leye_pose=zeros,
            reye_pose=zeros,
        )
        out.update(root_pose=root_pose, jaw_pose=jaw_pose, expr=expr)
    joints = res['joints']
    out['joint_proj'] = project(
        joints,
        cam_trans,
        cfg['focal'],
        cfg['princpt'],
        cfg['input_img_shape'],
        cfg['output_hm_shape'],
    )
    out['joint_cam'] = joints - joints[:, :1]  # root-relative (root = 0)
    out['mesh_cam'] = res['vertices'] + cam_trans[:, None]
    out.update(shape=shape, cam_trans=cam_trans)
    return out


def pose2pose_predict(model, img: Tensor, part: str) -> Dict[str, Tensor]:
    """§2.18 test outputs (+ h4w's ``*_joint_proj`` / ``cam_trans``)."""
    out = pose2pose_forward(model, img, part, training=False)
    if part == 'body':
        return dict(
            smpl_mesh_cam=out['mesh_cam'],
            smpl_joint_proj=out['joint_proj'],
            smpl_pose=out['pose'],
            smpl_shape=out['shape'],
            joint_img=out['joint_img'],
            cam_trans=out['cam_trans'],
        )
    if part == 'hand':
        return dict(
            mano_mesh_cam=out['mesh_cam'],
            mano_joint_proj=out['joint_proj'],
            mano_pose=out['pose'],
            mano_shape=out['shape'],
            joint_img=out['joint_img'],
            cam_trans=out['cam_trans'],
        )
    return dict(
        flame_joint_cam=out['joint_cam'],
        flame_mesh_cam=out['mesh_cam'],
        flame_joint_proj=out['joint_proj'],
        flame_root_pose=out['root_pose'],
        flame_jaw_pose=out['jaw_pose'],
        flame_shape=out['shape'],
        flame_expr=out['expr'],
        cam_trans=out['cam_trans'],
    )


def pose2pose_losses(
    model, img: Tensor, samples: List, part: str
) -> Dict[str, Tensor]:
    """§4.6 (all weights 1, mean over all elements, no re-mapping)."""
    out = pose2pose_forward(model, img, part, training=True)

    def gt(key):
        return stack_gt(samples, key)

    is_3d = gt('is_3d').reshape(-1)
    prefix = dict(body='smpl', hand='mano', face='flame')[part]
    joint_img, joint_trunc = gt('joint_img'), gt('joint_trunc')
    loss = {}
    if part in ('body', 'hand'):
        pos = SMPL_POS_FROM_33 if part == 'body' else list(range(21))
        loss['joint_img'] = coord_loss(
            out['joint_img'], joint_img[:, pos], joint_trunc[:, pos], is_3d
        )
        loss[f'{prefix}_joint_img'] = coord_loss(
            out['joint_img'],
            gt(f'{prefix}_joint_img')[:, pos],
            gt(f'{prefix}_joint_trunc')[:, pos],
        )
        loss[f'{prefix}_pose'] = param_loss(
            out['pose'], gt(f'{prefix}_pose'), gt(f'{prefix}_pose_valid')
        )
        loss[f'{prefix}_shape'] = param_loss(
            out['shape'],
            gt(f'{prefix}_shape'),
            gt(f'{prefix}_shape_valid').reshape(-1)[:, None],
        )
    else:
        for name in ('root_pose', 'jaw_pose', 'shape', 'expr'):
            loss[f'flame_{name}'] = param_loss(
                out[name],
                gt(f'flame_{name}'),
                gt(f'flame_{name}_valid').reshape(-1)[:, None],
            )
    loss['joint_proj'] = coord_loss(
        out['joint_proj'], joint_img[:, :, :2], joint_trunc
    )
    loss['joint_cam'] = coord_loss(
        out['joint_cam'],
        gt('joint_cam'),
        gt('joint_valid') * is_3d[:, None, None],
    )
    loss[f'{prefix}_joint_cam'] = coord_loss(
        out['joint_cam'],
        gt(f'{prefix}_joint_cam'),
        gt(f'{prefix}_joint_valid'),
    )
    return {f'loss_{k}': v.mean() for k, v in loss.items()}
