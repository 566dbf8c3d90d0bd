"""Image batching and batched body-model targets (spec §5.1, §5.2, §5.5).

The reference computes the body-model targets of every sample in the
DataLoader workers (``process_human_model_output``: one SMPL-X forward per
sample, NumPy, float32 layer). Here the datasets only hand over the fitted
parameters (``gt_params``) and the augmentation (``metainfo``) and
:class:`MeshDataPreprocessor` computes steps 1-15 of §5.1 for the whole
batch on the model's device, with one body-model forward per gender (or
hand side).
"""

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.model import ImgDataPreprocessor
from mmengine.structures import InstanceData
from torch import Tensor, nn

from h4w.body_models.joint_sets import (
    FLAME_JOINTS,
    MANO_JOINTS,
    MANO_PARAM_JOINTS,
    SMPL_JOINTS,
    SMPL_PARAM_JOINTS,
    SMPLX_JOINTS,
    SMPLX_PARAM_JOINTS,
    JointSet,
    anchor_indices,
)
from h4w.models.utils import (
    apply_affine,
    axis_angle_to_rotmat,
    flip_axis_angle,
    relative_to_anchors,
    rotmat_to_axis_angle,
)
from h4w.registry import MODELS

__all__ = ['MeshDataPreprocessor']

OptConfigType = Optional[Union[dict, Any]]

#: Supervision joint set and parameter joint set of each model type.
MODEL_JOINT_SETS: Dict[str, Tuple[JointSet, Optional[JointSet]]] = dict(
    smplx=(SMPLX_JOINTS, SMPLX_PARAM_JOINTS),
    smpl=(SMPL_JOINTS, SMPL_PARAM_JOINTS),
    mano=(MANO_JOINTS, MANO_PARAM_JOINTS),
    flame=(FLAME_JOINTS, None),
)


def _to_numpy(value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float32)


def _stack(
    values: Sequence[Any],
    shape: Tuple[int, ...],
    device: torch.device,
    non_blocking: bool = False,
) -> Tensor:
    """Stack per-sample values (leading size 1 or none) into (M, *shape).

    Tensors stay on their way to ``device`` without a round trip through
    the host; anything else goes through one NumPy array and one copy.
    """
    if all(isinstance(v, Tensor) for v in values):
        return torch.cat(
            [
                v.detach()
                .reshape(1, *shape)
                .to(device=device, dtype=torch.float32)
                for v in values
            ]
        )
    array = np.stack([_to_numpy(v).reshape(shape) for v in values])
    return torch.from_numpy(array).to(device, non_blocking=non_blocking)


def _first_str(value: Any) -> str:
    """``['male']`` / ``np.array(['male'])`` / ``'male'`` -> ``'male'``."""
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, str):
        return value
    value = np.asarray(value).reshape(-1)[0]
    return value.decode() if isinstance(value, bytes) else str(value)


def _has_fit(params: InstanceData) -> bool:
    """False when ``gt_params`` says ``param_valid`` false."""
    return 'param_valid' not in params or bool(
        _to_numpy(params['param_valid']).all()
    )


def _target_row(
    targets: Dict[str, Tensor], prefix: str, key: str, i: int
) -> Tensor:
    """Row i of target ``{prefix}_{key}`` (leading size 1)."""
    return targets[f'{prefix}_{key}'][i : i + 1]


def _rot_z(deg: Tensor) -> Tensor:
    """R_z(a) for angles in degrees: (M,) -> (M, 3, 3)."""
    rad = torch.deg2rad(deg)
    cos, sin = torch.cos(rad), torch.sin(rad)
    zero, one = torch.zeros_like(rad), torch.ones_like(rad)
    return torch.stack(
        (cos, -sin, zero, sin, cos, zero, zero, zero, one), dim=1
    ).reshape(-1, 3, 3)


def _rotate_axis_angle(rotmat: Tensor, aa: Tensor) -> Tensor:
    """axis-angle(rotmat @ rotmat(aa)): (M,3,3), (M,3) -> (M,3)."""
    return rotmat_to_axis_angle(rotmat @ axis_angle_to_rotmat(aa))


