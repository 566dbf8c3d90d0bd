"""Joint sets of the human models, as data (spec §3.2-§3.4).

A :class:`JointSet` holds joint names, the index ranges of body parts,
flip pairs and named indices. The SMPL-X 137-joint supervision set also
records, per joint, its row in the 144-joint SMPL-X layer output; the
SMPL 33-joint set records the regressor row or vertex id of each joint.
Nothing here reads a model file.
"""

from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple

FINGERS = ('Thumb', 'Index', 'Middle', 'Ring', 'Pinky')


@dataclass(frozen=True)
class JointSet:
    """An ordered joint set.

    Attributes:
        name (str): Identifier, e.g. ``'smplx_137'``.
        joint_names (tuple[str]): One name per joint.
        parts (dict[str, tuple[int, int]]): Part name -> half-open index
            range ``[start, end)``.
        flip_pairs (tuple[tuple[int, int]]): Left/right index pairs.
        named_indices (dict[str, int]): Special joints (root, wrists ...).
    """

    name: str
    joint_names: Tuple[str, ...]
    parts: Dict[str, Tuple[int, int]] = field(default_factory=dict)
    flip_pairs: Tuple[Tuple[int, int], ...] = ()
    named_indices: Dict[str, int] = field(default_factory=dict)

    @property
    def num_joints(self) -> int:
        return len(self.joint_names)

    def part_indices(self, part: str) -> List[int]:
        """Indices of a part, e.g. ``part_indices('lhand')``."""
        start, end = self.parts[part]
        return list(range(start, end))

    def index(self, joint_name: str) -> int:
        return self.joint_names.index(joint_name)

    def flip_permutation(self) -> List[int]:
        """``perm`` such that ``joints[perm]`` swaps left and right."""
        perm = list(range(self.num_joints))
        for left, right in self.flip_pairs:
            perm[left], perm[right] = right, left
        return perm

    def indices_of(self, names: Sequence[str]) -> List[int]:
        """Indices of ``names`` in this set (for remapping by name)."""
        return [self.index(name) for name in names]


def _hand_joint_names(side: str, with_wrist: bool = False) -> List[str]:
    """21-joint (or 20 without wrist) hand layout: Thumb_1..4, ... Pinky."""
    prefix = f'{side}_' if side else ''
    names = [f'{prefix}Wrist'] if with_wrist else []
    for finger in FINGERS:
        names += [f'{prefix}{finger}_{i}' for i in range(1, 5)]
    return names


def _param_hand_names(side: str) -> List[str]:
    """15 hand joints in SMPL-X / MANO parameter order."""
    prefix = f'{side}_' if side else ''
    return [
        f'{prefix}{finger}_{i}'
        for finger in ('Index', 'Middle', 'Pinky', 'Ring', 'Thumb')
        for i in range(1, 4)
    ]


def _pairs(offset_a: int, offset_b: int, count: int) -> List[tuple]:
    return [(offset_a + i, offset_b + i) for i in range(count)]


# Face flip pairs in the 68-landmark-derived order shared by SMPL-X
# (offset 69 in the 137 set) and FLAME (offset 5 in its 73 set): eyebrows,
# below-nose, eyes, outer mouth, inner lips, then the 17 contour points.
_FACE_PAIRS = (
    (0, 9),
    (1, 8),
    (2, 7),
    (3, 6),
    (4, 5),
    (14, 18),
    (15, 17),
    (19, 28),
    (20, 27),
    (21, 26),
    (22, 25),
    (23, 30),
    (24, 29),
    (31, 37),
    (32, 36),
    (33, 35),
    (38, 42),
    (39, 41),
    (43, 47),
    (44, 46),
    (48, 50),
    (51, 67),
    (52, 66),
    (53, 65),
    (54, 64),
    (55, 63),
    (56, 62),
    (57, 61),
    (58, 60),
)


def _face_pairs(offset: int) -> List[tuple]:
    return [(offset + a, offset + b) for a, b in _FACE_PAIRS]


