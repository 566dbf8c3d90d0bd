"""Batched body-model targets (spec §5.1 ``process_human_model_output``
steps 1-15, §5.2, §5.5).

The reference runs SMPL-X once per sample in the DataLoader workers. Here
datasets hand over the fitted parameters (``gt_params``) and the
augmentation (``metainfo``), and :class:`BodyModelTargetGenerator`
computes the targets of a whole batch on the model's device, with one
body-model forward per gender (or hand side).
"""

from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.structures import InstanceData
from torch import Tensor, nn

from h4w.body_models import ParamLayout
from h4w.body_models.joint_sets import anchor_indices
from h4w.codecs import MeshCodec, build_codec
from h4w.registry import MODELS
from h4w.structures.keypoint import affine_points, flip_x, rot_z
from h4w.utils import to_numpy
from h4w.utils.typing import ConfigType, SampleList

from ..utils import (
    axis_angle_to_rotmat,
    flip_axis_angle,
    relative_to_anchors,
    rotmat_to_axis_angle,
)
from .gt_params_reader import GtParamsReader

__all__ = ['BodyModelTargetGenerator', 'build_target_generator']


def _rotate_axis_angle(rotmat: Tensor, aa: Tensor) -> Tensor:
    """axis-angle(rotmat @ rotmat(aa)): (M,3,3), (M,3) -> (M,3)."""
    return rotmat_to_axis_angle(rotmat @ axis_angle_to_rotmat(aa))


def _where_flip(flip: Tensor, flipped: Tensor, value: Tensor) -> Tensor:
    """Per sample: ``flipped`` where ``flip`` (M,) else ``value``."""
    return torch.where(
        flip.reshape(-1, *([1] * (value.dim() - 1))), flipped, value
    )


