"""SMPL-X layer (spec §2.14, §3.2, §3.3)."""

from typing import Dict, Optional

import torch
from torch import Tensor

from h4w.body_models import SMPLX_LAYOUT
from h4w.body_models.joint_sets import (
    SMPLX_HAND_REGRESSOR_SOURCES,
    SMPLX_JOINT_OUTPUT_IDX,
)
from h4w.registry import MODELS

from .base_body_model import (
    BaseBodyModel,
    check_gender,
    regressor_from_sources,
)


@MODELS.register_module()
class SMPLXModel(BaseBodyModel):
    """SMPL-X as Hand4Whole uses it.

    ``use_pca=False``, ``flat_hand_mean=False`` (hand poses are offsets
    from the mean hand), ``use_face_contour=True``, 10 betas and 10
    expression coefficients, no internal parameters.

    Args:
        model_path (str): ``human_model_files`` root.
        gender (str): ``'neutral'``, ``'male'`` or ``'female'``.
        ext (str): ``'npz'`` (default, as upstream) or ``'pkl'``.
        num_betas (int): Defaults to 10.
        num_expression_coeffs (int): Defaults to 10.
        flat_hand_mean (bool): Defaults to False.
        j14_regressor_file (str, optional): LSP-14 regressor, relative to
            ``model_path``; None skips it.
        hand_vertex_ids_file (str, optional): ``MANO_SMPLX_vertex_ids.pkl``.
        face_vertex_ids_file (str, optional):
            ``SMPL-X__FLAME_vertex_ids.npy``.
        h36m_regressor_file (str, optional): 17x10475 Human3.6M regressor.

    Buffers (when their file is given): ``j14_regressor`` (14, 10475),
    ``h36m_regressor`` (17, 10475), ``lhand_vertex_ids`` /
    ``rhand_vertex_ids`` (778,), ``face_vertex_ids`` (5023,); always
    ``lhand_regressor`` / ``rhand_regressor`` (21, 10475) and ``faces``.
    """

    model_type = 'smplx'
    param_layout = SMPLX_LAYOUT

    def __init__(
        self,
        model_path: Optional[str] = None,
        gender: str = 'neutral',
        ext: str = 'npz',
        num_betas: int = 10,
        num_expression_coeffs: int = 10,
        flat_hand_mean: bool = False,
        j14_regressor_file: Optional[str] = 'smplx/SMPLX_to_J14.pkl',
        hand_vertex_ids_file: Optional[
            str
        ] = 'smplx/MANO_SMPLX_vertex_ids.pkl',
        face_vertex_ids_file: Optional[
            str
        ] = 'smplx/SMPL-X__FLAME_vertex_ids.npy',
        h36m_regressor_file: Optional[str] = None,
    ) -> None:
        check_gender(gender)
        super().__init__(
            model_path,
            file_name=f'SMPLX_{gender.upper()}.{ext}',
            layer_kwargs=dict(
                gender=gender,
                ext=ext,
                use_pca=False,
                flat_hand_mean=flat_hand_mean,
                use_face_contour=True,
                num_betas=num_betas,
                num_expression_coeffs=num_expression_coeffs,
            ),
            param_dims=dict(
                betas=num_betas,
                global_orient=3,
                body_pose=63,
                left_hand_pose=45,
                right_hand_pose=45,
                jaw_pose=3,
                leye_pose=3,
                reye_pose=3,
                expression=num_expression_coeffs,
            ),
        )
        self.register_buffer(
            'joint_output_idx',
            torch.tensor(SMPLX_JOINT_OUTPUT_IDX),
            persistent=False,
        )
        for side in ('left', 'right'):
            self.register_buffer(
                f'{side[0]}hand_regressor',
                regressor_from_sources(
                    SMPLX_HAND_REGRESSOR_SOURCES[side], self.layer.J_regressor
                ),
                persistent=False,
            )
        self._load_eval_files(
            j14_regressor_file,
            hand_vertex_ids_file,
            face_vertex_ids_file,
            h36m_regressor_file,
        )

    def _load_eval_files(self, j14, hand_ids, face_ids, h36m) -> None:
        if j14 is not None:
            self.add_aux_buffer('j14_regressor', j14, 'SMPLX_to_J14 regressor')
        if h36m is not None:
            self.add_aux_buffer(
                'h36m_regressor', h36m, 'Human3.6M SMPL-X regressor'
            )
        if hand_ids is not None:
            ids = self.add_aux_buffer(
                None, hand_ids, 'MANO_SMPLX_vertex_ids file'
            )
            for side in ('left', 'right'):
                self.register_buffer(
                    f'{side[0]}hand_vertex_ids',
                    torch.as_tensor(ids[f'{side}_hand'], dtype=torch.long),
                    persistent=False,
                )
        if face_ids is not None:
            self.add_aux_buffer(
                'face_vertex_ids',
                face_ids,
                'SMPL-X__FLAME_vertex_ids file',
                torch.long,
            )

    def forward(self, **params: Tensor) -> Dict[str, Tensor]:
        """Run SMPL-X.

        Args:
            **params: Any of ``betas`` (N,10), ``global_orient`` (N,3),
                ``body_pose`` (N,63), ``left_hand_pose`` / ``right_hand_pose``
                (N,45), ``jaw_pose``, ``leye_pose``, ``reye_pose`` (N,3),
                ``expression`` (N,10), ``transl`` (N,3); missing ones are
                zeros.

        Returns:
            dict: ``vertices`` (N,10475,3), ``output_joints`` (N,144,3)
            (layer output, §3.2) and ``joints`` (N,137,3) (supervision set).
        """
        output = self.run_layer(**params)
        return dict(
            vertices=output.vertices,
            output_joints=output.joints,
            joints=output.joints[:, self.joint_output_idx],
        )
