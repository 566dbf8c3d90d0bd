"""Keypoint conventions of HumanData files (mmhuman3d), as data.

HumanData keypoint arrays (``keypoints2d``, ``keypoints3d``,
``keypoints2d_smplx`` ...) hold one row per joint of a named convention
of mmhuman3d's ``keypoints_mapping``. Two are supported:

* ``'smplx'`` (144 joints): the output of the SMPL-X layer with the face
  contour (the 55 kinematic joints, the 21 vertex joints, 51 face
  landmarks and 17 contour points), in the layer's order; SMPLer-X /
  AiOS files store their ``*_smplx`` keypoints in it.
* ``'human_data'`` (190 joints): the same 144, then 46 joints of other
  datasets' skeletons (regressor extras, OpenPose, MPI-INF-3DHP, H3.6M
  and PoseTrack head points, SMPL hands); mmhuman3d's ``keypoints2d`` /
  ``keypoints3d``.

:data:`KEYPOINT_CONVENTIONS` holds mmhuman3d's joint names.
:func:`h4w_joint_names` translates them into h4w's SMPL-X names where
the joints are the same (``left_wrist`` -> ``L_Wrist``, the face
landmarks -> ``Face_5`` .. ``Face_72``, ``jaw`` -> ``Face_1`` and
``head`` -> ``Face_2`` as in the 137-joint set), so that
``KeypointTargets`` re-indexes them into ``smplx_137`` by name; the
joints without a counterpart there keep a distinct name (an h4w SMPL-X
layer name such as ``Spine_1``, or mmhuman3d's own such as
``headtop``) and are dropped by the re-indexing.
"""

from typing import Dict, Tuple

from h4w.body_models.joint_sets import SMPLX_OUTPUT_JOINT_NAMES

__all__ = [
    'HUMAN_DATA_SMPLX_KEYPOINTS',
    'HUMAN_DATA_EXTRA_KEYPOINTS',
    'KEYPOINT_CONVENTIONS',
    'h4w_joint_names',
    'flip_pairs_by_name',
    'convention_metainfo',
]

#: mmhuman3d ``smplx`` convention (144): the SMPL-X layer output with the
#: face contour, in its order.
HUMAN_DATA_SMPLX_KEYPOINTS = (
    'pelvis',
    'left_hip',
    'right_hip',
    'spine_1',
    'left_knee',
    'right_knee',
    'spine_2',
    'left_ankle',
    'right_ankle',
    'spine_3',
    'left_foot',
    'right_foot',
    'neck',
    'left_collar',
    'right_collar',
    'head',
    'left_shoulder',
    'right_shoulder',
    'left_elbow',
    'right_elbow',
    'left_wrist',
    'right_wrist',
    'jaw',
    'left_eyeball',
    'right_eyeball',
    'left_index_1',
    'left_index_2',
    'left_index_3',
    'left_middle_1',
    'left_middle_2',
    'left_middle_3',
    'left_pinky_1',
    'left_pinky_2',
    'left_pinky_3',
    'left_ring_1',
    'left_ring_2',
    'left_ring_3',
    'left_thumb_1',
    'left_thumb_2',
    'left_thumb_3',
    'right_index_1',
    'right_index_2',
    'right_index_3',
    'right_middle_1',
    'right_middle_2',
    'right_middle_3',
    'right_pinky_1',
    'right_pinky_2',
    'right_pinky_3',
    'right_ring_1',
    'right_ring_2',
    'right_ring_3',
    'right_thumb_1',
    'right_thumb_2',
    'right_thumb_3',
    'nose',
    'right_eye',
    'left_eye',
    'right_ear',
    'left_ear',
    'left_bigtoe',
    'left_smalltoe',
    'left_heel',
    'right_bigtoe',
    'right_smalltoe',
    'right_heel',
    'left_thumb',
    'left_index',
    'left_middle',
    'left_ring',
    'left_pinky',
    'right_thumb',
    'right_index',
    'right_middle',
    'right_ring',
    'right_pinky',
    'right_eyebrow_1',
    'right_eyebrow_2',
    'right_eyebrow_3',
    'right_eyebrow_4',
    'right_eyebrow_5',
    'left_eyebrow_5',
    'left_eyebrow_4',
    'left_eyebrow_3',
    'left_eyebrow_2',
    'left_eyebrow_1',
    'nosebridge_1',
    'nosebridge_2',
    'nosebridge_3',
    'nosebridge_4',
    'right_nose_2',
    'right_nose_1',
    'nose_middle',
    'left_nose_1',
    'left_nose_2',
    'right_eye_1',
    'right_eye_2',
    'right_eye_3',
    'right_eye_4',
    'right_eye_5',
    'right_eye_6',
    'left_eye_4',
    'left_eye_3',
    'left_eye_2',
    'left_eye_1',
    'left_eye_6',
    'left_eye_5',
    'right_mouth_1',
    'right_mouth_2',
    'right_mouth_3',
    'mouth_top',
    'left_mouth_3',
    'left_mouth_2',
    'left_mouth_1',
    'left_mouth_5',
    'left_mouth_4',
    'mouth_bottom',
    'right_mouth_4',
    'right_mouth_5',
    'right_lip_1',
    'right_lip_2',
    'lip_top',
    'left_lip_2',
    'left_lip_1',
    'left_lip_3',
    'lip_bottom',
    'right_lip_3',
    'right_contour_1',
    'right_contour_2',
    'right_contour_3',
    'right_contour_4',
    'right_contour_5',
    'right_contour_6',
    'right_contour_7',
    'right_contour_8',
    'contour_middle',
    'left_contour_8',
    'left_contour_7',
    'left_contour_6',
    'left_contour_5',
    'left_contour_4',
    'left_contour_3',
    'left_contour_2',
    'left_contour_1',
)

