"""Facial landmarks and fixed vertex ids of the procedural mannequin.

Landmarks follow the 68-point iBUG layout: points 17-67 (brows, nose, eyes,
mouth) are static, points 0-16 (jaw contour) depend on the head yaw through
79 bins, indexed like :func:`smplx.lbs.find_dynamic_lmk_idx_and_bcoords`:
bin ``b`` holds yaw ``b`` degrees for ``b <= 39`` and ``39 - b`` degrees
otherwise, so bin 0 is frontal.
"""

from __future__ import annotations

import numpy as np

from .humanoid import (
    BODY_JOINTS,
    FINGER_LAYOUT,
    THUMB_POINTS,
    THUMB_RADII,
    BodySDF,
    left_hand_points,
    mirror_point,
)

# iBUG points 17-67 seen from the front: (x, y) with x to the person's left.
_RIGHT_BROW = (
    (-0.052, 0.313),
    (-0.043, 0.319),
    (-0.032, 0.321),
    (-0.021, 0.32),
    (-0.01, 0.316),
)
_NOSE = (
    (0.0, 0.302),
    (0.0, 0.29),
    (0.0, 0.278),
    (0.0, 0.266),
    (-0.012, 0.256),
    (-0.006, 0.254),
    (0.0, 0.253),
    (0.006, 0.254),
    (0.012, 0.256),
)
_RIGHT_EYE = (
    (-0.047, 0.298),
    (-0.037, 0.304),
    (-0.027, 0.304),
    (-0.017, 0.297),
    (-0.027, 0.293),
    (-0.037, 0.293),
)
_LEFT_EYE = (
    (0.017, 0.297),
    (0.027, 0.304),
    (0.037, 0.304),
    (0.047, 0.298),
    (0.037, 0.293),
    (0.027, 0.293),
)
_MOUTH = (
    (-0.024, 0.229),
    (-0.015, 0.234),
    (-0.006, 0.237),
    (0.0, 0.236),
    (0.006, 0.237),
    (0.015, 0.234),
    (0.024, 0.229),
    (0.015, 0.222),
    (0.006, 0.219),
    (0.0, 0.218),
    (-0.006, 0.219),
    (-0.015, 0.222),
    (-0.02, 0.229),
    (-0.007, 0.231),
    (0.0, 0.231),
    (0.007, 0.231),
    (0.02, 0.229),
    (0.007, 0.227),
    (0.0, 0.227),
    (-0.007, 0.227),
)
STATIC_XY = np.array(
    _RIGHT_BROW
    + tuple((-x, y) for x, y in _RIGHT_BROW[::-1])
    + _NOSE
    + _RIGHT_EYE
    + _LEFT_EYE
    + _MOUTH
)
NUM_YAW_BINS = 79
_JAW_CENTRE = np.array([0.0, 0.255, 0.01])


def _surface_along(
    sdf: BodySDF,
    origin: np.ndarray,
    direction: np.ndarray,
    length: float,
    inward: bool,
) -> np.ndarray:
    """First zero crossing of the SDF along rays (N, 3).

    Rays march from ``origin`` (outside when ``inward``, inside
    otherwise) in 1 mm steps, then bisect.
    """
    steps = np.arange(0.0, length, 1e-3)
    pts = origin[:, None] + steps[None, :, None] * direction[:, None]
    values = sdf(pts.reshape(-1, 3)).reshape(len(origin), len(steps))
    crossed = values < 0 if inward else values > 0
    hit = np.argmax(crossed, axis=1)
    lo, hi = steps[np.maximum(hit - 1, 0)], steps[hit]
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        value = sdf(origin + mid[:, None] * direction)
        past = value < 0 if inward else value > 0
        lo, hi = np.where(past, lo, mid), np.where(past, mid, hi)
    return origin + hi[:, None] * direction


def static_landmarks(sdf: BodySDF) -> np.ndarray:
    """3D positions (51, 3) of iBUG landmarks 17-67 on the face."""
    origin = np.column_stack([STATIC_XY, np.full(len(STATIC_XY), 0.25)])
    direction = np.tile([0.0, 0.0, -1.0], (len(origin), 1))
    return _surface_along(sdf, origin, direction, 0.2, inward=True)


def yaw_of_bin(index: np.ndarray) -> np.ndarray:
    """Head yaw in degrees of each dynamic landmark bin."""
    index = np.asarray(index)
    return np.where(index <= 39, index, 39 - index).astype(float)


def contour_landmarks(sdf: BodySDF) -> np.ndarray:
    """3D jaw contour points (79, 17, 3) for every yaw bin.

    Contour point ``k`` sweeps from the person's right ear (0) over the
    chin (8) to the left ear (16); points that would turn away from the
    camera slide to the silhouette of the yawed head.
    """
    psi = np.linspace(-90.0, 90.0, 17)
    elevation = np.radians(10.0 + 50.0 * (1 - np.abs(psi) / 90.0))
    # smplx's yaw is minus the head rotation angle about +y.
    rotation = -yaw_of_bin(np.arange(NUM_YAW_BINS))
    azimuth = np.clip(psi[None] + rotation[:, None], -80.0, 80.0)
    azimuth = np.radians(azimuth - rotation[:, None])
    elevation = np.broadcast_to(elevation, azimuth.shape)
    direction = np.stack(
        [
            np.sin(azimuth) * np.cos(elevation),
            -np.sin(elevation),
            np.cos(azimuth) * np.cos(elevation),
        ],
        axis=-1,
    )
    origin = np.broadcast_to(_JAW_CENTRE, direction.shape)
    points = _surface_along(
        sdf, origin.reshape(-1, 3), direction.reshape(-1, 3), 0.2, inward=False
    )
    return points.reshape(NUM_YAW_BINS, 17, 3)


