"""Skeleton and signed distance field of the procedural mannequin.

The mannequin stands in a T-pose in metres: y up, facing +z, the person's
left is +x, feet at y = -1.25, head top at y = 0.445, pelvis joint at
(0, -0.35, 0). It is mirror symmetric about x = 0, so only central and
left-side parts are described; the right side is their mirror image.
"""

from __future__ import annotations

import numpy as np

from h4w.body_models.joint_sets import SMPLX_SKELETON_NAMES

SMPLX_PARENTS = np.array(
    [
        -1,
        0,
        0,
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        9,
        9,
        12,
        13,
        14,
        16,
        17,
        18,
        19,
        15,
        15,
        15,
        20,
        25,
        26,
        20,
        28,
        29,
        20,
        31,
        32,
        20,
        34,
        35,
        20,
        37,
        38,
        21,
        40,
        41,
        21,
        43,
        44,
        21,
        46,
        47,
        21,
        49,
        50,
        21,
        52,
        53,
    ]
)
FINGERS = ('Index', 'Middle', 'Pinky', 'Ring', 'Thumb')
#: The 55 SMPL-X skeleton joints, in kinematic-tree order.
SMPLX_JOINT_NAMES = SMPLX_SKELETON_NAMES

# Left-side and central joints (metres); right joints are mirrored.
BODY_JOINTS = {
    'Pelvis': (0.0, -0.35, 0.0),
    'L_Hip': (0.07, -0.44, -0.005),
    'Spine_1': (0.0, -0.235, -0.02),
    'L_Knee': (0.1, -0.83, 0.0),
    'Spine_2': (0.0, -0.11, -0.01),
    'L_Ankle': (0.085, -1.165, -0.035),
    'Spine_3': (0.0, -0.055, 0.0),
    'L_Foot': (0.1, -1.232, 0.085),
    'Neck': (0.0, 0.14, -0.02),
    'L_Collar': (0.075, 0.06, -0.015),
    'Head': (0.0, 0.225, 0.0),
    'L_Shoulder': (0.18, 0.075, -0.025),
    'L_Elbow': (0.43, 0.065, -0.035),
    'L_Wrist': (0.68, 0.06, -0.035),
    'Jaw': (0.0, 0.245, 0.015),
    'L_Eye': (0.032, 0.298, 0.08),
}
# Left hand, relative to the wrist: knuckle offset, splay angle about y
# (towards +z), phalanx lengths and radii at the joints and the tip.
FINGER_LAYOUT = {
    'Index': (
        (0.09, 0.003, 0.025),
        0.12,
        (0.04, 0.025, 0.022),
        (0.0092, 0.0085, 0.0077, 0.007),
    ),
    'Middle': (
        (0.094, 0.004, 0.005),
        0.0,
        (0.045, 0.028, 0.024),
        (0.0095, 0.0087, 0.0079, 0.0072),
    ),
    'Pinky': (
        (0.08, -0.001, -0.031),
        -0.24,
        (0.033, 0.021, 0.02),
        (0.0081, 0.0075, 0.0068, 0.0062),
    ),
    'Ring': (
        (0.089, 0.002, -0.014),
        -0.12,
        (0.042, 0.027, 0.022),
        (0.009, 0.0083, 0.0076, 0.0069),
    ),
}
THUMB_POINTS = (
    (0.025, -0.012, 0.018),
    (0.05, -0.02, 0.045),
    (0.074, -0.024, 0.062),
    (0.095, -0.026, 0.075),
)
THUMB_RADII = (0.012, 0.0105, 0.0095, 0.0085)
HEAD_TOP = (0.0, 0.445, -0.01)
CHIN = (0.0, 0.172, 0.075)
TOE_TIP = (0.105, -1.232, 0.16)


def mirror_point(point) -> np.ndarray:
    """Mirror image (3,) of a point about the plane x = 0."""
    return np.asarray(point, float) * np.array([-1.0, 1.0, 1.0])