#: The 22 body joints of the SMPL-X kinematic tree, in its order.
SMPLX_BODY_NAMES = (
    'Pelvis',
    'L_Hip',
    'R_Hip',
    'Spine_1',
    'L_Knee',
    'R_Knee',
    'Spine_2',
    'L_Ankle',
    'R_Ankle',
    'Spine_3',
    'L_Foot',
    'R_Foot',
    'Neck',
    'L_Collar',
    'R_Collar',
    'Head',
    'L_Shoulder',
    'R_Shoulder',
    'L_Elbow',
    'R_Elbow',
    'L_Wrist',
    'R_Wrist',
)
_BODY_FLIP_PAIRS = (
    (1, 2),
    (4, 5),
    (7, 8),
    (10, 11),
    (13, 14),
    (16, 17),
    (18, 19),
    (20, 21),
)

# ---------------------------------------------------------------- SMPL-X
#: The 55 joints of the SMPL-X kinematic tree (the rotations of the
#: parameters, root first): body, jaw, eyes, left then right hand.
SMPLX_SKELETON_NAMES = (
    SMPLX_BODY_NAMES
    + ('Jaw', 'L_Eye', 'R_Eye')
    + tuple(_param_hand_names('L'))
    + tuple(_param_hand_names('R'))
)

#: Joints output by the SMPL-X layer with ``use_face_contour=True`` (§3.2).
SMPLX_OUTPUT_JOINT_NAMES = (
    SMPLX_BODY_NAMES
    + ('Jaw', 'L_Eye_kinematic', 'R_Eye_kinematic')
    + tuple(_param_hand_names('L'))
    + tuple(_param_hand_names('R'))
    + (
        'Nose',
        'R_Eye',
        'L_Eye',
        'R_Ear',
        'L_Ear',
        'L_Big_toe',
        'L_Small_toe',
        'L_Heel',
        'R_Big_toe',
        'R_Small_toe',
        'R_Heel',
    )
    + tuple(f'L_{f}_4' for f in FINGERS)
    + tuple(f'R_{f}_4' for f in FINGERS)
    + tuple(f'Face_{i}' for i in range(5, 73))
)

#: SMPL-X vertex ids of smplx's vertex joints (SMPL-X output rows 55-75).
SMPLX_VERTEX_JOINT_IDS = dict(
    Nose=9120,
    R_Eye=9929,
    L_Eye=9448,
    R_Ear=616,
    L_Ear=6,
    L_Big_toe=5770,
    L_Small_toe=5780,
    L_Heel=8846,
    R_Big_toe=8463,
    R_Small_toe=8474,
    R_Heel=8635,
    L_Thumb_4=5361,
    L_Index_4=4933,
    L_Middle_4=5058,
    L_Ring_4=5169,
    L_Pinky_4=5286,
    R_Thumb_4=8079,
    R_Index_4=7669,
    R_Middle_4=7794,
    R_Ring_4=7905,
    R_Pinky_4=8022,
)

#: (a) the 53 parameter joints: order of the 159-d pose vector.
SMPLX_PARAM_JOINTS = JointSet(
    name='smplx_param_53',
    joint_names=SMPLX_BODY_NAMES
    + tuple(_param_hand_names('L'))
    + tuple(_param_hand_names('R'))
    + ('Jaw',),
    parts=dict(body=(0, 22), lhand=(22, 37), rhand=(37, 52), face=(52, 53)),
    flip_pairs=_BODY_FLIP_PAIRS + tuple(_pairs(22, 37, 15)),
    named_indices=dict(root=0),
)