def _finger_tips() -> dict[str, np.ndarray]:
    """Surface points (3,) at the left finger tips."""
    hand = left_hand_points()
    tips = {}
    for finger, (_, _, _, radii) in FINGER_LAYOUT.items():
        axis = hand[f'{finger}_tip'] - hand[f'{finger}_3']
        tips[finger] = hand[f'{finger}_tip'] + radii[
            3
        ] * axis / np.linalg.norm(axis)
    wrist = np.array(BODY_JOINTS['L_Wrist'])
    axis = np.subtract(THUMB_POINTS[3], THUMB_POINTS[2])
    tips['Thumb'] = (
        wrist
        + THUMB_POINTS[3]
        + THUMB_RADII[3] * axis / (np.linalg.norm(axis))
    )
    return tips


def _left_places() -> dict[str, np.ndarray]:
    """Named left-side landmark places in the SMPL-X frame."""
    hand = left_hand_points()
    places = {f'{k.lower()}_tip': v for k, v in _finger_tips().items()}
    places.update(
        {
            'eye': np.array([0.032, 0.299, 0.09]),
            'ear': np.array([0.092, 0.29, -0.01]),
            'big_toe': np.array([0.078, -1.232, 0.155]),
            'small_toe': np.array([0.125, -1.235, 0.12]),
            'heel': np.array([0.085, -1.232, -0.075]),
        }
    )
    for finger in ('Index', 'Middle', 'Ring', 'Pinky'):
        radius = FINGER_LAYOUT[finger][3][0]
        places[f'{finger.lower()}_knuckle'] = hand[f'{finger}_1'] + (
            0.0,
            radius,
            0.0,
        )
    return places


# (left id, right id, place) of vertices that must sit at named places;
# several ids may share a place and then take neighbouring vertices.
SMPLX_PAIRED = (
    (9448, 9929, 'eye'),
    (6, 616, 'ear'),
    (5770, 8463, 'big_toe'),
    (5780, 8474, 'small_toe'),
    (8846, 8635, 'heel'),
    (5361, 8079, 'thumb_tip'),
    (4933, 7669, 'index_tip'),
    (5058, 7794, 'middle_tip'),
    (5169, 7905, 'ring_tip'),
    (5286, 8022, 'pinky_tip'),
)
SMPLX_CENTRAL = ((9120, 'nose'),)
SMPL_PAIRED = (
    (2800, 6260, 'eye'),
    (2802, 6262, 'eye'),
    (583, 4071, 'ear'),
    (3489, 3990, 'ear'),
    (2746, 6191, 'thumb_tip'),
    (2319, 5782, 'index_tip'),
    (2445, 5905, 'middle_tip'),
    (2556, 6016, 'ring_tip'),
    (2673, 6133, 'pinky_tip'),
    (3216, 6617, 'big_toe'),
    (3292, 6691, 'big_toe'),
    (3226, 6624, 'small_toe'),
    (3313, 6713, 'small_toe'),
    (3387, 6787, 'heel'),
    (3468, 6858, 'heel'),
    (2274, 5595, 'index_knuckle'),
    (2270, 5675, 'middle_knuckle'),
    (2293, 5636, 'ring_knuckle'),
    (2173, 5655, 'pinky_knuckle'),
)
SMPL_CENTRAL = ((331, 'nose'), (332, 'nose'))


def fixed_id_order(
    verts: np.ndarray, mirror: np.ndarray, paired, central, nose: np.ndarray
) -> np.ndarray:
    """Vertex order placing the fixed ids at their landmarks.

    Args:
        verts: Positions (V, 3) of a mirror-symmetric mesh.
        mirror: Mirror vertex map (V,).
        paired: ``(left_id, right_id, place)`` triples.
        central: ``(id, place)`` pairs on the symmetry plane.
        nose: Position (3,) of the nose tip.

    Returns:
        ``order`` (V,) such that new vertex ``i`` is old vertex
        ``order[i]``; every fixed id is the nearest free vertex to its
        place, and left ids are the mirrors of right ids.
    """
    places = _left_places()
    places['nose'] = nose
    taken = np.zeros(len(verts), bool)
    order = np.full(len(verts), -1)
    on_plane = mirror == np.arange(len(verts))

    def nearest(point, mask):
        dist = np.linalg.norm(verts - point, axis=1)
        return int(np.argmin(np.where(mask, dist, np.inf)))

    for new_id, place in central:
        old = nearest(places[place], on_plane & ~taken)
        order[new_id], taken[old] = old, True
    for left_id, right_id, place in paired:
        free = ~taken & ~taken[mirror] & ~on_plane
        old = nearest(mirror_point(places[place]), free)
        order[right_id], order[left_id] = old, mirror[old]
        taken[[old, mirror[old]]] = True
    order[order < 0] = np.flatnonzero(~taken)
    return order
