"""Parameter layouts of the body models, as data (spec §3, §5.1).

A :class:`ParamLayout` says how a body model's fitted parameters are named
in ``gt_params``, how they split into the arguments of its layer, which
joint sets supervise it and which targets it yields. The body-model
classes carry theirs as ``param_layout``; the target generator and the
estimators read it instead of branching on the model type.
"""

from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

from .joint_sets import JOINT_SETS, JointSet

__all__ = [
    'FIT_PARAM_DIMS',
    'FLAME_LAYOUT',
    'MANO_LAYOUT',
    'PARAM_LAYOUTS',
    'SMPLX_LAYOUT',
    'SMPL_LAYOUT',
    'ParamLayout',
    'PoseBlock',
]


@dataclass(frozen=True)
class PoseBlock:
    """One block of axis-angle rotations after the root.

    Args:
        key (str): Name in ``gt_params`` (and of a split target).
        layer_arg (str): Argument of the body-model layer.
        dim (int): Size (3 x rotations).
        part (str, optional): Joint-set part of an OPTIONAL block (SMPL-X
            hands and face): used when present and ``{part}_valid`` is
            true; otherwise its rotations and joints get validity 0.
    """

    key: str
    layer_arg: str
    dim: int
    part: Optional[str] = None


@dataclass(frozen=True)
class ParamLayout:
    """How a body model's parameters and targets are laid out.

    Args:
        prefix (str): Prefix of its targets (``smplx_joint_img`` ...).
        part (str): ``'body'``, ``'hand'`` or ``'face'``: the depth range
            of its joints (SMPL-X hands and face use their own) and the
            Pose2Pose part it is the model of.
        joint_set (str): Supervision joint set (``JOINT_SETS`` key).
        position_joint_set (str, optional): Joints of the position head
            (a subset of ``joint_set`` by name); None = no position head.
        param_joint_set (str, optional): Rotation joint set (root first);
            None = no left/right rotations to swap on a flip.
        pose_blocks (tuple): :class:`PoseBlock` after the root, in the
            order of the pose vector.
        expression (bool): Has expression coefficients (``expr``).
        expression_part (str, optional): The expression is optional and
            belongs to this part (SMPL-X face); None = required.
        group_field (str): ``gt_params`` field choosing the layer
            (``'gender'``, or ``'side'`` for MANO) and ``groups`` the
            layers built when the field is fixed by the model (MANO sides).
        default_group (str): Group of a sample without the field.
        requires_trans (bool): ``trans`` must be in ``gt_params``.
        split_pose_targets (bool): Targets ``{p}_root_pose`` and one per
            block (FLAME) instead of one ``{p}_pose`` vector.
        orig_joints_target (bool): Also yield ``{p}_joint_cam_orig``.
    """

    prefix: str
    part: str
    joint_set: str
    position_joint_set: Optional[str]
    param_joint_set: Optional[str]
    pose_blocks: Tuple[PoseBlock, ...]
    expression: bool = False
    expression_part: Optional[str] = None
    group_field: str = 'gender'
    groups: Optional[Tuple[str, ...]] = None
    default_group: str = 'neutral'
    requires_trans: bool = True
    split_pose_targets: bool = False
    orig_joints_target: bool = False

    @property
    def joints(self) -> JointSet:
        """The supervision :class:`JointSet`."""
        return JOINT_SETS[self.joint_set]

    @property
    def param_names(self) -> Tuple[str, ...]:
        """Names of the body-model parameters of a prediction:
        ``root_pose``, one per pose block, ``shape`` and ``expr`` when
        the model has one (the keys of ``h4w.apis.prediction_params``
        but ``cam_trans``)."""
        names = ('root_pose', *(b.key for b in self.pose_blocks), 'shape')
        return names + (('expr',) if self.expression else ())

    @property
    def num_rotations(self) -> int:
        """Root plus the rotations of every block."""
        return 1 + sum(block.dim for block in self.pose_blocks) // 3

    def position_indices(self) -> Optional[Sequence[int]]:
        """Rows of ``joint_set`` fed to the position head (None: none)."""
        if self.position_joint_set is None:
            return None
        names = JOINT_SETS[self.position_joint_set].joint_names
        return self.joints.indices_of(names)

    def rotation_flip_permutation(self) -> Sequence[int]:
        """Rotation order after a flip (left/right swapped)."""
        if self.param_joint_set is None:
            return list(range(self.num_rotations))
        return JOINT_SETS[self.param_joint_set].flip_permutation()

    def rotation_rows(self, part: str) -> Tuple[int, int]:
        """[start, end) of ``part`` in the rotation joint set."""
        return JOINT_SETS[self.param_joint_set].parts[part]

    def split_pose(self, pose) -> Dict[str, object]:
        """Split (N, sum of block dims) rotations after the root into the
        layer arguments of the blocks."""
        out, start = {}, 0
        for block in self.pose_blocks:
            out[block.layer_arg] = pose[:, start : start + block.dim]
            start += block.dim
        return out


SMPLX_LAYOUT = ParamLayout(
    prefix='smplx',
    part='body',
    joint_set='smplx_137',
    position_joint_set='smplx_pos_65',
    param_joint_set='smplx_param_53',
    pose_blocks=(
        PoseBlock('body_pose', 'body_pose', 63),
        PoseBlock('lhand_pose', 'left_hand_pose', 45, part='lhand'),
        PoseBlock('rhand_pose', 'right_hand_pose', 45, part='rhand'),
        PoseBlock('jaw_pose', 'jaw_pose', 3, part='face'),
    ),
    expression=True,
    expression_part='face',
)

SMPL_LAYOUT = ParamLayout(
    prefix='smpl',
    part='body',
    joint_set='smpl_33',
    position_joint_set='smpl_pos_25',
    param_joint_set='smpl_param_24',
    pose_blocks=(PoseBlock('body_pose', 'body_pose', 69),),
)

MANO_LAYOUT = ParamLayout(
    prefix='mano',
    part='hand',
    joint_set='mano_21',
    position_joint_set='mano_21',
    param_joint_set='mano_param_16',
    pose_blocks=(PoseBlock('hand_pose', 'hand_pose', 45),),
    group_field='side',
    groups=('right', 'left'),
    default_group='right',
)

FLAME_LAYOUT = ParamLayout(
    prefix='flame',
    part='face',
    joint_set='flame_73',
    position_joint_set=None,
    param_joint_set=None,
    pose_blocks=(PoseBlock('jaw_pose', 'jaw_pose', 3),),
    expression=True,
    requires_trans=False,
    split_pose_targets=True,
    orig_joints_target=True,
)

#: Every layout by its prefix (the ``model_type`` of datasets and fits).
PARAM_LAYOUTS = {
    layout.prefix: layout
    for layout in (SMPLX_LAYOUT, SMPL_LAYOUT, MANO_LAYOUT, FLAME_LAYOUT)
}

#: Size of every ``gt_params`` field of a fit, per body model (what
#: synthetic fits and test batches hold; the order is their draw order).
FIT_PARAM_DIMS = dict(
    smplx=dict(
        root_pose=3,
        body_pose=63,
        shape=10,
        trans=3,
        lhand_pose=45,
        rhand_pose=45,
        jaw_pose=3,
        expr=10,
    ),
    smpl=dict(root_pose=3, body_pose=69, shape=10, trans=3),
    mano=dict(root_pose=3, hand_pose=45, shape=10, trans=3),
    flame=dict(root_pose=3, jaw_pose=3, shape=10, expr=10, trans=3),
)
