"""Read the ``gt_params`` and ``metainfo`` of a batch into tensors, in the
parameter layout of a body model (the input of
:class:`BodyModelTargetGenerator`)."""

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.structures import InstanceData
from torch import Tensor, nn

from h4w.body_models import ParamLayout
from h4w.utils import to_numpy

__all__ = ['GtParamsReader']


def _stack(
    values: Sequence[Any],
    shape: Tuple[int, ...],
    device: torch.device,
    non_blocking: bool = False,
) -> Tensor:
    """Stack per-sample values (leading size 1 or none) into (M, *shape).

    Tensors go to ``device`` without a round trip through the host;
    anything else goes through one NumPy array and one copy.
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
    array = np.stack([to_numpy(v, np.float32).reshape(shape) for v in values])
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
        to_numpy(params['param_valid'], np.float32).all()
    )


class GtParamsReader:
    """The ``gt_params`` of M samples as (M, ...) float32 tensors.

    Fields of ``gt_params`` (InstanceData of length 1; NumPy arrays or
    tensors of any float dtype, leading size 1), named by the layout:

    * ``root_pose`` (1, 3), ``shape`` (1, 10), ``trans`` (1, 3; optional
      when the layout does not require it) and one field per pose block
      (SMPL-X ``body_pose`` (1, 63), ``lhand_pose`` / ``rhand_pose``
      (1, 45), ``jaw_pose`` (1, 3); SMPL ``body_pose`` (1, 69); MANO
      ``hand_pose`` (1, 45); FLAME ``jaw_pose`` (1, 3)); ``expr`` (1, 10)
      with an expression. A block or expression of a part (SMPL-X hands,
      face) is optional and used when present and ``{part}_valid`` (1,)
      is true (default true); the face needs ``jaw_pose`` and ``expr``.
    * The group field (``gender``, or MANO ``side``; list of one str).
    * Camera: ``focal`` (1, 2), ``princpt`` (1, 2) in ORIGINAL image
      pixels; ``cam_R`` (1, 3, 3) world-to-camera rotation and ``cam_t``
      (1, 3) metres, both optional (``cam_R`` alone rotates the root pose
      only; the translation compensation needs both).
    * Dataset masks, optional: ``rotation_mask`` (1, P), ``coord_mask``
      (1, J) (in the order of the OUTPUT, after the flip), ``mask_trunc``
      (1,) bool (``joint_trunc *= joint_valid``), ``param_valid`` (1,)
      (false: zero targets and zero validities).

    Args:
        params (list[InstanceData]): The ``gt_params`` of each sample.
        metas (list[dict]): Their ``metainfo``.
        layout (ParamLayout): The body model's layout.
        device: Where the tensors go.
        non_blocking (bool): Non-blocking host-to-device copies.
    """

    def __init__(
        self,
        params: List[InstanceData],
        metas: List[dict],
        layout: ParamLayout,
        device: torch.device,
        non_blocking: bool = False,
    ) -> None:
        self.params, self.metas, self.layout = params, metas, layout
        self.device, self.non_blocking = device, non_blocking

    def _name(self, i: int) -> str:
        return self.metas[i].get('img_path', f'sample {i}')

    def gather(
        self,
        key: str,
        shape: Tuple[int, ...],
        required: bool = True,
        default: Union[float, np.ndarray] = 0.0,
    ) -> Tuple[Tensor, Optional[Tensor]]:
        """(M, *shape) tensor of one field (missing: ``default``) and, for
        optional fields, which samples had it ((M,) bool)."""
        params = self.params
        present = [key in p for p in params]
        if required and not all(present):
            # a sample without a fit (param_valid false) may lack it
            for i, (has, p) in enumerate(zip(present, params)):
                if not has and _has_fit(p):
                    raise KeyError(
                        f'gt_params of {self._name(i)} has no {key!r} '
                        f'({self.layout.prefix} targets need it)'
                    )
        mask = torch.tensor(present, dtype=torch.bool, device=self.device)
        filler = np.broadcast_to(np.asarray(default, dtype=np.float32), shape)
        if not any(present):  # nothing to copy from the host per sample
            stacked = torch.tensor(filler, device=self.device)
            stacked = stacked.expand(len(params), *shape).contiguous()
        else:
            values = [
                p[key] if has else filler for p, has in zip(params, present)
            ]
            stacked = _stack(values, shape, self.device, self.non_blocking)
        return stacked, (None if required else mask)

    def flag(self, key: str, default: float = 1.0) -> Tensor:
        """(M,) bool of an optional flag field (e.g. ``lhand_valid``)."""
        return self.gather(key, (), False, default)[0] != 0

    def groups(self, layers: nn.ModuleDict) -> List[str]:
        """The layer (gender / side) of each sample."""
        field, default = self.layout.group_field, self.layout.default_group
        groups = []
        for i, p in enumerate(self.params):
            key = _first_str(p[field]) if field in p else default
            if key not in layers:
                raise ValueError(
                    f'{field} {key!r} of {self._name(i)} has no body-model '
                    f'layer; built: {list(layers)} (set `genders` of the '
                    'target generator)'
                )
            groups.append(key)
        return groups

    def read_fit(self, layers: nn.ModuleDict) -> Dict[str, Any]:
        """Step 1: parameters, camera and the part validities.

        Returns:
            dict: ``root_pose`` (M, 3), ``rest_pose`` (M, P-1, 3),
            ``shape``, ``expr`` / ``expr_valid``, ``trans`` (zeros if absent),
            ``focal``, ``princpt``, ``cam_R``, ``cam_t``, ``has_R``,
            ``has_Rt``, ``rotation_valid`` (M, P), ``coord_valid`` (M, J),
            ``groups`` (list of str).
        """
        layout, num = self.layout, len(self.params)
        joints = layout.joints
        ones = torch.ones(num, device=self.device)
        rotation_valid = torch.ones(
            num, layout.num_rotations, device=self.device
        )
        coord_valid = torch.ones(num, joints.num_joints, device=self.device)
        part_used = {}
        for part in {b.part for b in layout.pose_blocks} - {None}:
            part_used[part] = self.flag(f'{part}_valid')
        blocks = []
        for block in layout.pose_blocks:
            pose, has = self.gather(
                block.key, (block.dim,), required=block.part is None
            )
            if block.part is not None:
                part_used[block.part] = part_used[block.part] & has
            blocks.append(pose)
        expr, expr_valid = None, ones
        if layout.expression:
            part = layout.expression_part
            expr, has = self.gather(
                'expr',
                (layers_dim(layers, 'expression'),),
                required=part is None,
            )
            if part is not None:
                part_used[part] = part_used[part] & has
                # where, not *: an unused part may hold NaN placeholders
                expr = torch.where(part_used[part][:, None], expr, 0.0)
                expr_valid = part_used[part].float()
        for i, block in enumerate(layout.pose_blocks):
            if block.part is not None:
                used = part_used[block.part][:, None]
                blocks[i] = torch.where(used, blocks[i], 0.0)
        for part, used in part_used.items():
            start, end = layout.rotation_rows(part)
            rotation_valid[:, start:end] *= used.float()[:, None]
            start, end = joints.parts[part]
            coord_valid[:, start:end] *= used.float()[:, None]
        cam_R, has_R = self.gather('cam_R', (3, 3), False, np.eye(3))
        cam_t, has_t = self.gather('cam_t', (3,), required=False)
        trans, _ = self.gather('trans', (3,), required=layout.requires_trans)
        return dict(
            root_pose=self.gather('root_pose', (3,))[0],
            rest_pose=torch.cat(blocks, 1).reshape(num, -1, 3),
            shape=self.gather('shape', (layers_dim(layers, 'betas'),))[0],
            expr=expr,
            expr_valid=expr_valid,
            trans=trans,
            focal=self.gather('focal', (2,))[0],
            princpt=self.gather('princpt', (2,))[0],
            cam_R=cam_R,
            cam_t=cam_t,
            has_R=has_R,
            has_Rt=has_R & has_t,
            rotation_valid=rotation_valid,
            coord_valid=coord_valid,
            groups=self.groups(layers),
        )

    def read_meta(self) -> Dict[str, Tensor]:
        """``img2bb`` (M, 2, 3), ``img_w`` (M,) of the original image,
        ``flip`` (M,) bool and ``rot`` (M,) degrees."""
        for i, meta in enumerate(self.metas):
            for key in ('img2bb_trans', 'ori_shape'):
                if key not in meta:
                    raise KeyError(
                        f'metainfo of {self._name(i)} has no {key!r}, needed '
                        'for the body-model targets of its gt_params'
                    )
        dev, metas = self.device, self.metas
        return dict(
            img2bb=_stack(
                [m['img2bb_trans'] for m in metas],
                (2, 3),
                dev,
                self.non_blocking,
            ),
            img_w=torch.tensor(
                [
                    float(to_numpy(m['ori_shape']).reshape(-1)[1])
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

    def read_masks(self, num_rot: int, num_joints: int) -> Dict[str, Tensor]:
        """The dataset masks (defaults: all ones, ``mask_trunc`` false,
        ``param_valid`` true)."""
        return dict(
            param_valid=self.flag('param_valid'),
            rotation_mask=self.gather('rotation_mask', (num_rot,), False, 1.0)[
                0
            ],
            coord_mask=self.gather('coord_mask', (num_joints,), False, 1.0)[0],
            mask_trunc=self.flag('mask_trunc', 0.0),
        )


def layers_dim(layers: nn.ModuleDict, name: str) -> int:
    """Size of parameter ``name`` of the body-model layers."""
    return next(iter(layers.values())).param_dims.get(name, 0)