#: The 46 joints that mmhuman3d's ``human_data`` convention appends to
#: the 144 of ``smplx``.
HUMAN_DATA_EXTRA_KEYPOINTS = (
    'right_hip_extra',
    'left_hip_extra',
    'neck_extra',
    'headtop',
    'pelvis_extra',
    'thorax_extra',
    'spine_extra',
    'jaw_extra',
    'head_extra',
    'nose_openpose',
    'neck_openpose',
    'right_shoulder_openpose',
    'right_elbow_openpose',
    'right_wrist_openpose',
    'left_shoulder_openpose',
    'left_elbow_openpose',
    'left_wrist_openpose',
    'pelvis_openpose',
    'right_hip_openpose',
    'right_knee_openpose',
    'right_ankle_openpose',
    'left_hip_openpose',
    'left_knee_openpose',
    'left_ankle_openpose',
    'right_eye_openpose',
    'left_eye_openpose',
    'right_ear_openpose',
    'left_ear_openpose',
    'left_bigtoe_openpose',
    'left_smalltoe_openpose',
    'left_heel_openpose',
    'right_bigtoe_openpose',
    'right_smalltoe_openpose',
    'right_heel_openpose',
    'spine_4_3dhp',
    'left_clavicle_3dhp',
    'right_clavicle_3dhp',
    'left_hand_3dhp',
    'right_hand_3dhp',
    'left_toe_3dhp',
    'right_toe_3dhp',
    'head_h36m',
    'headtop_h36m',
    'head_bottom_pt',
    'left_hand',
    'right_hand',
)

#: Convention name -> mmhuman3d joint names.
KEYPOINT_CONVENTIONS: Dict[str, Tuple[str, ...]] = dict(
    smplx=HUMAN_DATA_SMPLX_KEYPOINTS,
    human_data=HUMAN_DATA_SMPLX_KEYPOINTS + HUMAN_DATA_EXTRA_KEYPOINTS,
)

#: Joints whose name in the 137-joint supervision set is not their SMPL-X
#: layer name (spec §3.3: Face_1 is the jaw joint, Face_2 the head).
_SUPERVISION_ALIASES = dict(jaw='Face_1', head='Face_2')


def h4w_joint_names(convention: str) -> Tuple[str, ...]:
    """The joint names of a convention in h4w's naming.

    The 144 SMPL-X joints take the name of the same row of the SMPL-X
    layer output (:data:`SMPLX_OUTPUT_JOINT_NAMES`; ``jaw`` and ``head``
    their 137-set names ``Face_1`` / ``Face_2``); the other joints keep
    mmhuman3d's name.

    Args:
        convention (str): A key of :data:`KEYPOINT_CONVENTIONS`.

    Returns:
        tuple[str]: One name per joint of the convention.

    Examples:
        >>> names = h4w_joint_names('human_data')
        >>> len(names), names[20], names[22], names[76], names[144]
        (190, 'L_Wrist', 'Face_1', 'Face_5', 'right_hip_extra')
    """
    names = []
    for i, name in enumerate(KEYPOINT_CONVENTIONS[convention]):
        if i < len(HUMAN_DATA_SMPLX_KEYPOINTS):
            name = _SUPERVISION_ALIASES.get(name, SMPLX_OUTPUT_JOINT_NAMES[i])
        names.append(name)
    return tuple(names)


def flip_pairs_by_name(names: Tuple[str, ...]) -> Tuple[Tuple[int, int], ...]:
    """Left/right pairs of mmhuman3d joint names: ``left_<x>`` with
    ``right_<x>`` (mmhuman3d names mirrored face landmarks this way too).

    Examples:
        >>> flip_pairs_by_name(('nose', 'right_eye', 'left_eye'))
        ((2, 1),)
    """
    index = {name: i for i, name in enumerate(names)}
    return tuple(
        (i, index['right_' + name[5:]])
        for i, name in enumerate(names)
        if name.startswith('left_') and 'right_' + name[5:] in index
    )


def convention_metainfo(convention: str) -> dict:
    """Dataset metainfo of a convention: h4w ``joint_names``,
    ``flip_pairs``, the mmhuman3d names (``source_joint_names``) and
    ``root_idx`` (the pelvis)."""
    if convention not in KEYPOINT_CONVENTIONS:
        raise ValueError(
            f'unknown keypoint_convention {convention!r}; one of '
            f'{sorted(KEYPOINT_CONVENTIONS)}'
        )
    source = KEYPOINT_CONVENTIONS[convention]
    return dict(
        joint_names=h4w_joint_names(convention),
        flip_pairs=flip_pairs_by_name(source),
        source_joint_names=source,
        root_idx=source.index('pelvis'),
    )