_SMPLX_137_NAMES = (
    (
        'Pelvis',
        'L_Hip',
        'R_Hip',
        'L_Knee',
        'R_Knee',
        'L_Ankle',
        'R_Ankle',
        'Neck',
        'L_Shoulder',
        'R_Shoulder',
        'L_Elbow',
        'R_Elbow',
        'L_Wrist',
        'R_Wrist',
        'L_Big_toe',
        'L_Small_toe',
        'L_Heel',
        'R_Big_toe',
        'R_Small_toe',
        'R_Heel',
        'L_Ear',
        'R_Ear',
        'L_Eye',
        'R_Eye',
        'Nose',
    )
    + tuple(_hand_joint_names('L'))
    + tuple(_hand_joint_names('R'))
    + tuple(f'Face_{i}' for i in range(1, 73))
)

#: (b) the 137-joint supervision set.
SMPLX_JOINTS = JointSet(
    name='smplx_137',
    joint_names=_SMPLX_137_NAMES,
    parts=dict(
        body=(0, 25),
        lhand=(25, 45),
        rhand=(45, 65),
        hand=(25, 65),
        face=(65, 137),
    ),
    flip_pairs=(
        (1, 2),
        (3, 4),
        (5, 6),
        (8, 9),
        (10, 11),
        (12, 13),
        (14, 17),
        (15, 18),
        (16, 19),
        (20, 21),
        (22, 23),
    )
    + tuple(_pairs(25, 45, 20))
    + ((67, 68),)
    + tuple(_face_pairs(69)),
    named_indices=dict(root=0, lwrist=12, rwrist=13, neck=7),
)


def _smplx_137_output_idx() -> Tuple[int, ...]:
    """Row of the 144 SMPL-X layer output for each 137-set joint."""
    out = SMPLX_OUTPUT_JOINT_NAMES
    aliases = {
        'Face_1': 'Jaw',
        'Face_2': 'Head',
        'Face_3': 'L_Eye',
        'Face_4': 'R_Eye',
    }
    return tuple(
        out.index(aliases.get(name, name)) for name in _SMPLX_137_NAMES
    )


#: Row of the 144-joint SMPL-X output for every joint of SMPLX_JOINTS.
SMPLX_JOINT_OUTPUT_IDX = _smplx_137_output_idx()

#: (c) the 65-joint PositionNet set (137-set rows 0-64).
SMPLX_POS_JOINTS = JointSet(
    name='smplx_pos_65',
    joint_names=_SMPLX_137_NAMES[:65],
    parts=dict(body=(0, 25), lhand=(25, 45), rhand=(45, 65)),
    flip_pairs=tuple(p for p in SMPLX_JOINTS.flip_pairs if p[1] < 65),
    named_indices=dict(root=0, lwrist=12, rwrist=13, neck=7),
)

#: MCP joints within a 20-joint hand (Index_1, Middle_1, Ring_1, Pinky_1).
HAND_MCP_IDX = (4, 8, 12, 16)

#: SMPL-X J_regressor rows used by evaluation.
SMPLX_REGRESSOR_ROWS = dict(pelvis=0, lwrist=20, rwrist=21, neck=12)

#: Rows of the 21-joint hand regressors: either ('joint', J_regressor
#: row) or ('vertex', SMPL-X vertex id) (§3.3 (d)).
SMPLX_HAND_REGRESSOR_SOURCES = {
    side: tuple(
        [('joint', 20 if side == 'left' else 21)]
        + [
            item
            for finger, tip in zip(
                FINGERS,
                (('Thumb_4', 'Index_4', 'Middle_4', 'Ring_4', 'Pinky_4')),
            )
            for item in [
                (
                    'joint',
                    SMPLX_OUTPUT_JOINT_NAMES.index(
                        f'{side[0].upper()}_{finger}_{i}'
                    ),
                )
                for i in range(1, 4)
            ]
            + [('vertex', SMPLX_VERTEX_JOINT_IDS[f'{side[0].upper()}_{tip}'])]
        ]
    )
    for side in ('left', 'right')
}

# ------------------------------------------------------------------ SMPL
_SMPL_BODY_NAMES = (
    (
        'Pelvis',
        'L_Hip',
        'R_Hip',
        'Torso',
        'L_Knee',
        'R_Knee',
        'Spine',
        'L_Ankle',
        'R_Ankle',
        'Chest',
        'L_Foot',
        'R_Foot',
    )
    + SMPLX_BODY_NAMES[12:]
    + ('L_Hand', 'R_Hand')
)

