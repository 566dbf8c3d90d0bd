"""NeuralAnnot fits as ``gt_params`` fields (the
:class:`MeshDataPreprocessor` contract): SMPL / SMPL-X, MANO and FLAME
conversions, the fit-file names and the whole-body fit masks."""

from typing import Optional

import numpy as np

from h4w.body_models.joint_sets import SMPLX_JOINTS, SMPLX_PARAM_JOINTS

from .base_mesh_dataset import finite_array

__all__ = [
    'FIT_FILES',
    'fit_file_tag',
    'fit_params',
    'mano_fit_params',
    'flame_fit_params',
    'wholebody_fit_masks',
]

#: Fit file name per body model (NeuralAnnot).
FIT_FILES = dict(smplx='SMPLX_NeuralAnnot', smpl='SMPL_NeuralAnnot')


def fit_file_tag(model_type: str) -> str:
    """``FIT_FILES[model_type]``; ValueError for a body model without
    NeuralAnnot fit files."""
    if model_type not in FIT_FILES:
        raise ValueError(f'model_type must be one of {list(FIT_FILES)}')
    return FIT_FILES[model_type]


def fit_params(param: Optional[dict], model_type: str) -> Optional[dict]:
    """A NeuralAnnot fit as ``gt_params`` fields (float32 arrays).

    SMPL-X fits use the names of the preprocessor already; SMPL fits are
    ``{'pose' (72), 'shape', 'trans'}`` and are split into root and body.
    """
    if param is None:
        return None
    out = {}
    if model_type == 'smpl' and 'pose' in param:
        pose = np.asarray(param['pose'], dtype=np.float32).reshape(72)
        out.update(root_pose=pose[:3], body_pose=pose[3:])
        param = {k: v for k, v in param.items() if k != 'pose'}
    for key, value in param.items():
        out[key] = (
            value
            if isinstance(value, (str, bool))
            else np.asarray(value, dtype=np.float32)
        )
    return out


def mano_fit_params(param: Optional[dict], side: str) -> Optional[dict]:
    """A MANO NeuralAnnot fit as ``gt_params`` fields (float32 arrays).

    Args:
        param (dict, optional): ``{'pose' (48) = root (3) + 15 finger
            rotations (45), 'shape' (10), 'trans' (3)}``, axis-angle,
            metres; None when the fit is missing.
        side (str): ``'right'`` or ``'left'`` (the MANO layer used by
            :class:`MeshDataPreprocessor`).

    Returns:
        dict | None: ``root_pose`` (3,), ``hand_pose`` (45,), ``shape``
        (10,), ``trans`` (3,), ``side``; None when ``param`` is None.
    """
    if param is None:
        return None
    pose = finite_array(param['pose'], (48,), 'MANO pose')
    return dict(
        root_pose=pose[:3],
        hand_pose=pose[3:],
        shape=finite_array(param['shape'], (10,), 'MANO shape'),
        trans=finite_array(param['trans'], (3,), 'MANO trans'),
        side=side,
    )


def flame_fit_params(param: Optional[dict]) -> Optional[dict]:
    """A FLAME NeuralAnnot fit as ``gt_params`` fields (float32 arrays).

    Args:
        param (dict, optional): ``{'root_pose' (3), 'jaw_pose' (3),
            'shape' (10), 'expr' (10), 'trans' (3, optional)}``.

    Returns:
        dict | None: The same fields as arrays (``trans`` only when
        given: the preprocessor then uses zero); None for None.
    """
    if param is None:
        return None
    out = dict(
        root_pose=finite_array(param['root_pose'], (3,), 'FLAME root_pose'),
        jaw_pose=finite_array(param['jaw_pose'], (3,), 'FLAME jaw_pose'),
        shape=finite_array(param['shape'], (10,), 'FLAME shape'),
        expr=finite_array(param['expr'], (10,), 'FLAME expr'),
    )
    if param.get('trans') is not None:
        out['trans'] = finite_array(param['trans'], (3,), 'FLAME trans')
    return out


def wholebody_fit_masks(model_type: str) -> dict:
    """Fit masks of the whole-body body-only sets (Human3.6M, MPII,
    MPI-INF-3DHP, §5.4): no ankle / wrist rotations, no foot keypoints,
    truncation times validity. Empty for SMPL (Pose2Pose)."""
    if model_type != 'smplx':
        return {}
    rotation_mask = np.ones(SMPLX_PARAM_JOINTS.num_joints, np.float32)
    rotation_mask[
        SMPLX_PARAM_JOINTS.indices_of(
            ('L_Ankle', 'R_Ankle', 'L_Wrist', 'R_Wrist')
        )
    ] = 0
    coord_mask = np.ones(SMPLX_JOINTS.num_joints, np.float32)
    coord_mask[
        SMPLX_JOINTS.indices_of(
            (
                'L_Big_toe',
                'L_Small_toe',
                'L_Heel',
                'R_Big_toe',
                'R_Small_toe',
                'R_Heel',
            )
        )
    ] = 0
    return dict(
        rotation_mask=rotation_mask, coord_mask=coord_mask, mask_trunc=True
    )