def left_hand_points() -> dict[str, np.ndarray]:
    """Left finger joints and tips in metres.

    Returns:
        Mapping from 'Index_1' .. 'Thumb_3' and 'Index_tip' .. 'Thumb_tip'
        to (3,) positions.
    """
    wrist = np.array(BODY_JOINTS['L_Wrist'])
    points = {}
    for finger, (base, angle, lengths, _) in FINGER_LAYOUT.items():
        direction = np.array([np.cos(angle), -0.03, np.sin(angle)])
        direction /= np.linalg.norm(direction)
        point = wrist + base
        for k, length in enumerate(lengths, start=1):
            points[f'{finger}_{k}'] = point
            point = point + length * direction
        points[f'{finger}_tip'] = point
    for k, offset in enumerate(THUMB_POINTS[:3], start=1):
        points[f'Thumb_{k}'] = wrist + offset
    points['Thumb_tip'] = wrist + THUMB_POINTS[3]
    return points


def smplx_joints() -> np.ndarray:
    """Designed SMPL-X T-pose joint positions (55, 3) of the neutral body."""
    hand = left_hand_points()
    joints = np.zeros((55, 3))
    for i, name in enumerate(SMPLX_JOINT_NAMES):
        side, _, rest = name.partition('_')
        key = 'L_' + rest if side == 'R' else name
        if key in BODY_JOINTS:
            point = np.array(BODY_JOINTS[key])
        else:
            point = hand[rest]
        joints[i] = mirror_point(point) if side == 'R' else point
    return joints


# ---------------------------------------------------------------------------
# Signed distance primitives, all vectorised over points (N, 3).


def _ellipsoid(p, centre, radii):
    q = (p - centre) / radii
    k0 = np.linalg.norm(q, axis=1)
    k1 = np.linalg.norm(q / radii, axis=1)
    return k0 * (k0 - 1.0) / np.maximum(k1, 1e-9)


def _round_cone(p, a, b, r1, r2):
    a, b = np.asarray(a, float), np.asarray(b, float)
    ba = b - a
    l2 = ba @ ba
    rr = r1 - r2
    a2 = l2 - rr * rr
    pa = p - a
    y = pa @ ba
    z = y - l2
    x2 = np.sum((pa * l2 - y[:, None] * ba) ** 2, axis=1)
    y2, z2 = y * y * l2, z * z * l2
    k = np.sign(rr) * rr * rr * x2
    tip = np.sqrt(x2 + z2) / l2 - r2
    base = np.sqrt(x2 + y2) / l2 - r1
    side = (np.sqrt(x2 * a2 / l2) + y * rr) / l2 - r1
    return np.where(
        np.sign(z) * a2 * z2 > k,
        tip,
        np.where(np.sign(y) * a2 * y2 < k, base, side),
    )


def _round_box(p, centre, half, radius):
    q = np.abs(p - centre) - half
    outside = np.linalg.norm(np.maximum(q, 0.0), axis=1)
    return outside + np.minimum(q.max(axis=1), 0.0) - radius


def _flat_cone(p, a, b, r1, r2, y_level, y_scale):
    """Round cone squashed vertically by ``y_scale`` about ``y_level``."""
    q = p.copy()
    q[:, 1] = y_level + (q[:, 1] - y_level) / y_scale
    return _round_cone(q, a, b, r1, r2) * y_scale


def smooth_min(a, b, k):
    """Polynomial smooth minimum; the hard minimum when ``k == 0``."""
    if k <= 0:
        return np.minimum(a, b)
    h = np.maximum(k - np.abs(a - b), 0.0) / k
    return np.minimum(a, b) - h * h * k / 4.0