@MODELS.register_module()
class BodyModelTargetGenerator(nn.Module):
    """Targets that need a body-model forward, for a batch of samples.

    Input, per :class:`MeshDataSample` that has ``gt_params`` (see
    :class:`GtParamsReader` for the fields): ``metainfo`` ``ori_shape``
    (H, W) of the original image and ``img2bb_trans`` (2, 3) original
    pixels -> crop pixels (with the flip); ``flip`` (bool, default False)
    and ``rot`` (degrees, default 0).

    Output, added to ``gt_instances`` (float32, leading size 1; ``p`` =
    the layout's prefix ``smplx`` / ``smpl`` / ``mano`` / ``flame``; J =
    137 / 33 / 21 / 73 supervision joints; P = 53 / 24 / 16 / 2 rotations;
    V vertices):

    * ``{p}_joint_img`` (1, J, 3): x, y in body heat-map units of the crop,
      z discretised into [0, D); ``{p}_joint_cam`` (1, J, 3): (part-)
      relative metres, flipped and rotated; ``{p}_joint_trunc``,
      ``{p}_joint_valid`` (1, J, 1).
    * ``{p}_pose`` and ``{p}_pose_valid`` (1, 3P); with
      ``split_pose_targets`` (FLAME) instead ``{p}_root_pose``,
      ``{p}_<block>`` (1, 3) and their ``_valid`` (1,).
    * ``{p}_shape`` (1, 10) (zeroed when any |beta| > 3),
      ``{p}_shape_valid`` (1,); with an expression ``{p}_expr`` (1, 10),
      ``{p}_expr_valid`` (1,).
    * ``{p}_mesh_cam`` (1, V, 3): the mesh in the camera frame before the
      augmentation (the GT mesh at test time); with
      ``orig_joints_target`` (FLAME) ``{p}_joint_cam_orig`` too.

    Samples without ``gt_params`` in such a batch get zeros (validity 0);
    a batch without any is left alone, as is one that has the targets
    already. ``keypoints_from_fit`` (AGORA) replaces the dataset keypoint
    targets ``joint_*`` by the fit's.

    Args:
        body_model (dict): The estimator's body-model config (its class
            carries the :class:`ParamLayout`); one layer is built per
            group (gender, or MANO side).
        codec (dict | MeshCodec): The crop geometry.
        genders (Sequence[str]): Genders to build layers for.
        non_blocking (bool): Non-blocking host-to-device copies.
    """

    def __init__(
        self,
        body_model: ConfigType,
        codec: Union[ConfigType, MeshCodec],
        genders: Sequence[str] = ('neutral',),
        non_blocking: bool = False,
    ) -> None:
        super().__init__()
        cfg = dict(body_model)
        layer_cls = MODELS.get(cfg['type'])
        layout: Optional[ParamLayout] = getattr(
            layer_cls, 'param_layout', None
        )
        if layout is None:
            raise TypeError(
                f'{cfg["type"]} has no param_layout: targets need a body '
                'model class that describes its parameters'
            )
        self.layout = layout
        self.codec = build_codec(codec)
        groups = layout.groups or tuple(genders)
        if not groups:
            raise ValueError('genders must name at least one gender')
        self.body_models = nn.ModuleDict(
            {
                g: MODELS.build(dict(cfg, **{layout.group_field: g}))
                for g in groups
            }
        )
        self.non_blocking = non_blocking
        joints = layout.joints
        self.root_idx = joints.named_indices['root']
        # Constants, non-persistent: nothing of this enters checkpoints.
        for name, value in dict(
            depth_size=torch.from_numpy(
                self.codec.joint_depth_sizes(
                    joints.num_joints, joints.parts, layout.part
                )
            ),
            anchor_idx=torch.tensor(anchor_indices(joints)),
            joint_flip_perm=torch.tensor(joints.flip_permutation()),
            param_flip_perm=torch.tensor(layout.rotation_flip_permutation()),
        ).items():
            self.register_buffer(name, value, persistent=False)

    @property
    def device(self) -> torch.device:
        return self.depth_size.device

    # ------------------------------------------------------- the batch
    @torch.no_grad()
    def forward(self, samples: SampleList) -> None:
        """Compute the targets of ``samples`` and write them into their
        ``gt_instances`` (see the class docstring)."""
        with_params = [
            i for i, s in enumerate(samples) if hasattr(s, 'gt_params')
        ]
        key = f'{self.layout.prefix}_joint_img'
        if not with_params or all(
            key in getattr(s, 'gt_instances', ()) for s in samples
        ):
            return
        targets = self.compute_targets(
            [samples[i].gt_params for i in with_params],
            [samples[i].metainfo for i in with_params],
        )
        if len(with_params) < len(samples):
            targets = self._scatter(targets, with_params, len(samples))
        for i, sample in enumerate(samples):
            self._write(sample, {k: v[i : i + 1] for k, v in targets.items()})

    def _scatter(
        self, targets: Dict[str, Tensor], rows: List[int], num: int
    ) -> Dict[str, Tensor]:
        """Targets of ``rows`` into zero tensors of ``num`` samples."""
        index = torch.tensor(rows, device=self.device)
        full = {}
        for key, value in targets.items():
            full[key] = value.new_zeros((num,) + value.shape[1:])
            full[key][index] = value
        return full

    def _write(self, sample, targets: Dict[str, Tensor]) -> None:
        gt = getattr(sample, 'gt_instances', None)
        if gt is None:
            gt = InstanceData()
        for key, value in targets.items():
            setattr(gt, key, value)
        params = getattr(sample, 'gt_params', None)
        if params is not None and 'keypoints_from_fit' in params:
            if to_numpy(params.keypoints_from_fit).any():
                # AGORA: the dataset keypoint targets are the fit's
                for key in (
                    'joint_img',
                    'joint_cam',
                    'joint_valid',
                    'joint_trunc',
                ):
                    setattr(gt, key, targets[f'{self.layout.prefix}_{key}'])
        sample.gt_instances = gt

    # ------------------------------------------------------ the steps
    def compute_targets(
        self, params: List[InstanceData], metas: List[dict]
    ) -> Dict[str, Tensor]:
        """§5.1 steps 1-15 for M samples that all have ``gt_params``.

        Returns:
            dict[str, Tensor]: The output fields (class docstring), with
            leading size M.
        """
        reader = GtParamsReader(
            params, metas, self.layout, self.device, self.non_blocking
        )
        fit = reader.read_fit(self.body_models)  # step 1
        root_pose = self.camera_rotation(fit)  # step 2
        verts, joints = self.run_body_model(fit, root_pose)  # step 3
        verts, joints = self.compensate_root(fit, verts, joints)  # 4, 9
        pose = torch.cat([root_pose[:, None], fit['rest_pose']], dim=1)
        joint_img, joint_cam = self.project(fit, joints)  # steps 5-8
        meta = reader.read_meta()
        joint_img, joint_cam, coord_valid = self.flip_joints(
            meta, joint_img, joint_cam, fit['coord_valid']
        )  # step 10
        joint_img, joint_trunc = self.crop(meta, joint_img)  # step 11
        joint_cam = joint_cam @ rot_z(-meta['rot']).transpose(1, 2)  # 12
        pose, rotation_valid = self.flip_pose(
            meta, pose, fit['rotation_valid']
        )  # step 13
        pose = self.rotate_root(meta, pose)  # step 14
        shape = fit['shape']
        shape = shape * ~(shape.abs() > 3).any(dim=1, keepdim=True)  # 15
        return self.pack(
            reader,
            fit,
            dict(
                joint_img=joint_img,
                joint_cam=joint_cam,
                joint_trunc=joint_trunc,
                coord_valid=coord_valid,
                rotation_valid=rotation_valid,
                pose=pose,
                shape=shape,
                mesh_cam=verts,
                joint_cam_orig=joints,
            ),
        )

    @staticmethod
    def camera_rotation(fit: Dict[str, Tensor]) -> Tensor:
        """Step 2: the world-to-camera rotation merged into the root."""
        return torch.where(
            fit['has_R'][:, None],
            _rotate_axis_angle(fit['cam_R'], fit['root_pose']),
            fit['root_pose'],
        )

    def run_body_model(
        self, fit: Dict[str, Tensor], root_pose: Tensor
    ) -> Tuple[Tensor, Tensor]:
        """Step 3: one body-model forward per group; vertices (M, V, 3)
        and joints (M, J, 3)."""
        inputs = dict(
            global_orient=root_pose, betas=fit['shape'], transl=fit['trans']
        )
        inputs.update(self.layout.split_pose(fit['rest_pose'].flatten(1)))
        if self.layout.expression:
            inputs['expression'] = fit['expr']
        groups = fit['groups']
        if len(set(groups)) == 1:
            out = self.body_models[groups[0]](**inputs)
            return out['vertices'], out['joints']
        verts = joints = None
        for key in dict.fromkeys(groups):
            index = torch.tensor(
                [i for i, g in enumerate(groups) if g == key],
                device=self.device,
            )
            out = self.body_models[key](
                **{n: v[index] for n, v in inputs.items()}
            )
            if verts is None:
                verts = out['vertices'].new_empty(
                    (len(groups),) + out['vertices'].shape[1:]
                )
                joints = out['joints'].new_empty(
                    (len(groups),) + out['joints'].shape[1:]
                )
            verts[index] = out['vertices']
            joints[index] = out['joints']
        return verts, joints

    def compensate_root(
        self, fit: Dict[str, Tensor], verts: Tensor, joints: Tensor
    ) -> Tuple[Tensor, Tensor]:
        """Step 4: compensate the camera rotation about the root joint
        (needs ``cam_R`` and ``cam_t``); the result is also step 9's
        ``mesh_cam_orig``."""
        root = joints[:, self.root_idx : self.root_idx + 1]  # (M, 1, 3)
        shift = (
            root @ fit['cam_R'].transpose(1, 2) + fit['cam_t'][:, None] - root
        )
        shift = shift * fit['has_Rt'][:, None, None]
        return verts + shift, joints + shift

    def project(
        self, fit: Dict[str, Tensor], joints: Tensor
    ) -> Tuple[Tensor, Tensor]:
        """Steps 6-8: projection into the original image, (part-)relative
        camera coordinates and depth discretisation."""
        focal, princpt = fit['focal'], fit['princpt']
        xy = (
            joints[..., :2] / joints[..., 2:] * focal[:, None]
            + princpt[:, None]
        )
        joint_cam = relative_to_anchors(joints, self.root_idx, self.anchor_idx)
        z = self.codec.discretize_depth(joint_cam[..., 2], self.depth_size)
        return torch.cat([xy, z[..., None]], dim=-1), joint_cam

    def flip_joints(
        self,
        meta: Dict[str, Tensor],
        joint_img: Tensor,
        joint_cam: Tensor,
        coord_valid: Tensor,
    ) -> Tuple[Tensor, Tensor, Tensor]:
        """Step 10: mirror x, negate camera x, swap left / right rows."""
        flip, perm = meta['flip'], self.joint_flip_perm
        x = flip_x(joint_img[..., 0], meta['img_w'][:, None])
        joint_img = _where_flip(
            flip,
            torch.cat([x[..., None], joint_img[..., 1:]], dim=-1),
            joint_img,
        )
        joint_cam = _where_flip(
            flip, joint_cam * joint_cam.new_tensor([-1.0, 1.0, 1.0]), joint_cam
        )
        return (
            _where_flip(flip, joint_img[:, perm], joint_img),
            _where_flip(flip, joint_cam[:, perm], joint_cam),
            _where_flip(flip, coord_valid[:, perm], coord_valid),
        )

    def crop(
        self, meta: Dict[str, Tensor], joint_img: Tensor
    ) -> Tuple[Tensor, Tensor]:
        """Step 11: crop affine, heat-map units, truncation."""
        xy = affine_points(joint_img[..., :2], meta['img2bb'])
        xy = self.codec.crop_to_heatmap(xy)
        joint_img = torch.cat([xy, joint_img[..., 2:]], dim=-1)
        return joint_img, self.codec.truncation(joint_img).float()

    def flip_pose(
        self, meta: Dict[str, Tensor], pose: Tensor, rotation_valid: Tensor
    ) -> Tuple[Tensor, Tensor]:
        """Step 13: swap left / right rotations and mirror them."""
        flip, perm = meta['flip'], self.param_flip_perm
        pose = _where_flip(flip, pose[:, perm], pose)
        pose = _where_flip(flip, flip_axis_angle(pose), pose)
        valid = _where_flip(flip, rotation_valid[:, perm], rotation_valid)
        return pose, valid

    @staticmethod
    def rotate_root(meta: Dict[str, Tensor], pose: Tensor) -> Tensor:
        """Step 14: the in-plane rotation applied to the root pose."""
        root = _rotate_axis_angle(rot_z(-meta['rot']), pose[:, 0])
        return torch.cat([root[:, None], pose[:, 1:]], dim=1)

    def pack(
        self,
        reader: GtParamsReader,
        fit: Dict[str, Tensor],
        out: Dict[str, Tensor],
    ) -> Dict[str, Tensor]:
        """Validities (dataset masks, ``param_valid``) and the output
        names of the layout; zero targets where ``param_valid`` is
        false."""
        layout, p = self.layout, self.layout.prefix
        masks = reader.read_masks(
            layout.num_rotations, layout.joints.num_joints
        )
        valid = masks['param_valid'].float()
        rotation_valid = (
            out['rotation_valid'] * masks['rotation_mask'] * valid[:, None]
        )
        joint_valid = out['coord_valid'] * masks['coord_mask'] * valid[:, None]
        joint_trunc = torch.where(
            masks['mask_trunc'][:, None],
            out['joint_trunc'] * joint_valid,
            out['joint_trunc'],
        )
        targets = {
            f'{p}_joint_img': out['joint_img'],
            f'{p}_joint_cam': out['joint_cam'],
            f'{p}_joint_trunc': joint_trunc[..., None],
            f'{p}_joint_valid': joint_valid[..., None],
        }
        pose = out['pose']
        if layout.split_pose_targets:
            names = ['root_pose'] + [b.key for b in layout.pose_blocks]
            for i, name in enumerate(names):
                targets[f'{p}_{name}'] = pose[:, i]
                targets[f'{p}_{name}_valid'] = rotation_valid[:, i]
        else:
            targets[f'{p}_pose'] = pose.reshape(len(pose), -1)
            targets[f'{p}_pose_valid'] = rotation_valid.repeat_interleave(
                3, dim=1
            )
        targets[f'{p}_shape'] = out['shape']
        targets[f'{p}_shape_valid'] = valid
        if layout.expression:
            targets[f'{p}_expr'] = fit['expr']
            targets[f'{p}_expr_valid'] = fit['expr_valid'] * valid
        targets[f'{p}_mesh_cam'] = out['mesh_cam']
        if layout.orig_joints_target:
            targets[f'{p}_joint_cam_orig'] = out['joint_cam_orig']
        # param_valid false: zero targets (validities are zero already).
        keep = masks['param_valid']
        return {
            key: _where_flip(keep, value, torch.zeros_like(value))
            for key, value in targets.items()
        }

    def extra_repr(self) -> str:
        return f'prefix={self.layout.prefix}, codec={self.codec!r}'


def build_target_generator(
    body_model: ConfigType,
    codec: Union[ConfigType, MeshCodec],
    cfg: Optional[ConfigType] = None,
) -> BodyModelTargetGenerator:
    """The target generator of an estimator: ``cfg`` (default
    ``BodyModelTargetGenerator`` with the neutral model only) built with the
    estimator's ``body_model`` config and ``codec``."""
    return MODELS.build(
        cfg or dict(type='BodyModelTargetGenerator'),
        default_args=dict(body_model=body_model, codec=codec),
    )
