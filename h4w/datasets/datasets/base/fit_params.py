"""NeuralAnnot fits as ``gt_params`` fields (the
:class:`BodyModelTargetGenerator` contract): SMPL / SMPL-X, MANO and FLAME
conversions, the fit-file names and the whole-body fit masks."""

from typing import Optional

import numpy as np

from h4w.body_models import JOINT_SETS, PARAM_LAYOUTS

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

    SMPL-X fits use the ``gt_params`` names already; a combined ``pose``
    (SMPL: ``{'pose' (72), 'shape', 'trans'}``) is split into the root and
    the pose blocks of the model's :class:`ParamLayout`.
    """
    if param is None:
        return None
    out = {}
    if 'pose' in param:
        layout = PARAM_LAYOUTS[model_type]
        pose = np.asarray(param['pose'], dtype=np.float32).reshape(
            3 * layout.num_rotations
        )
        out['root_pose'] = pose[:3]
        start = 3
        for block in layout.pose_blocks:
            out[block.key] = pose[start : start + block.dim]
            start += block.dim
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
            :class:`BodyModelTargetGenerator`).

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


#: Joints that the whole-body body-only sets (Human3.6M, MPII,
#: MPI-INF-3DHP, §5.4) do not supervise, per model: rotations (ankles,
#: wrists) and keypoints (feet). Models without an entry mask nothing.
BODY_ONLY_FIT_MASKS = dict(
    smplx=dict(
        rotations=('L_Ankle', 'R_Ankle', 'L_Wrist', 'R_Wrist'),
        keypoints=(
            'L_Big_toe',
            'L_Small_toe',
            'L_Heel',
            'R_Big_toe',
            'R_Small_toe',
            'R_Heel',
        ),
    ),
)


def wholebody_fit_masks(model_type: str) -> dict:
    """Fit masks of the whole-body body-only sets (:data:`BODY_ONLY_FIT_
    MASKS`) and truncation times validity. Empty for SMPL (Pose2Pose)."""
    masked = BODY_ONLY_FIT_MASKS.get(model_type)
    if masked is None:
        return {}
    layout = PARAM_LAYOUTS[model_type]
    rotations = JOINT_SETS[layout.param_joint_set]
    rotation_mask = np.ones(rotations.num_joints, np.float32)
    rotation_mask[rotations.indices_of(masked['rotations'])] = 0
    coord_mask = np.ones(layout.joints.num_joints, np.float32)
    coord_mask[layout.joints.indices_of(masked['keypoints'])] = 0
    return dict(
        rotation_mask=rotation_mask, coord_mask=coord_mask, mask_trunc=True
    )