class _Group:
    """Primitives combined in order; each step is (kind, params, k, sign)."""

    def __init__(self, steps, join_k):
        self.steps = steps
        self.join_k = join_k
        lo, hi = self._bounds()
        self.lo, self.hi = lo - 0.06, hi + 0.06

    def _bounds(self):
        boxes = []
        for kind, params, _, _ in self.steps:
            if kind == 'ellipsoid':
                c, r = np.array(params[0]), np.array(params[1])
                boxes += [c - r, c + r]
            elif kind == 'box':
                c, h, r = np.array(params[0]), np.array(params[1]), params[2]
                boxes += [c - h - r, c + h + r]
            else:
                a, b, r1, r2 = params[:4]
                r = max(r1, r2)
                boxes += [np.minimum(a, b) - r, np.maximum(a, b) + r]
        boxes = np.array(boxes)
        return boxes.min(axis=0), boxes.max(axis=0)

    def __call__(self, p):
        value = None
        for kind, params, k, sign in self.steps:
            d = _PRIMITIVES[kind](p, *params)
            if value is None:
                value = d
            elif sign > 0:
                value = smooth_min(value, d, k)
            else:
                value = -smooth_min(-value, d, k)
        return value


_PRIMITIVES = {
    'ellipsoid': _ellipsoid,
    'cone': _round_cone,
    'box': _round_box,
    'flat': _flat_cone,
}


def _hand_steps() -> list:
    wrist = np.array(BODY_JOINTS['L_Wrist'])
    hand = left_hand_points()
    steps = [
        (
            'box',
            (wrist + (0.047, 0.0, -0.003), (0.035, 0.004, 0.028), 0.015),
            0,
            1,
        ),
        (
            'ellipsoid',
            (wrist + (0.035, -0.008, 0.02), (0.03, 0.014, 0.018)),
            0.01,
            1,
        ),
    ]
    for finger, (_, _, _, radii) in FINGER_LAYOUT.items():
        names = [f'{finger}_{k}' for k in (1, 2, 3)] + [f'{finger}_tip']
        for k in range(3):
            steps.append(
                (
                    'cone',
                    (
                        hand[names[k]],
                        hand[names[k + 1]],
                        radii[k],
                        radii[k + 1],
                    ),
                    0.006 if k == 0 else 0.0,
                    1,
                )
            )
    thumb = [wrist + np.array(t) for t in THUMB_POINTS]
    for k in range(3):
        steps.append(
            (
                'cone',
                (thumb[k], thumb[k + 1], THUMB_RADII[k], THUMB_RADII[k + 1]),
                0.006,
                1,
            )
        )
    return steps


def _head_steps() -> list:
    return [
        ('ellipsoid', ((0.0, 0.335, -0.008), (0.077, 0.11, 0.098)), 0, 1),
        ('ellipsoid', ((0.0, 0.265, 0.028), (0.064, 0.085, 0.074)), 0.03, 1),
        ('ellipsoid', ((0.0, 0.205, 0.04), (0.047, 0.042, 0.055)), 0.03, 1),
        (
            'cone',
            ((0.0, 0.305, 0.092), (0.0, 0.262, 0.113), 0.008, 0.012),
            0.012,
            1,
        ),
        ('ellipsoid', ((0.077, 0.29, -0.01), (0.014, 0.03, 0.018)), 0.008, 1),
        (
            'cone',
            ((0.01, 0.318, 0.086), (0.05, 0.316, 0.07), 0.006, 0.005),
            0.012,
            1,
        ),
        (
            'cone',
            ((0.0, 0.228, 0.094), (0.022, 0.229, 0.085), 0.0075, 0.0075),
            0.008,
            1,
        ),
        ('ellipsoid', ((0.032, 0.299, 0.1), (0.018, 0.012, 0.014)), 0.01, -1),
    ]


