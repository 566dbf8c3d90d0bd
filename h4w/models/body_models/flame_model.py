"""FLAME layer (Pose2Pose face, spec §3.4)."""

import os.path as osp
from typing import Dict, Optional

from torch import Tensor

from h4w.body_models import FLAME_LAYOUT
from h4w.body_models.model_files import missing_model_file
from h4w.registry import MODELS

from .base_body_model import BaseBodyModel, check_gender


@MODELS.register_module()
class FLAMEModel(BaseBodyModel):
    """FLAME with face contour: 73 output joints (5 kinematic, 51 static
    and 17 dynamic contour landmarks).

    Args:
        model_path (str): ``human_model_files`` root; ``flame/`` must also
            hold ``flame_static_embedding.pkl`` and
            ``flame_dynamic_embedding.npy``.
        gender (str): Defaults to ``'neutral'``.
        num_betas (int): Defaults to 10.
        num_expression_coeffs (int): Defaults to 10.
    """

    model_type = 'flame'
    param_layout = FLAME_LAYOUT

    def __init__(
        self,
        model_path: Optional[str] = None,
        gender: str = 'neutral',
        num_betas: int = 10,
        num_expression_coeffs: int = 10,
    ) -> None:
        check_gender(gender)
        super().__init__(
            model_path,
            file_name=f'FLAME_{gender.upper()}.pkl',
            layer_kwargs=dict(
                gender=gender,
                use_face_contour=True,
                num_betas=num_betas,
                create_body_pose=False,
                num_expression_coeffs=num_expression_coeffs,
            ),
            param_dims=dict(
                betas=num_betas,
                expression=num_expression_coeffs,
                global_orient=3,
                neck_pose=3,
                jaw_pose=3,
                leye_pose=3,
                reye_pose=3,
            ),
        )

    def _build_layer(self, layer_kwargs: Dict):
        for name in (
            'flame_static_embedding.pkl',
            'flame_dynamic_embedding.npy',
        ):
            path = osp.join(self.model_path, 'flame', name)
            if not osp.isfile(path):
                raise missing_model_file(path, 'flame', f'FLAME {name}')
        return super()._build_layer(layer_kwargs)

    def forward(self, **params: Tensor) -> Dict[str, Tensor]:
        """Run FLAME.

        Args:
            **params: ``betas`` (N,10), ``expression`` (N,10),
                ``global_orient``, ``neck_pose``, ``jaw_pose``,
                ``leye_pose``, ``reye_pose`` (N,3), ``transl`` (N,3).

        Returns:
            dict: ``vertices`` (N,5023,3), ``output_joints`` and ``joints``
            (both (N,73,3)).
        """
        output = self.run_layer(**params)
        return dict(
            vertices=output.vertices,
            output_joints=output.joints,
            joints=output.joints,
        )
