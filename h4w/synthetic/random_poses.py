"""Random SMPL-X poses, shapes and expressions for rendered training data.

Poses are sampled per joint from plausible ranges of angles, each side
on its own (left and right arms, legs, hands differ), so that the pose
is varied and left and right can be told apart. Angles are given for the
left side in the SMPL-X model frame (x: the person's left, y: up, z:
forward; rest pose: T-pose); the right side uses the mirrored rotation.
"""

from typing import Dict, Sequence, Tuple

import cv2
import numpy as np

from .synthetic_people import rodrigues

__all__ = ['random_smplx_params', 'upright_orient']

Range = Tuple[float, float]

#: Body joints (rows of SMPL-X ``body_pose``).
BODY_JOINTS = dict(
    hip=(0, 1),
    spine1=2,
    knee=(3, 4),
    spine2=5,
    ankle=(6, 7),
    spine3=8,
    foot=(9, 10),
    neck=11,
    collar=(12, 13),
    head=14,
    shoulder=(15, 16),
    elbow=(17, 18),
    wrist=(19, 20),
)

#: Left-side angle ranges (degrees) about x, y, z, composed in the
#: order of :data:`ORDERS` (shoulder: elevation about z, then swing about
#: the vertical y, so arms can be raised, lowered, brought forward and
#: crossed in front; hip: abduction about z, then flexion about x).
LIMB_RANGES: Dict[str, Tuple[Range, Range, Range]] = dict(
    collar=((-5, 5), (-15, 10), (-10, 20)),
    shoulder=((-60, 60), (-110, 30), (-80, 60)),
    elbow=((-20, 20), (-140, 0), (-5, 5)),
    wrist=((-60, 60), (-30, 30), (-50, 50)),
    ankle=((-30, 30), (-10, 10), (-15, 15)),
    foot=((-15, 15), (-5, 5), (-5, 5)),
)
#: Legs: a standing stance (most samples) or a free one (sitting,
#: kicking, kneeling), chosen per leg.
LEG_RANGES = dict(
    standing=dict(
        hip=((-35, 20), (-20, 20), (-10, 30)), knee=((0, 40), (-5, 5), (0, 0))
    ),
    free=dict(
        hip=((-110, 30), (-30, 30), (-15, 45)),
        knee=((0, 130), (-10, 10), (0, 0)),
    ),
)
STANDING_PROB = 0.6
#: Centre joints: forward bend (x), twist (y), side bend (z).
CENTRE_RANGES: Dict[str, Tuple[Range, Range, Range]] = dict(
    spine1=((-10, 25), (-20, 20), (-12, 12)),
    spine2=((-10, 20), (-20, 20), (-12, 12)),
    spine3=((-10, 20), (-20, 20), (-12, 12)),
    neck=((-20, 30), (-35, 35), (-20, 20)),
    head=((-20, 25), (-35, 35), (-15, 15)),
)
#: Euler order per joint: rotation matrices multiplied left to right.
ORDERS = dict(shoulder='yzx', hip='xzy')
DEFAULT_ORDER = 'zyx'

#: Finger joints (MCP, PIP, DIP) full-curl angles (degrees) about the
#: left hand's z (towards the palm); thumb smaller. Rows of the 45-D
#: hand pose: index, middle, pinky, ring, thumb, 3 joints each.
CURL = (75.0, 95.0, 65.0)
THUMB_CURL = (35.0, 45.0, 50.0)
FINGER_SPREAD = 12.0
#: Jaw opening (radians, about x), betas / expression bound (std 1).
JAW_OPEN = (0.0, 0.45)
COEFF_LIMIT = 2.5
#: Root: yaw about the vertical and tilt bound (degrees).
MAX_YAW = 60.0
MAX_TILT = 8.0
#: Model frame (y up, facing +z) -> camera frame (y down, facing the
#: camera): pi about x.
MODEL_TO_CAMERA = np.diag([1.0, -1.0, -1.0])
#: Mirror of a left-side axis-angle to the right side (x = 0 plane).
MIRROR = np.array([1.0, -1.0, -1.0])


def _axis(name: str, degrees: float) -> np.ndarray:
    vec = np.zeros(3)
    vec['xyz'.index(name)] = np.deg2rad(degrees)
    return rodrigues(vec)