def _groups() -> list[_Group]:
    torso = [
        ('ellipsoid', ((0.0, -0.38, -0.01), (0.16, 0.12, 0.11)), 0, 1),
        ('ellipsoid', ((0.0, -0.21, 0.005), (0.135, 0.15, 0.1)), 0.05, 1),
        ('ellipsoid', ((0.0, -0.03, 0.0), (0.15, 0.15, 0.105)), 0.05, 1),
        (
            'cone',
            ((0.0, 0.065, -0.025), (0.17, 0.085, -0.025), 0.055, 0.055),
            0.05,
            1,
        ),
        ('ellipsoid', ((0.065, -0.43, -0.055), (0.08, 0.085, 0.075)), 0.05, 1),
        ('ellipsoid', ((0.065, 0.0, 0.055), (0.065, 0.055, 0.05)), 0.04, 1),
        (
            'cone',
            ((0.0, 0.07, -0.02), (0.0, 0.245, -0.005), 0.06, 0.05),
            0.04,
            1,
        ),
    ]
    arm = [
        ('ellipsoid', ((0.19, 0.078, -0.025), (0.06, 0.052, 0.05)), 0, 1),
        (
            'cone',
            ((0.17, 0.075, -0.025), (0.43, 0.065, -0.035), 0.048, 0.036),
            0.02,
            1,
        ),
        (
            'cone',
            ((0.43, 0.065, -0.035), (0.675, 0.06, -0.035), 0.037, 0.026),
            0.02,
            1,
        ),
    ]
    leg = [
        (
            'cone',
            ((0.085, -0.4, -0.005), (0.1, -0.83, 0.0), 0.085, 0.052),
            0,
            1,
        ),
        (
            'cone',
            ((0.1, -0.83, 0.0), (0.085, -1.165, -0.035), 0.05, 0.034),
            0.02,
            1,
        ),
        ('ellipsoid', ((0.097, -0.95, -0.03), (0.047, 0.11, 0.05)), 0.03, 1),
        (
            'flat',
            (
                (0.085, -1.21, -0.05),
                (0.102, -1.223, 0.135),
                0.04,
                0.027,
                -1.215,
                0.75,
            ),
            0.03,
            1,
        ),
    ]
    return [
        _Group(torso, 0),
        _Group(_head_steps(), 0.03),
        _Group(arm, 0.035),
        _Group(_hand_steps(), 0.015),
        _Group(leg, 0.04),
    ]


class BodySDF:
    """Signed distance field (negative inside) of the mannequin surface."""

    def __init__(self) -> None:
        self.groups = _groups()

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Signed distances (N,) of points (N, 3)."""
        p = np.array(points, float)
        p[:, 0] = np.abs(p[:, 0])
        value = None
        for group in self.groups:
            inside = np.all((p > group.lo) & (p < group.hi), axis=1)
            d = np.full(len(p), 0.06)
            if inside.any():
                d[inside] = group(p[inside])
            value = d if value is None else smooth_min(value, d, group.join_k)
        return value

    def value_and_gradient(
        self, points: np.ndarray, step: float = 2e-4
    ) -> tuple[np.ndarray, np.ndarray]:
        """Distances (N,) and gradients (N, 3) by tetrahedral differences."""
        corners = np.array(
            [[1, -1, -1], [-1, -1, 1], [-1, 1, -1], [1, 1, 1]], float
        )
        samples = points[None] + step * corners[:, None]
        values = self(samples.reshape(-1, 3)).reshape(4, -1)
        grad = np.einsum('kn,kd->nd', values, corners) / (4 * step)
        return values.mean(axis=0), grad

    def project(
        self, points: np.ndarray, iters: int = 2, max_step: float = 0.02
    ) -> np.ndarray:
        """Moves points onto the zero level set by damped Newton steps."""
        p = np.array(points, float)
        for _ in range(iters):
            value, grad = self.value_and_gradient(p)
            move = (
                value[:, None]
                * grad
                / np.maximum(np.sum(grad * grad, axis=1, keepdims=True), 1e-12)
            )
            norm = np.linalg.norm(move, axis=1, keepdims=True)
            p -= move * np.minimum(1.0, max_step / np.maximum(norm, 1e-12))
        return p