def _bcast(mask: Tensor, like: Tensor) -> Tensor:
    """(M,) mask reshaped to broadcast against ``like`` (M, ...)."""
    return mask.reshape(-1, *([1] * (like.dim() - 1)))


@MODELS.register_module()
class MeshDataPreprocessor(ImgDataPreprocessor):
    """Stack and normalise the crops; compute the body-model targets.

    **Images.** ``data['inputs']`` is a list of float32 (3, H, W) RGB crops
    with values in [0, 255] (or an (N, 3, H, W) tensor); the output
    ``inputs`` is the (N, 3, H, W) batch ``(x - mean) / std`` (default
    ``x / 255`` as the reference, §10.1 item 2; no channel reordering).

    **Targets.** For every data sample that has a ``gt_params`` field,
    steps 1-15 of ``process_human_model_output`` (spec §5.1) are computed
    in float32 on the preprocessor's device, batched over the samples (one
    body-model forward per gender / hand side), and written into the
    sample's ``gt_instances`` (created if absent) as tensors of leading size
    1. Samples without ``gt_params`` in such a batch get the same keys
    filled with zeros (all validities 0). A batch where no sample has
    ``gt_params`` is left as it is.

    Input contract, per :class:`MeshDataSample`:

    * ``metainfo``: ``img_shape`` (H, W) of the ORIGINAL image and
      ``img2bb_trans`` (2, 3), original pixels -> crop pixels (with the
      flip, as ``generate_patch_image`` returns it) are required when
      ``gt_params`` exist (KeyError naming ``img_path`` otherwise);
      ``flip`` (bool, default False), ``rot`` (degrees, default 0).
    * ``gt_params`` (InstanceData of length 1; NumPy arrays or tensors of
      any float dtype with leading size 1):

      - SMPL-X: ``root_pose`` (1, 3), ``body_pose`` (1, 63), ``shape``
        (1, 10), ``trans`` (1, 3); ``lhand_pose`` / ``rhand_pose`` (1, 45)
        used when present and ``lhand_valid`` / ``rhand_valid`` (1,) is
        true (default true when the pose is present); ``jaw_pose`` (1, 3)
        and ``expr`` (1, 10) used when both are present and
        ``face_valid`` (1,) is true (default true); ``gender`` (list of
        one str, default ``'neutral'``).
      - SMPL: ``root_pose`` (1, 3), ``body_pose`` (1, 69), ``shape``,
        ``trans``, ``gender``.
      - MANO: ``root_pose`` (1, 3), ``hand_pose`` (1, 45), ``shape``,
        ``trans``, ``side`` (list of one str, default ``'right'``).
      - FLAME: ``root_pose`` (1, 3), ``jaw_pose`` (1, 3), ``shape``
        (1, 10), ``expr`` (1, 10), ``trans`` (1, 3, default 0).
      - Camera: ``focal`` (1, 2), ``princpt`` (1, 2) in ORIGINAL image
        pixels; ``cam_R`` (1, 3, 3) world-to-camera rotation and
        ``cam_t`` (1, 3) metres, both optional. ``cam_R`` alone rotates the
        root pose (step 2) only; the translation compensation of step 4
        needs both; ``cam_t`` alone is ignored (as the reference).
      - Dataset masks, optional: ``rotation_mask`` (1, P) multiplied into
        the rotation validity, ``coord_mask`` (1, J) multiplied into the
        joint validity (both in the order of the OUTPUT, i.e. after the
        flip), ``mask_trunc`` (1,) bool: ``joint_trunc *= joint_valid``
        (final validity, after the masks). ``param_valid`` (1,) (default
        true): false gives zero targets and zero validities.
        ``keypoints_from_fit`` (1,) bool (AGORA): the dataset keypoint
        targets ``joint_img`` / ``joint_cam`` / ``joint_valid`` /
        ``joint_trunc`` are replaced by the fit's ``{p}_joint_*``.

    Output contract (added to ``gt_instances``, all float32; prefix ``p``
    = ``smplx`` / ``smpl`` / ``mano`` / ``flame``; J = 137 / 33 / 21 / 73
    supervision joints; P = 53 / 24 / 16 parameter joints; V vertices):

    * ``{p}_joint_img`` (1, J, 3): x, y in heat-map units of the crop
      (x / W_in * W_hm, y / H_in * H_hm), z discretised into [0, D).
    * ``{p}_joint_cam`` (1, J, 3): (part-)relative metres, flipped and
      rotated.
    * ``{p}_joint_trunc``, ``{p}_joint_valid`` (1, J, 1).
    * ``{p}_pose`` (1, 3P) and ``{p}_pose_valid`` (1, 3P) (SMPL-X, SMPL,
      MANO); FLAME instead ``flame_root_pose``, ``flame_jaw_pose``
      (1, 3) and ``flame_root_pose_valid``, ``flame_jaw_pose_valid`` (1,).
    * ``{p}_shape`` (1, 10) (zeroed when any |beta| > 3),
      ``{p}_shape_valid`` (1,).
    * SMPL-X and FLAME: ``{p}_expr`` (1, 10), ``{p}_expr_valid`` (1,).
    * ``{p}_mesh_cam`` (1, V, 3): the mesh in the camera frame before the
      augmentation (``mesh_cam_orig``, the GT mesh at test time); FLAME
      also ``flame_joint_cam_orig`` (1, 73, 3), the joints in the same
      frame.

    Depth ranges: SMPL-X uses ``body_3d_size`` for the body rows (0-24),
    ``hand_3d_size`` for the hands, ``face_3d_size`` for the face; SMPL
    ``body_3d_size``, MANO ``hand_3d_size``, FLAME ``face_3d_size`` (the
    Pose2Pose ``bbox_3d_size`` of the part).

    Args:
        mean (Sequence[float]): Per-channel mean, RGB. Defaults to 0.
        std (Sequence[float]): Per-channel std. Defaults to 255.
        body_model (dict, optional): Config of ``SMPLXModel``,
            ``SMPLModel``, ``MANOModel`` or ``FLAMEModel``; None only
            batches images.
        genders (Sequence[str]): One layer per gender (``gender`` key of
            the config overridden). MANO ignores it and builds
            ``side='right'`` and ``side='left'`` layers.
        input_img_shape (tuple): (H_in, W_in) of the crop.
        output_hm_shape (tuple): (D, H_hm, W_hm).
        body_3d_size (float): Metres mapped onto D (body).
        hand_3d_size (float): Metres mapped onto D (hands, MANO).
        face_3d_size (float): Metres mapped onto D (face, FLAME).
        non_blocking (bool): Non-blocking host-to-device copies.
    """

    def __init__(
        self,
        mean: Optional[Sequence[float]] = (0.0, 0.0, 0.0),
        std: Optional[Sequence[float]] = (255.0, 255.0, 255.0),
        body_model: OptConfigType = None,
        genders: Sequence[str] = ('neutral',),
        input_img_shape: Tuple[int, int] = (512, 384),
        output_hm_shape: Tuple[int, int, int] = (8, 8, 6),
        body_3d_size: float = 2.0,
        hand_3d_size: float = 0.3,
        face_3d_size: float = 0.3,
        non_blocking: bool = False,
    ) -> None:
        super().__init__(
            mean=mean, std=std, bgr_to_rgb=False, non_blocking=non_blocking
        )
        self.input_img_shape = tuple(input_img_shape)
        self.output_hm_shape = tuple(output_hm_shape)
        self.body_3d_size = float(body_3d_size)
        self.hand_3d_size = float(hand_3d_size)
        self.face_3d_size = float(face_3d_size)
        self.model_type: Optional[str] = None
        self.body_models: Optional[nn.ModuleDict] = None
        if body_model is not None:
            self._build_body_models(body_model, genders)

    # ------------------------------------------------------------- setup
    def _build_body_models(self, cfg, genders: Sequence[str]) -> None:
        if isinstance(cfg, nn.Module):
            raise TypeError(
                'body_model must be a config dict, not a '
                'built module (one layer per gender is built)'
            )
        cfg = dict(cfg)
        layer_cls = cfg['type']
        if isinstance(layer_cls, str):
            layer_cls = MODELS.get(layer_cls)
            if layer_cls is None:
                raise KeyError(f'{cfg["type"]} is not in the MODELS registry')
        model_type = getattr(layer_cls, 'model_type', '')
        if model_type not in MODEL_JOINT_SETS:
            raise TypeError(
                f'body_model must be SMPLXModel, SMPLModel, MANOModel or '
                f'FLAMEModel, got {cfg["type"]}'
            )
        if model_type == 'mano':
            keys, field = ('right', 'left'), 'side'
        else:
            keys, field = tuple(genders), 'gender'
            if not keys:
                raise ValueError('genders must name at least one gender')
        self.model_type = model_type
        self.group_field = field
        self.body_models = nn.ModuleDict(
            {key: MODELS.build(dict(cfg, **{field: key})) for key in keys}
        )
        joint_set, param_set = MODEL_JOINT_SETS[model_type]
        self.joint_set, self.param_set = joint_set, param_set
        # FLAME has no parameter joint set: its rotations are root and jaw
        self.num_rotations = (
            param_set.num_joints if param_set is not None else 2
        )
        layer = next(iter(self.body_models.values()))
        self.num_betas = layer.param_dims['betas']
        self.num_expr = layer.param_dims.get('expression', 0)

        num_joints = joint_set.num_joints
        root = joint_set.named_indices['root']
        size = dict(
            smplx=self.body_3d_size,
            smpl=self.body_3d_size,
            mano=self.hand_3d_size,
            flame=self.face_3d_size,
        )
        depth_size = torch.full((num_joints,), size[model_type])
        if model_type == 'smplx':
            for part, size_ in (
                ('lhand', self.hand_3d_size),
                ('rhand', self.hand_3d_size),
                ('face', self.face_3d_size),
            ):
                start, end = joint_set.parts[part]
                depth_size[start:end] = size_
        self.root_idx = root
        # Constants, non-persistent: nothing of this enters checkpoints.
        self.register_buffer('depth_size', depth_size, persistent=False)
        self.register_buffer(
            'anchor_idx',
            torch.tensor(anchor_indices(joint_set)),
            persistent=False,
        )
        self.register_buffer(
            'joint_flip_perm',
            torch.tensor(joint_set.flip_permutation()),
            persistent=False,
        )
        param_perm = (
            param_set.flip_permutation() if param_set is not None else [0, 1]
        )
        self.register_buffer(
            'param_flip_perm', torch.tensor(param_perm), persistent=False
        )

    # ----------------------------------------------------------- forward
    def forward(self, data: dict, training: bool = False) -> dict:
        """Batch the images and add the body-model targets.

        Args:
            data (dict): ``inputs`` (list of (3, H, W) tensors or an
                (N, 3, H, W) tensor) and ``data_samples`` (list of
                :class:`MeshDataSample`, optional).
            training (bool): Unused (the augmentation happened in the
                dataset; its parameters are in ``metainfo``).

        Returns:
            dict: ``inputs`` (N, 3, H, W) float32 and ``data_samples``
            (with the targets added to ``gt_instances``).
        """
        data = super().forward(data, training)
        samples = data.get('data_samples')
        if self.body_models is not None and samples:
            self.add_body_model_targets(samples)
        return data

    @torch.no_grad()
    def add_body_model_targets(self, samples: List[Any]) -> None:
        """Compute the §5.1 targets of ``samples`` and write them into
        their ``gt_instances`` (see the class docstring)."""
        with_params = [
            i for i, s in enumerate(samples) if hasattr(s, 'gt_params')
        ]
        if not with_params:
            return
        targets = self.compute_targets(
            [samples[i].gt_params for i in with_params],
            [samples[i].metainfo for i in with_params],
        )
        num = len(samples)
        if len(with_params) < num:
            index = torch.tensor(with_params, device=self.device)
            full = {}
            for key, value in targets.items():
                full[key] = value.new_zeros((num,) + value.shape[1:])
                full[key][index] = value
            targets = full
        prefix = self.model_type
        for i, sample in enumerate(samples):
            gt = (
                sample.gt_instances
                if hasattr(sample, 'gt_instances')
                else InstanceData()
            )
            for key, value in targets.items():
                setattr(gt, key, value[i : i + 1])
            params = getattr(sample, 'gt_params', None)
            if (
                params is not None
                and 'keypoints_from_fit' in params
                and bool(_to_numpy(params.keypoints_from_fit).any())
            ):
                # AGORA: the dataset keypoint targets are the fit's
                for key in (
                    'joint_img',
                    'joint_cam',
                    'joint_valid',
                    'joint_trunc',
                ):
                    setattr(gt, key, _target_row(targets, prefix, key, i))
            sample.gt_instances = gt

    # ------------------------------------------------------------ inputs
    def _gather(
        self,
        params: List[InstanceData],
        metas: List[dict],
        key: str,
        shape: Tuple[int, ...],
        required: bool = True,
        default: Union[float, np.ndarray] = 0.0,
    ) -> Tuple[Tensor, Optional[List[bool]]]:
        """(M, *shape) tensor of one ``gt_params`` field (missing: filled
        with ``default``) and, for optional fields, which samples had it."""
        present = [key in p for p in params]
        if required and not all(present):
            # a sample without a fit (param_valid false) may lack it
            missing = [
                not has and _has_fit(p) for has, p in zip(present, params)
            ]
            if any(missing):
                i = missing.index(True)
                raise KeyError(
                    f'gt_params of '
                    f'{metas[i].get("img_path", f"sample {i}")} '
                    f'has no {key!r} ({self.model_type} targets need it)'
                )
        filler = np.broadcast_to(np.asarray(default, dtype=np.float32), shape)
        if not any(present):  # nothing to copy from the host per sample
            stacked = torch.tensor(filler, device=self.device)
            return stacked.expand(len(params), *shape).contiguous(), present
        values = [p[key] if has else filler for p, has in zip(params, present)]
        stacked = _stack(values, shape, self.device, self._non_blocking)
        return stacked, (None if required else present)

    def _mask(self, present: List[bool]) -> Tensor:
        return torch.tensor(present, dtype=torch.bool, device=self.device)

    def _meta(self, metas: List[dict]) -> Dict[str, Tensor]:
        for i, meta in enumerate(metas):
            for key in ('img2bb_trans', 'img_shape'):
                if key not in meta:
                    raise KeyError(
                        f'metainfo of {meta.get("img_path", f"sample {i}")}'
                        f' has no {key!r}, needed for the body-model '
                        'targets of its gt_params'
                    )
        dev = self.device
        return dict(
            img2bb=_stack(
                [m['img2bb_trans'] for m in metas],
                (2, 3),
                dev,
                self._non_blocking,
            ),
            img_w=torch.tensor(
                [
                    float(_to_numpy(m['img_shape']).reshape(-1)[1])
                    for m in metas
                ],
                device=dev,
            ),
            flip=torch.tensor(
                [bool(m.get('flip', False)) for m in metas],
                dtype=torch.bool,
                device=dev,
            ),
            rot=torch.tensor(
                [float(m.get('rot', 0.0)) for m in metas],
                dtype=torch.float32,
                device=dev,
            ),
        )

    def _groups(
        self, params: List[InstanceData], metas: List[dict]
    ) -> List[str]:
        field = self.group_field
        default = 'right' if field == 'side' else 'neutral'
        groups = []
        for i, p in enumerate(params):
            key = _first_str(p[field]) if field in p else default
            if key not in self.body_models:
                name = metas[i].get('img_path', f'sample {i}')
                raise ValueError(
                    f'{field} {key!r} of {name} has no body-model layer; '
                    f'built: {list(self.body_models)} (set `genders` of '
                    'MeshDataPreprocessor)'
                )
            groups.append(key)
        return groups

    # ------------------------------------------------------------- maths
    def _run_layers(
        self, groups: List[str], layer_inputs: Dict[str, Tensor]
    ) -> Tuple[Tensor, Tensor]:
        """One forward per group; vertices (M, V, 3) and joints (M, J, 3)."""
        if len(set(groups)) == 1:
            out = self.body_models[groups[0]](**layer_inputs)
            return out['vertices'], out['joints']
        verts = joints = None
        for key in dict.fromkeys(groups):
            index = torch.tensor(
                [i for i, g in enumerate(groups) if g == key],
                device=self.device,
            )
            out = self.body_models[key](
                **{n: v[index] for n, v in layer_inputs.items()}
            )
            if verts is None:
                num = len(groups)
                verts = out['vertices'].new_empty(
                    (num,) + out['vertices'].shape[1:]
                )
                joints = out['joints'].new_empty(
                    (num,) + out['joints'].shape[1:]
                )
            verts[index] = out['vertices']
            joints[index] = out['joints']
        return verts, joints

    def compute_targets(
        self, params: List[InstanceData], metas: List[dict]
    ) -> Dict[str, Tensor]:
        """§5.1 steps 1-15 for M samples that all have ``gt_params``.

        Args:
            params (list[InstanceData]): The ``gt_params`` of each sample.
            metas (list[dict]): Their ``metainfo``.

        Returns:
            dict[str, Tensor]: Output fields (see the class docstring), with
            leading size M.
        """
        model_type, dev = self.model_type, self.device
        num = len(params)
        gather = self._gather
        meta = self._meta(metas)
        groups = self._groups(params, metas)
        num_rot = self.num_rotations
        num_joints = self.joint_set.num_joints
        ones = torch.ones(num, device=dev)

        root_pose = gather(params, metas, 'root_pose', (3,))[0]
        shape = gather(params, metas, 'shape', (self.num_betas,))[0]
        trans, _ = gather(
            params, metas, 'trans', (3,), required=model_type != 'flame'
        )
        focal = gather(params, metas, 'focal', (2,))[0]
        princpt = gather(params, metas, 'princpt', (2,))[0]
        cam_R, has_R = gather(params, metas, 'cam_R', (3, 3), False, np.eye(3))
        cam_t, has_t = gather(params, metas, 'cam_t', (3,), required=False)
        has_R = self._mask(has_R)
        has_Rt = has_R & self._mask(has_t)
        param_valid = (
            gather(params, metas, 'param_valid', (), False, 1.0)[0] != 0
        )
        rotation_valid = torch.ones(num, num_rot, device=dev)
        coord_valid = torch.ones(num, num_joints, device=dev)
        expr_valid = ones

        # Step 1: parameters, parts.
        if model_type == 'smplx':
            body_pose = gather(params, metas, 'body_pose', (63,))[0]
            part_pose, part_used = {}, {}
            for part in ('lhand', 'rhand'):
                pose, has = gather(
                    params, metas, f'{part}_pose', (45,), required=False
                )
                valid = (
                    gather(params, metas, f'{part}_valid', (), False, 1.0)[0]
                    != 0
                )
                part_used[part] = self._mask(has) & valid
                part_pose[part] = pose
            jaw_pose, has_jaw = gather(
                params, metas, 'jaw_pose', (3,), required=False
            )
            expr, has_expr = gather(
                params, metas, 'expr', (self.num_expr,), required=False
            )
            face_valid = (
                gather(params, metas, 'face_valid', (), False, 1.0)[0] != 0
            )
            part_used['face'] = (
                self._mask(has_jaw) & self._mask(has_expr) & face_valid
            )
            # where, not *: an unused part may hold NaN placeholders
            jaw_pose = torch.where(part_used['face'][:, None], jaw_pose, 0.0)
            expr = torch.where(part_used['face'][:, None], expr, 0.0)
            expr_valid = part_used['face'].float()
            for part in ('lhand', 'rhand', 'face'):
                used = part_used[part].float()[:, None]
                if part != 'face':
                    part_pose[part] = torch.where(
                        part_used[part][:, None], part_pose[part], 0.0
                    )
                start, end = self.param_set.parts[part]
                rotation_valid[:, start:end] *= used
                start, end = self.joint_set.parts[part]
                coord_valid[:, start:end] *= used
            rest_pose = [
                body_pose,
                part_pose['lhand'],
                part_pose['rhand'],
                jaw_pose,
            ]
        elif model_type == 'smpl':
            rest_pose = [gather(params, metas, 'body_pose', (69,))[0]]
        elif model_type == 'mano':
            rest_pose = [gather(params, metas, 'hand_pose', (45,))[0]]
        else:
            jaw_pose = gather(params, metas, 'jaw_pose', (3,))[0]
            expr = gather(params, metas, 'expr', (self.num_expr,))[0]
            rest_pose = [jaw_pose]

        # Step 2: world-to-camera rotation merged into the root pose.
        root_pose = torch.where(
            has_R[:, None], _rotate_axis_angle(cam_R, root_pose), root_pose
        )

        # Step 3: body-model forward, one per gender / side.
        layer_inputs = dict(global_orient=root_pose, betas=shape)
        if trans is not None:
            layer_inputs['transl'] = trans
        if model_type == 'smplx':
            layer_inputs.update(
                body_pose=rest_pose[0],
                left_hand_pose=rest_pose[1],
                right_hand_pose=rest_pose[2],
                jaw_pose=jaw_pose,
                expression=expr,
            )
        elif model_type == 'smpl':
            layer_inputs['body_pose'] = rest_pose[0]
        elif model_type == 'mano':
            layer_inputs['hand_pose'] = rest_pose[0]
        else:
            layer_inputs.update(jaw_pose=jaw_pose, expression=expr)
        verts, joints = self._run_layers(groups, layer_inputs)

        # Step 4: compensate the rotation about the root joint.
        root = joints[:, self.root_idx : self.root_idx + 1]  # (M, 1, 3)
        shift = root @ cam_R.transpose(1, 2) + cam_t[:, None] - root
        shift = shift * has_Rt[:, None, None]
        joints = joints + shift
        verts = verts + shift
        mesh_cam_orig = verts  # Step 9.

        # Step 5: pose (M, P, 3).
        pose = torch.cat([root_pose] + rest_pose, dim=1).reshape(
            num, num_rot, 3
        )

        # Step 6: projection into the original image.
        xy = (
            joints[..., :2] / joints[..., 2:] * focal[:, None]
            + princpt[:, None]
        )

        # Step 7: (part-)relative camera coordinates.
        joint_cam = relative_to_anchors(joints, self.root_idx, self.anchor_idx)

        # Step 8: depth discretisation.
        depth_bins = self.output_hm_shape[0]
        z = (joint_cam[..., 2] / (self.depth_size / 2) + 1) / 2 * depth_bins
        joint_img = torch.cat([xy, z[..., None]], dim=-1)

        # Step 10: flip.
        flip = meta['flip']
        img_w = meta['img_w']
        flip_x = img_w[:, None] - 1 - joint_img[..., 0]
        joint_img = torch.where(
            flip[:, None, None],
            torch.cat([flip_x[..., None], joint_img[..., 1:]], dim=-1),
            joint_img,
        )
        joint_cam = torch.where(
            flip[:, None, None],
            joint_cam * joint_cam.new_tensor([-1.0, 1.0, 1.0]),
            joint_cam,
        )
        perm = self.joint_flip_perm
        joint_img = torch.where(
            flip[:, None, None], joint_img[:, perm], joint_img
        )
        joint_cam = torch.where(
            flip[:, None, None], joint_cam[:, perm], joint_cam
        )
        coord_valid = torch.where(
            flip[:, None], coord_valid[:, perm], coord_valid
        )

        # Step 11: crop affine, heat-map units, truncation.
        img2bb = meta['img2bb']
        xy = apply_affine(joint_img[..., :2], img2bb)
        in_h, in_w = self.input_img_shape
        hm_d, hm_h, hm_w = self.output_hm_shape
        x = xy[..., 0] / in_w * hm_w
        y = xy[..., 1] / in_h * hm_h
        z = joint_img[..., 2]
        joint_img = torch.stack([x, y, z], dim=-1)
        joint_trunc = (
            (x >= 0)
            & (x < hm_w)
            & (y >= 0)
            & (y < hm_h)
            & (z >= 0)
            & (z < hm_d)
        ).float()

        # Step 12: 3D rotation augmentation.
        rot_aug = _rot_z(-meta['rot'])
        joint_cam = joint_cam @ rot_aug.transpose(1, 2)

        # Step 13: flip the pose parameters.
        pperm = self.param_flip_perm
        pose = torch.where(flip[:, None, None], pose[:, pperm], pose)
        pose = torch.where(flip[:, None, None], flip_axis_angle(pose), pose)
        rotation_valid = torch.where(
            flip[:, None], rotation_valid[:, pperm], rotation_valid
        )

        # Step 14: rotate the root pose.
        root_aug = _rotate_axis_angle(rot_aug, pose[:, 0])
        pose = torch.cat([root_aug[:, None], pose[:, 1:]], dim=1)

        # Step 15: mean shape when beta is far from it.
        shape = shape * ~(shape.abs() > 3).any(dim=1, keepdim=True)

        # Validity.
        pv = param_valid.float()
        rotation_mask = gather(
            params, metas, 'rotation_mask', (num_rot,), False, 1.0
        )[0]
        coord_mask = gather(
            params, metas, 'coord_mask', (num_joints,), False, 1.0
        )[0]
        mask_trunc = (
            gather(params, metas, 'mask_trunc', (), False, 0.0)[0] != 0
        )
        rotation_valid = rotation_valid * rotation_mask * pv[:, None]
        joint_valid = coord_valid * coord_mask * pv[:, None]
        joint_trunc = torch.where(
            mask_trunc[:, None], joint_trunc * joint_valid, joint_trunc
        )
        expr_valid = expr_valid * pv

        p = model_type
        out = {
            f'{p}_joint_img': joint_img,
            f'{p}_joint_cam': joint_cam,
            f'{p}_joint_trunc': joint_trunc[..., None],
            f'{p}_joint_valid': joint_valid[..., None],
        }
        if p == 'flame':
            out.update(
                flame_root_pose=pose[:, 0],
                flame_jaw_pose=pose[:, 1],
                flame_root_pose_valid=rotation_valid[:, 0],
                flame_jaw_pose_valid=rotation_valid[:, 1],
            )
        else:
            out[f'{p}_pose'] = pose.reshape(num, -1)
            out[f'{p}_pose_valid'] = rotation_valid.repeat_interleave(3, dim=1)
        out[f'{p}_shape'] = shape
        out[f'{p}_shape_valid'] = pv
        if p in ('smplx', 'flame'):
            out[f'{p}_expr'] = expr
            out[f'{p}_expr_valid'] = expr_valid
        out[f'{p}_mesh_cam'] = mesh_cam_orig
        if p == 'flame':
            out['flame_joint_cam_orig'] = joints
        # param_valid false: zero targets (validities are zero already).
        return {
            key: torch.where(
                _bcast(param_valid, value), value, torch.zeros_like(value)
            )
            for key, value in out.items()
        }

    def extra_repr(self) -> str:
        return (
            f'model_type={self.model_type}, '
            f'input_img_shape={self.input_img_shape}, '
            f'output_hm_shape={self.output_hm_shape}, '
            f'3d_sizes=({self.body_3d_size}, {self.hand_3d_size}, '
            f'{self.face_3d_size})'
        )
