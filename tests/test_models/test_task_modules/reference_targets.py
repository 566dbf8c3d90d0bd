"""Straightforward per-sample float64 re-statement of the reference
``process_human_model_output`` (spec §5.1, steps 1-15), in NumPy with
``cv2.Rodrigues`` and Python loops over flip pairs, followed by what the
datasets do with its outputs (masks, ``[:, None]``, ``np.tile(.., 3)``).

It is the test oracle of :class:`BodyModelTargetGenerator`; the body-model
forward is a float64 copy of the h4w layer (itself checked against the
``smplx`` package in ``tests/test_models/test_body_models``).
"""

import copy
from typing import Dict, Optional

import cv2
import numpy as np
import torch

from h4w.body_models.joint_sets import (
    FLAME_JOINTS,
    MANO_JOINTS,
    MANO_PARAM_JOINTS,
    SMPL_JOINTS,
    SMPL_PARAM_JOINTS,
    SMPLX_JOINTS,
    SMPLX_PARAM_JOINTS,
)

JOINT_SET = dict(
    smplx=SMPLX_JOINTS, smpl=SMPL_JOINTS, mano=MANO_JOINTS, flame=FLAME_JOINTS
)
PARAM_SET = dict(
    smplx=SMPLX_PARAM_JOINTS,
    smpl=SMPL_PARAM_JOINTS,
    mano=MANO_PARAM_JOINTS,
    flame=None,
)


def double_layers(layers) -> Dict[str, torch.nn.Module]:
    """float64 deep copies of the generator's body-model layers."""
    return {
        key: copy.deepcopy(layer).double() for key, layer in layers.items()
    }


# ------------------------------------------------ generate_patch_image
def rotate_2d(pt_2d, rot_rad):
    x, y = pt_2d
    sn, cs = np.sin(rot_rad), np.cos(rot_rad)
    return np.array([x * cs - y * sn, x * sn + y * cs], dtype=np.float32)


def gen_trans_from_patch_cv(
    c_x, c_y, src_width, src_height, dst_width, dst_height, scale, rot
):
    """The reference's affine (original pixels -> crop pixels)."""
    src_w, src_h = src_width * scale, src_height * scale
    src_center = np.array([c_x, c_y], dtype=np.float32)
    rot_rad = np.pi * rot / 180
    src_downdir = rotate_2d(np.array([0, src_h * 0.5], np.float32), rot_rad)
    src_rightdir = rotate_2d(np.array([src_w * 0.5, 0], np.float32), rot_rad)
    dst_center = np.array([dst_width * 0.5, dst_height * 0.5], np.float32)
    dst_downdir = np.array([0, dst_height * 0.5], np.float32)
    dst_rightdir = np.array([dst_width * 0.5, 0], np.float32)
    src = np.stack(
        [src_center, src_center + src_downdir, src_center + src_rightdir]
    ).astype(np.float32)
    dst = np.stack(
        [dst_center, dst_center + dst_downdir, dst_center + dst_rightdir]
    ).astype(np.float32)
    return cv2.getAffineTransform(src, dst).astype(np.float32)


def img2bb_trans(bbox, scale, rot, do_flip, img_width, out_shape):
    """``img2bb_trans`` of ``generate_patch_image`` (bbox xywh, out (H,W))."""
    c_x = bbox[0] + 0.5 * bbox[2]
    c_y = bbox[1] + 0.5 * bbox[3]
    if do_flip:
        c_x = img_width - c_x - 1
    return gen_trans_from_patch_cv(
        c_x, c_y, bbox[2], bbox[3], out_shape[1], out_shape[0], scale, rot
    )


# ------------------------------------------------------------- oracle
def _rodrigues(vec_or_mat):
    out, _ = cv2.Rodrigues(np.asarray(vec_or_mat, dtype=np.float64))
    return out


def _np(value, shape=None):
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    value = np.asarray(value, dtype=np.float64)
    return value.reshape(shape) if shape is not None else value


def _flag(params, key, default=True):
    return bool(_np(params[key]).reshape(-1)[0]) if key in params else default


def _cam2pixel(cam, focal, princpt):
    x = cam[:, 0] / cam[:, 2] * focal[0] + princpt[0]
    y = cam[:, 1] / cam[:, 2] * focal[1] + princpt[1]
    return np.stack((x, y, cam[:, 2]), 1)