SMPL_PARAM_JOINTS = JointSet(
    name='smpl_param_24',
    joint_names=_SMPL_BODY_NAMES,
    parts=dict(body=(0, 24)),
    flip_pairs=_BODY_FLIP_PAIRS + ((22, 23),),
    named_indices=dict(root=0),
)

#: Source of each SMPL 33-set joint: ('joint', J_regressor row) or
#: ('vertex', SMPL vertex id) (§3.4).
SMPL_JOINT_SOURCES = (
    ('Pelvis', ('joint', 0)),
    ('L_Hip', ('joint', 1)),
    ('R_Hip', ('joint', 2)),
    ('L_Knee', ('joint', 4)),
    ('R_Knee', ('joint', 5)),
    ('L_Ankle', ('joint', 7)),
    ('R_Ankle', ('joint', 8)),
    ('Neck', ('joint', 12)),
    ('L_Shoulder', ('joint', 16)),
    ('R_Shoulder', ('joint', 17)),
    ('L_Elbow', ('joint', 18)),
    ('R_Elbow', ('joint', 19)),
    ('L_Wrist', ('joint', 20)),
    ('R_Wrist', ('joint', 21)),
    ('L_Index_1', ('vertex', 2274)),
    ('L_Middle_1', ('vertex', 2270)),
    ('L_Ring_1', ('vertex', 2293)),
    ('L_Pinky_1', ('vertex', 2173)),
    ('R_Index_1', ('vertex', 5595)),
    ('R_Middle_1', ('vertex', 5675)),
    ('R_Ring_1', ('vertex', 5636)),
    ('R_Pinky_1', ('vertex', 5655)),
    ('Nose', ('vertex', 331)),
    ('L_Eye', ('vertex', 2802)),
    ('R_Eye', ('vertex', 6262)),
    ('L_Ear', ('vertex', 3489)),
    ('R_Ear', ('vertex', 3990)),
    ('L_Big_toe', ('vertex', 3292)),
    ('L_Small_toe', ('vertex', 3313)),
    ('L_Heel', ('vertex', 3468)),
    ('R_Big_toe', ('vertex', 6691)),
    ('R_Small_toe', ('vertex', 6713)),
    ('R_Heel', ('vertex', 6858)),
)

SMPL_JOINTS = JointSet(
    name='smpl_33',
    joint_names=tuple(name for name, _ in SMPL_JOINT_SOURCES),
    parts=dict(body=(0, 33)),
    flip_pairs=(
        (1, 2),
        (3, 4),
        (5, 6),
        (8, 9),
        (10, 11),
        (12, 13),
        (14, 18),
        (15, 19),
        (16, 20),
        (17, 21),
        (23, 24),
        (25, 26),
        (27, 30),
        (28, 31),
        (29, 32),
    ),
    named_indices=dict(root=0),
)

_SMPL_POS_NAMES = _SMPLX_137_NAMES[:14] + (
    'L_Big_toe',
    'L_Small_toe',
    'L_Heel',
    'R_Big_toe',
    'R_Small_toe',
    'R_Heel',
    'L_Ear',
    'R_Ear',
    'L_Eye',
    'R_Eye',
    'Nose',
)

SMPL_POS_JOINTS = JointSet(
    name='smpl_pos_25',
    joint_names=_SMPL_POS_NAMES,
    parts=dict(body=(0, 25)),
    flip_pairs=SMPLX_POS_JOINTS.flip_pairs[:11],
    named_indices=dict(root=0),
)

# ------------------------------------------------------------------ MANO
MANO_PARAM_JOINTS = JointSet(
    name='mano_param_16',
    joint_names=('Wrist',) + tuple(_param_hand_names('')),
    parts=dict(hand=(0, 16)),
    named_indices=dict(root=0),
)

