"""MANO layer (Pose2Pose hand, spec §3.4)."""

from typing import Dict, Optional

import torch
from torch import Tensor

from h4w.body_models import MANO_LAYOUT
from h4w.body_models.joint_sets import MANO_JOINTS, MANO_TIP_VERTEX_IDS
from h4w.body_models.model_files import load_model_data, missing_model_file
from h4w.registry import MODELS

from .base_body_model import BaseBodyModel, regressor_from_sources

SIDES = ('right', 'left')


def _mano_joint_sources():
    """21-joint set: wrist and finger joints from J_regressor, tips from
    vertices; the MANO parameter order is Index, Middle, Pinky, Ring,
    Thumb (3 joints each after the wrist)."""
    param_order = ('Index', 'Middle', 'Pinky', 'Ring', 'Thumb')
    sources = []
    for name in MANO_JOINTS.joint_names:
        if name == 'Wrist':
            sources.append(('joint', 0))
        elif name.endswith('_4'):
            sources.append(('vertex', MANO_TIP_VERTEX_IDS[name]))
        else:
            finger, level = name.split('_')
            row = 1 + 3 * param_order.index(finger) + int(level) - 1
            sources.append(('joint', row))
    return sources


@MODELS.register_module()
class MANOModel(BaseBodyModel):
    """MANO, right or left, ``use_pca=False``, ``flat_hand_mean=False``.

    The official left model has the sign of ``shapedirs[:, 0, :]`` wrong
    (equal to the right model's); it is negated here when that is the case
    (spec §3.4).

    Args:
        model_path (str): ``human_model_files`` root.
        side (str): ``'right'`` (default) or ``'left'``.
        num_betas (int): Defaults to 10.
        flat_hand_mean (bool): Defaults to False.

    Buffers: ``joint_regressor`` (21, 778), ``faces``.
    """

    model_type = 'mano'
    param_layout = MANO_LAYOUT

    def __init__(
        self,
        model_path: Optional[str] = None,
        side: str = 'right',
        num_betas: int = 10,
        flat_hand_mean: bool = False,
    ) -> None:
        if side not in SIDES:
            raise ValueError(f'side must be one of {SIDES}, got {side}')
        self.side = side
        super().__init__(
            model_path,
            file_name=f'MANO_{side.upper()}.pkl',
            layer_kwargs=dict(
                is_rhand=side == 'right',
                use_pca=False,
                create_body_pose=False,
                flat_hand_mean=flat_hand_mean,
                num_betas=num_betas,
            ),
            param_dims=dict(betas=num_betas, global_orient=3, hand_pose=45),
        )
        if side == 'left':
            self._fix_left_shapedirs()
        self.register_buffer(
            'joint_regressor',
            regressor_from_sources(
                _mano_joint_sources(), self.layer.J_regressor
            ),
            persistent=False,
        )

    def _fix_left_shapedirs(self) -> None:
        right_file = self.model_file.replace('MANO_LEFT', 'MANO_RIGHT')
        try:
            right = load_model_data(right_file)
        except FileNotFoundError:
            raise missing_model_file(
                right_file,
                'mano',
                'MANO_RIGHT.pkl (needed to check the left model)',
            ) from None
        right_dirs = torch.as_tensor(
            right['shapedirs'][:, 0, : self.layer.shapedirs.shape[-1]],
            dtype=self.layer.shapedirs.dtype,
        )
        shapedirs = self.layer.shapedirs
        if torch.sum(torch.abs(shapedirs[:, 0, :] - right_dirs)) < 1:
            shapedirs[:, 0, :] *= -1

    def forward(self, **params: Tensor) -> Dict[str, Tensor]:
        """Run MANO.

        Args:
            **params: ``betas`` (N,10), ``global_orient`` (N,3),
                ``hand_pose`` (N,45), ``transl`` (N,3); missing are zeros.

        Returns:
            dict: ``vertices`` (N,778,3), ``output_joints`` (N,16,3) and
            ``joints`` (N,21,3) (supervision set incl. fingertips).
        """
        output = self.run_layer(**params)
        return dict(
            vertices=output.vertices,
            output_joints=output.joints,
            joints=self.joint_regressor @ output.vertices,
        )
