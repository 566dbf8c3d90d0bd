"""Whole-body SMPL-X mesh errors of EHF and AGORA val (spec §6.2, §6.3)."""

from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np

from h4w.body_models.joint_sets import SMPLX_REGRESSOR_ROWS
from h4w.registry import METRICS
from h4w.utils.typing import ConfigType

from ..functional import mean_point_error
from .utils import BodyModelMetric

PARTS = ('all', 'hands', 'face')
ALIGNMENT_NAMES = {'procrustes': 'PA-MPVPE', 'translation': 'MPVPE'}
# Rows of the SMPL-X layer's J_regressor (55 joints) used as anchors.
PELVIS, NECK = SMPLX_REGRESSOR_ROWS['pelvis'], SMPLX_REGRESSOR_ROWS['neck']
HAND_SIDES = (
    ('l', SMPLX_REGRESSOR_ROWS['lwrist']),
    ('r', SMPLX_REGRESSOR_ROWS['rwrist']),
)


@METRICS.register_module()
class WholeBodyMeshMetric(BodyModelMetric):
    """PA-MPVPE / MPVPE of the whole SMPL-X mesh, the hands and the face
    and, optionally, PA-MPJPE of the body (LSP 14) and hand (21) joints.

    Hand4Whole's EHF evaluation (spec §6.2); AGORA val (§6.3) is the same
    without the GT rotation and without joints. Per sample, with ``P`` the
    predicted and ``G`` the GT mesh (10475, 3) in metres and ``J`` the
    SMPL-X ``J_regressor`` (55, 10475):

    * ``PA-MPVPE_all``: :func:`rigid_align` of ``P`` onto ``G``.
    * ``PA-MPVPE_hands``: the same per hand (778 vertices each), the mean
      of left and right.
    * ``PA-MPVPE_face``: the same on the 5023 FLAME vertices.
    * ``MPVPE_all`` / ``_hands`` / ``_face``: ``P`` translated by
      ``(J G)[k] - (J P)[k]`` with ``k`` the pelvis (0), the wrists (20
      left, 21 right) and the neck (12).
    * ``PA-MPJPE_body``: ``j14_regressor`` joints, rigidly aligned.
    * ``PA-MPJPE_hands``: ``lhand_regressor`` / ``rhand_regressor`` joints,
      rigidly aligned per hand, the mean of left and right.

    Dataset scores are means over samples, in millimetres, in the order
    above (Hand4Whole's print order).

    Args:
        body_model (dict): SMPL-X config (:class:`SMPLXModel`) with the
            hand and face vertex-id files and, for ``with_joints``, the
            J14 regressor.
        gt_rotation (Sequence[float], optional): Axis-angle applied to the
            GT mesh (``G <- R G``); EHF uses
            ``[-2.98747896, 0.01172457, -0.05704687]``. Defaults to None.
        with_joints (bool): Add ``PA-MPJPE_body`` and ``PA-MPJPE_hands``.
            Defaults to False.
        parts (Sequence[str]): Mesh parts among ``('all', 'hands',
            'face')``. Defaults to all three.
        alignments (Sequence[str]): Among ``('procrustes',
            'translation')``: ``PA-MPVPE_*`` and ``MPVPE_*`` keys. Defaults
            to both.
        gt_key (str): GT mesh in ``gt_instances``. Defaults to
            ``'smplx_mesh_cam'``.
        pred_key (str): Predicted mesh in ``pred_instances``. Defaults to
            ``'smplx_mesh_cam'``.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Defaults to ``default_prefix``
            (``'WholeBody'``); configs set ``'EHF'`` or ``'AGORA'``.
        collect_dir (str, optional): CPU collection folder.
    """

    default_prefix: Optional[str] = 'WholeBody'
    errors_title = 'whole-body mesh errors'

    def __init__(
        self,
        body_model: ConfigType,
        gt_rotation: Optional[Sequence[float]] = None,
        with_joints: bool = False,
        parts: Sequence[str] = PARTS,
        alignments: Sequence[str] = ('procrustes', 'translation'),
        gt_key: str = 'smplx_mesh_cam',
        pred_key: str = 'smplx_mesh_cam',
        **kwargs,
    ) -> None:
        super().__init__(body_model, pred_key, gt_key, **kwargs)
        for part in parts:
            if part not in PARTS:
                raise ValueError(f'parts must be among {PARTS}, got {part!r}')
        for alignment in alignments:
            if alignment not in ALIGNMENT_NAMES:
                raise ValueError(
                    'alignments must be among '
                    f'{tuple(ALIGNMENT_NAMES)}, got '
                    f'{alignment!r}'
                )
        # Keep the print order whatever order the config lists them in.
        self.parts = tuple(p for p in PARTS if p in parts)
        self.alignments = tuple(a for a in ALIGNMENT_NAMES if a in alignments)
        self.gt_rotation = (
            None
            if gt_rotation is None
            else cv2.Rodrigues(np.asarray(gt_rotation, np.float64).reshape(3))[
                0
            ]
        )
        self.with_joints = with_joints
        needed = ['layer.J_regressor']
        if 'hands' in self.parts:
            needed += ['lhand_vertex_ids', 'rhand_vertex_ids']
        if 'face' in self.parts:
            needed.append('face_vertex_ids')
        if with_joints:
            needed += ['j14_regressor', 'lhand_regressor', 'rhand_regressor']
        self.body_arrays_needed = tuple(needed)

    @property
    def metric_names(self) -> List[str]:
        """Output keys in print order."""
        names = [
            f'{ALIGNMENT_NAMES[a]}_{p}'
            for a in self.alignments
            for p in self.parts
        ]
        if self.with_joints:
            names += ['PA-MPJPE_body', 'PA-MPJPE_hands']
        return names

    def _vertex_errors(
        self,
        pred: np.ndarray,
        gt: np.ndarray,
        ids: Optional[np.ndarray],
        anchor: int,
        alignment: str,
    ) -> float:
        """Error of one part (``ids`` None: all vertices)."""
        if ids is not None:
            pred_part, gt_part = pred[ids], gt[ids]
        else:
            pred_part, gt_part = pred, gt
        if alignment == 'procrustes':
            return float(mean_point_error(pred_part, gt_part, 'procrustes'))
        J = self.body_arrays['layer.J_regressor']
        return float(
            mean_point_error(
                pred_part,
                gt_part,
                'translation',
                pred_root=J[anchor] @ pred,
                gt_root=J[anchor] @ gt,
            )
        )

    def _sample_errors(
        self, pred: np.ndarray, gt: np.ndarray
    ) -> Dict[str, float]:
        """All errors of one sample (metres), keyed as the output."""
        arrays = self.body_arrays
        errors = {}
        for alignment in self.alignments:
            name = ALIGNMENT_NAMES[alignment]
            if 'all' in self.parts:
                errors[f'{name}_all'] = self._vertex_errors(
                    pred, gt, None, PELVIS, alignment
                )
            if 'hands' in self.parts:
                hands = [
                    self._vertex_errors(
                        pred,
                        gt,
                        arrays[f'{side}hand_vertex_ids'],
                        wrist,
                        alignment,
                    )
                    for side, wrist in HAND_SIDES
                ]
                errors[f'{name}_hands'] = (hands[0] + hands[1]) / 2
            if 'face' in self.parts:
                errors[f'{name}_face'] = self._vertex_errors(
                    pred, gt, arrays['face_vertex_ids'], NECK, alignment
                )
        if self.with_joints:
            j14 = arrays['j14_regressor']
            errors['PA-MPJPE_body'] = float(
                mean_point_error(j14 @ pred, j14 @ gt, 'procrustes')
            )
            hands = [
                mean_point_error(
                    arrays[f'{side}hand_regressor'] @ pred,
                    arrays[f'{side}hand_regressor'] @ gt,
                    'procrustes',
                )
                for side, _ in HAND_SIDES
            ]
            errors['PA-MPJPE_hands'] = float(hands[0] + hands[1]) / 2
        return errors

    def sample_result(self, data_sample: dict) -> Dict[str, float]:
        """All errors (metres) of a data-sample dict with
        ``gt_instances[gt_key]`` and ``pred_instances[pred_key]``
        (1, 10475, 3) in metres, keyed as the output."""
        gt = self.gt_array(data_sample)
        if self.gt_rotation is not None:
            gt = gt @ self.gt_rotation.T
        return self._sample_errors(self.pred_array(data_sample), gt)