#: MANO fingertip vertex ids of the 21-joint set (§3.4).
MANO_TIP_VERTEX_IDS = dict(
    Thumb_4=745, Index_4=317, Middle_4=445, Ring_4=556, Pinky_4=673
)

MANO_JOINTS = JointSet(
    name='mano_21',
    joint_names=tuple(_hand_joint_names('', with_wrist=True)),
    parts=dict(hand=(0, 21)),
    named_indices=dict(root=0),
)

# ----------------------------------------------------------------- FLAME
FLAME_JOINTS = JointSet(
    name='flame_73',
    joint_names=tuple(str(i) for i in range(73)),
    parts=dict(kinematic=(0, 5), landmarks=(5, 56), contour=(56, 73)),
    flip_pairs=((3, 4),) + tuple(_face_pairs(5)),
    named_indices=dict(root=0),
)

#: Human3.6M 17-joint set (rows of the H36M regressors, §5.4).
H36M_JOINTS = JointSet(
    name='h36m_17',
    joint_names=(
        'Pelvis',
        'R_Hip',
        'R_Knee',
        'R_Ankle',
        'L_Hip',
        'L_Knee',
        'L_Ankle',
        'Torso',
        'Neck',
        'Head',
        'Head_top',
        'L_Shoulder',
        'L_Elbow',
        'L_Wrist',
        'R_Shoulder',
        'R_Elbow',
        'R_Wrist',
    ),
    parts=dict(body=(0, 17)),
    flip_pairs=((1, 4), (2, 5), (3, 6), (14, 11), (15, 12), (16, 13)),
    named_indices=dict(root=0),
)

#: Part -> named joint its rows are expressed relative to (spec §2.14 and
#: §5.1 step 7: hands to their wrist, face to the neck).
PART_ANCHORS = dict(lhand='lwrist', rhand='rwrist', face='neck')


def anchor_indices(joint_set: JointSet) -> List[int]:
    """Per joint, the joint it is made relative to: the part anchor of
    :data:`PART_ANCHORS` where the set has that part, else the root."""
    anchors = [joint_set.named_indices['root']] * joint_set.num_joints
    for part, name in PART_ANCHORS.items():
        if part in joint_set.parts and name in joint_set.named_indices:
            for i in joint_set.part_indices(part):
                anchors[i] = joint_set.named_indices[name]
    return anchors


JOINT_SETS = {
    js.name: js
    for js in (
        SMPLX_PARAM_JOINTS,
        SMPLX_JOINTS,
        SMPLX_POS_JOINTS,
        SMPL_PARAM_JOINTS,
        SMPL_JOINTS,
        SMPL_POS_JOINTS,
        MANO_PARAM_JOINTS,
        MANO_JOINTS,
        FLAME_JOINTS,
        H36M_JOINTS,
    )
}

__all__ = [
    'SMPLX_BODY_NAMES',
    'JointSet',
    'JOINT_SETS',
    'PART_ANCHORS',
    'anchor_indices',
    'SMPLX_OUTPUT_JOINT_NAMES',
    'SMPLX_SKELETON_NAMES',
    'SMPLX_VERTEX_JOINT_IDS',
    'SMPLX_PARAM_JOINTS',
    'SMPLX_JOINTS',
    'SMPLX_JOINT_OUTPUT_IDX',
    'SMPLX_POS_JOINTS',
    'HAND_MCP_IDX',
    'SMPLX_REGRESSOR_ROWS',
    'SMPLX_HAND_REGRESSOR_SOURCES',
    'SMPL_PARAM_JOINTS',
    'SMPL_JOINT_SOURCES',
    'SMPL_JOINTS',
    'SMPL_POS_JOINTS',
    'MANO_PARAM_JOINTS',
    'MANO_TIP_VERTEX_IDS',
    'MANO_JOINTS',
    'FLAME_JOINTS',
    'H36M_JOINTS',
]