def reference_targets(
    params,
    meta,
    layers,
    model_type,
    input_img_shape=(512, 384),
    output_hm_shape=(8, 8, 6),
    body_3d_size=2.0,
    hand_3d_size=0.3,
    face_3d_size=0.3,
) -> Optional[Dict[str, np.ndarray]]:
    """Targets of one sample, float64, without the leading size 1.

    Args:
        params (InstanceData | dict): The sample's ``gt_params``.
        meta (dict): Its metainfo.
        layers (dict): float64 body-model layers by gender / side.
        model_type (str): 'smplx', 'smpl', 'mano' or 'flame'.

    Returns:
        dict: Output field name -> array (see BodyModelTargetGenerator).
    """
    joint_set, param_set = JOINT_SET[model_type], PARAM_SET[model_type]
    do_flip = bool(meta.get('flip', False))
    rot = float(meta.get('rot', 0.0))
    ori_shape = meta['ori_shape']
    trans_2d = _np(meta['img2bb_trans'], (2, 3))
    focal, princpt = _np(params['focal'], 2), _np(params['princpt'], 2)
    has_r, has_t = 'cam_R' in params, 'cam_t' in params
    num_rot = 2 if param_set is None else param_set.num_joints
    rotation_valid = np.ones(num_rot)
    coord_valid = np.ones(joint_set.num_joints)
    expr_valid = True

    root_pose = _np(params['root_pose'], (1, 3))
    shape = _np(params['shape'], (1, 10))
    trans = (
        _np(params['trans'], (1, 3)) if 'trans' in params else np.zeros((1, 3))
    )
    group = 'right' if model_type == 'mano' else 'neutral'
    for key in ('gender', 'side'):
        if key in params:
            group = str(params[key][0])

    # step 1
    if model_type == 'smplx':
        body_pose = _np(params['body_pose'], (1, 63))
        hands = {}
        for part in ('lhand', 'rhand'):
            if f'{part}_pose' in params and _flag(params, f'{part}_valid'):
                hands[part] = _np(params[f'{part}_pose'], (1, 45))
            else:
                hands[part] = np.zeros((1, 45))
                rotation_valid[param_set.part_indices(part)] = 0
                coord_valid[joint_set.part_indices(part)] = 0
        if (
            'jaw_pose' in params
            and 'expr' in params
            and _flag(params, 'face_valid')
        ):
            jaw_pose = _np(params['jaw_pose'], (1, 3))
            expr = _np(params['expr'], (1, 10))
        else:
            jaw_pose, expr = np.zeros((1, 3)), np.zeros((1, 10))
            rotation_valid[param_set.part_indices('face')] = 0
            coord_valid[joint_set.part_indices('face')] = 0
            expr_valid = False
    elif model_type == 'smpl':
        body_pose = _np(params['body_pose'], (1, 69))
    elif model_type == 'mano':
        hand_pose = _np(params['hand_pose'], (1, 45))
    else:
        jaw_pose = _np(params['jaw_pose'], (1, 3))
        expr = _np(params['expr'], (1, 10))

    # step 2
    if has_r:
        cam_r = _np(params['cam_R'], (3, 3))
        root_pose = _rodrigues(cam_r @ _rodrigues(root_pose.reshape(3)))
        root_pose = root_pose.reshape(1, 3)

    # step 3
    def t(x):
        return torch.from_numpy(np.ascontiguousarray(x))

    kwargs = dict(global_orient=t(root_pose), betas=t(shape), transl=t(trans))
    if model_type == 'smplx':
        kwargs.update(
            body_pose=t(body_pose),
            left_hand_pose=t(hands['lhand']),
            right_hand_pose=t(hands['rhand']),
            jaw_pose=t(jaw_pose),
            expression=t(expr),
            leye_pose=t(np.zeros((1, 3))),
            reye_pose=t(np.zeros((1, 3))),
        )
    elif model_type == 'smpl':
        kwargs.update(body_pose=t(body_pose))
    elif model_type == 'mano':
        kwargs.update(hand_pose=t(hand_pose))
    else:
        kwargs.update(jaw_pose=t(jaw_pose), expression=t(expr))
    with torch.no_grad():
        output = layers[group](**kwargs)
    mesh_cam = output['vertices'][0].numpy()
    joint_cam = output['joints'][0].numpy()

    # step 4
    root_idx = joint_set.named_indices['root']
    if has_r and has_t:
        cam_r = _np(params['cam_R'], (3, 3))
        cam_t = _np(params['cam_t'], (1, 3))
        root_cam = joint_cam[root_idx, None, :]
        joint_cam = joint_cam - root_cam + (cam_r @ root_cam.T).T + cam_t
        mesh_cam = mesh_cam - root_cam + (cam_r @ root_cam.T).T + cam_t
    joint_cam_orig = joint_cam.copy()

    # step 5
    if model_type == 'smplx':
        pose = np.concatenate(
            (root_pose, body_pose, hands['lhand'], hands['rhand'], jaw_pose), 1
        ).reshape(-1, 3)
    elif model_type == 'smpl':
        pose = np.concatenate((root_pose, body_pose), 1).reshape(-1, 3)
    elif model_type == 'mano':
        pose = np.concatenate((root_pose, hand_pose), 1).reshape(-1, 3)
    else:
        pose = np.concatenate((root_pose, jaw_pose), 0)

    # step 6, 7, 8
    joint_img = _cam2pixel(joint_cam, focal, princpt)
    joint_cam = joint_cam - joint_cam[root_idx, None, :]
    depth = output_hm_shape[0]
    if model_type == 'smplx':
        named = joint_set.named_indices
        for part, anchor in (
            ('lhand', 'lwrist'),
            ('rhand', 'rwrist'),
            ('face', 'neck'),
        ):
            idx = joint_set.part_indices(part)
            joint_cam[idx] = joint_cam[idx] - joint_cam[named[anchor], None]
        for part, size in (
            ('body', body_3d_size),
            ('lhand', hand_3d_size),
            ('rhand', hand_3d_size),
            ('face', face_3d_size),
        ):
            idx = joint_set.part_indices(part)
            joint_img[idx, 2] = (
                (joint_cam[idx, 2] / (size / 2) + 1) / 2 * depth
            )
    else:
        size = dict(smpl=body_3d_size, mano=hand_3d_size, flame=face_3d_size)[
            model_type
        ]
        joint_img[:, 2] = (joint_cam[:, 2] / (size / 2) + 1) / 2 * depth
    mesh_cam_orig = mesh_cam.copy()  # step 9

    # step 10
    if do_flip:
        joint_cam[:, 0] = -joint_cam[:, 0]
        joint_img[:, 0] = ori_shape[1] - 1 - joint_img[:, 0]
        for a, b in joint_set.flip_pairs:
            joint_img[a], joint_img[b] = (
                joint_img[b].copy(),
                joint_img[a].copy(),
            )
            joint_cam[a], joint_cam[b] = (
                joint_cam[b].copy(),
                joint_cam[a].copy(),
            )
            coord_valid[a], coord_valid[b] = (
                coord_valid[b].copy(),
                coord_valid[a].copy(),
            )

    # step 11
    xy1 = np.concatenate((joint_img[:, :2], np.ones_like(joint_img[:, :1])), 1)
    joint_img[:, :2] = (trans_2d @ xy1.T).T
    joint_img[:, 0] = joint_img[:, 0] / input_img_shape[1] * output_hm_shape[2]
    joint_img[:, 1] = joint_img[:, 1] / input_img_shape[0] * output_hm_shape[1]
    joint_trunc = (
        (
            (joint_img[:, 0] >= 0)
            * (joint_img[:, 0] < output_hm_shape[2])
            * (joint_img[:, 1] >= 0)
            * (joint_img[:, 1] < output_hm_shape[1])
            * (joint_img[:, 2] >= 0)
            * (joint_img[:, 2] < output_hm_shape[0])
        )
        .reshape(-1, 1)
        .astype(np.float64)
    )

    # step 12
    a = np.deg2rad(-rot)
    rot_aug_mat = np.array(
        [[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]]
    )
    joint_cam = (rot_aug_mat @ joint_cam.T).T

    # step 13
    if do_flip:
        if param_set is not None:
            for a_, b_ in param_set.flip_pairs:
                pose[a_], pose[b_] = pose[b_].copy(), pose[a_].copy()
                rotation_valid[a_], rotation_valid[b_] = (
                    rotation_valid[b_].copy(),
                    rotation_valid[a_].copy(),
                )
        pose[:, 1:3] *= -1

    # step 14
    pose[0] = _rodrigues(rot_aug_mat @ _rodrigues(pose[0])).reshape(3)

    # step 15
    shape = shape.copy()
    shape[(np.abs(shape) > 3).any(axis=1)] = 0.0
    shape = shape.reshape(-1)

    # what the datasets do with the outputs
    param_valid = _flag(params, 'param_valid')
    pv = float(param_valid)
    if 'rotation_mask' in params:
        rotation_valid = rotation_valid * _np(params['rotation_mask'], -1)
    rotation_valid = rotation_valid * pv
    joint_valid = coord_valid[:, None] * pv
    if 'coord_mask' in params:
        joint_valid = joint_valid * _np(params['coord_mask'], (-1, 1))
    if _flag(params, 'mask_trunc', False):
        joint_trunc = joint_trunc * joint_valid

    p = model_type
    out = {
        f'{p}_joint_img': joint_img,
        f'{p}_joint_cam': joint_cam,
        f'{p}_joint_trunc': joint_trunc,
        f'{p}_joint_valid': joint_valid,
    }
    if p == 'flame':
        out.update(
            flame_root_pose=pose[0],
            flame_jaw_pose=pose[1],
            flame_root_pose_valid=np.asarray(rotation_valid[0]),
            flame_jaw_pose_valid=np.asarray(rotation_valid[1]),
        )
    else:
        out[f'{p}_pose'] = pose.reshape(-1)
        out[f'{p}_pose_valid'] = np.tile(
            rotation_valid[:, None], (1, 3)
        ).reshape(-1)
    out[f'{p}_shape'] = shape
    out[f'{p}_shape_valid'] = np.asarray(pv)
    if p in ('smplx', 'flame'):
        out[f'{p}_expr'] = expr.reshape(-1)
        out[f'{p}_expr_valid'] = np.asarray(float(expr_valid) * pv)
    out[f'{p}_mesh_cam'] = mesh_cam_orig
    if p == 'flame':
        out['flame_joint_cam_orig'] = joint_cam_orig
    if not param_valid:
        out = {k: np.zeros_like(v) for k, v in out.items()}
    return out