def _axis_angle(mat: np.ndarray) -> np.ndarray:
    """Rotation matrix (3, 3) -> axis-angle (3,) float64."""
    return cv2.Rodrigues(np.asarray(mat, np.float64))[0].reshape(3)


def _euler(angles: Sequence[float], order: str) -> np.ndarray:
    """Axis-angle (3,) of the rotations about x, y, z (``angles``,
    degrees) multiplied in ``order``."""
    mat = np.eye(3)
    for name in order:
        mat = mat @ _axis(name, angles['xyz'.index(name)])
    return _axis_angle(mat)


def _sample(rng: np.random.Generator, ranges) -> np.ndarray:
    lo, hi = np.asarray(ranges, dtype=np.float64).T
    return rng.uniform(lo, hi)


def _body_pose(rng: np.random.Generator) -> np.ndarray:
    """(63,) body pose: sides sampled independently."""
    pose = np.zeros((21, 3))
    for name, ranges in CENTRE_RANGES.items():
        pose[BODY_JOINTS[name]] = _euler(_sample(rng, ranges), DEFAULT_ORDER)
    for side in (0, 1):
        stance = 'standing' if rng.random() < STANDING_PROB else 'free'
        ranges = dict(LIMB_RANGES, **LEG_RANGES[stance])
        for name in ('hip', 'knee', *LIMB_RANGES):
            order = ORDERS.get(name, DEFAULT_ORDER)
            rot = _euler(_sample(rng, ranges[name]), order)
            pose[BODY_JOINTS[name][side]] = rot * (MIRROR if side else 1)
    return pose.reshape(-1)


def _hand_pose(rng: np.random.Generator, side: int) -> np.ndarray:
    """(45,) offsets from the mean hand: a random curl per finger (a
    little over-extension to a fist), a random spread."""
    pose = np.zeros((5, 3, 3))
    for finger in range(5):
        curl = rng.uniform(-0.15, 1.0)
        full = THUMB_CURL if finger == 4 else CURL
        spread = rng.uniform(-FINGER_SPREAD, FINGER_SPREAD)
        for joint in range(3):
            angles = (
                rng.normal(0, 5),
                spread if joint == 0 else 0.0,
                -curl * full[joint] + rng.normal(0, 5),
            )
            rot = _euler(angles, DEFAULT_ORDER)
            pose[finger, joint] = rot * (MIRROR if side else 1)
    return pose.reshape(-1)


def upright_orient(yaw: float, tilt: Sequence[float] = (0, 0)) -> np.ndarray:
    """Global orientation (3,) axis-angle of an upright person seen by an
    OpenCV camera, turned by ``yaw`` degrees about the vertical (0: facing
    the camera) and tilted by (about x, about z) degrees."""
    mat = _axis('x', tilt[0]) @ _axis('z', tilt[1]) @ _axis('y', yaw)
    return _axis_angle(mat @ MODEL_TO_CAMERA)


def random_smplx_params(rng: np.random.Generator) -> Dict[str, np.ndarray]:
    """A random SMPL-X person: pose, shape, expression and orientation.

    Args:
        rng (np.random.Generator): Source of randomness.

    Returns:
        dict: SMPL-X layer arguments, float32: ``global_orient`` (3,)
        (upright, yaw within +-:data:`MAX_YAW` degrees of facing the
        camera, camera frame), ``body_pose`` (63,), ``left_hand_pose`` /
        ``right_hand_pose`` (45,) (offsets from the mean hand),
        ``jaw_pose`` (3,), ``betas`` (10,), ``expression`` (10,). Eye
        poses and translation are left out (zero).
    """
    yaw = rng.uniform(-MAX_YAW, MAX_YAW)
    tilt = rng.uniform(-MAX_TILT, MAX_TILT, 2)
    jaw = np.array(
        [rng.uniform(*JAW_OPEN), rng.normal(0, 0.05), rng.normal(0, 0.05)]
    )
    params = dict(
        global_orient=upright_orient(yaw, tilt),
        body_pose=_body_pose(rng),
        left_hand_pose=_hand_pose(rng, 0),
        right_hand_pose=_hand_pose(rng, 1),
        jaw_pose=jaw,
        betas=np.clip(rng.standard_normal(10), -COEFF_LIMIT, COEFF_LIMIT),
        expression=np.clip(rng.standard_normal(10), -COEFF_LIMIT, COEFF_LIMIT),
    )
    return {k: v.astype(np.float32) for k, v in params.items()}
