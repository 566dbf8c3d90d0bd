"""Parameters of the synthetic SMPL-X, SMPL, MANO and FLAME models.

Every function returns plain numpy data laid out like the official model
files (names, shapes, dtypes); :mod:`.synthetic_human_models` writes them.
MANO and FLAME are cut from the neutral SMPL-X mesh (its right hand and
head), as in the official releases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import body_mesh, landmarks, rigging
from .body_mesh import HEAD_REGION, L_HAND
from .humanoid import (
    CHIN,
    FINGERS,
    HEAD_TOP,
    SMPLX_JOINT_NAMES,
    SMPLX_PARENTS,
    TOE_TIP,
    BodySDF,
    left_hand_points,
    smplx_joints,
)
from .mesh_ops import MIRROR, edge_table, neighbour_mean, vertex_normals

SMPLX_TARGETS = np.array([3896, 5023, 778, 778])
SMPLX_LOOPS = {HEAD_REGION: 30, L_HAND: 16}
SMPL_TARGETS = np.array([4750, 1300, 420, 420])
SMPL_SHIFT = np.array([0.0, 0.13, 0.0])
EYE_STRIP_FACES = 19
NUM_HAND_POSES = 1554
NUM_UV = 11313
J14_NAMES = (
    'R_Ankle',
    'R_Knee',
    'R_Hip',
    'L_Hip',
    'L_Knee',
    'L_Ankle',
    'R_Wrist',
    'R_Elbow',
    'R_Shoulder',
    'L_Shoulder',
    'L_Elbow',
    'L_Wrist',
    'Neck',
    'Head',
)
H36M_NAMES = (
    'Pelvis',
    'R_Hip',
    'R_Knee',
    'R_Ankle',
    'L_Hip',
    'L_Knee',
    'L_Ankle',
    'Torso',
    'Neck',
    'Nose',
    'Head',
    'L_Shoulder',
    'L_Elbow',
    'L_Wrist',
    'R_Shoulder',
    'R_Elbow',
    'R_Wrist',
)
FINGER_CHAIN_NAMES = {
    10: 'Index',
    12: 'Middle',
    14: 'Ring',
    16: 'Pinky',
    8: 'Thumb',
}
HAND_ORDER = ('Index', 'Middle', 'Pinky', 'Ring', 'Thumb')
# MANO tip vertex ids (smplx's and the extra ones) in MANO order.
MANO_TIPS = {
    'Thumb': (744, 745),
    'Index': (320, 317),
    'Middle': (443, 445),
    'Ring': (554, 556),
    'Pinky': (671, 673),
}
CHAIN_SIGMA = np.array(
    [0.03, 0.03, 0.025, 0.025, 0.035, 0.035] + [0.012] * 2 + [0.006] * 10
)
GENDER_SCALE = {
    'neutral': (1.0, 1.0),
    'male': (1.04, 1.06),
    'female': (0.96, 0.95),
}


@dataclass
class Mesh:
    """A mesh with its mirror map and per-face body chains."""

    verts: np.ndarray
    faces: np.ndarray
    chains: np.ndarray
    mirror: np.ndarray


def name_index(names) -> dict[str, int]:
    return {name: i for i, name in enumerate(names)}


SMPLX_INDEX = name_index(SMPLX_JOINT_NAMES)


def _mirror_joint(name: str) -> str:
    side, _, rest = name.partition('_')
    return (
        {'L': 'R_', 'R': 'L_'}.get(side, side + '_') + rest if rest else name
    )


def _chain_joints(
    names: dict[str, int], hand_joint: str | None
) -> list[list[int]]:
    """Candidate joints of each body chain (left chains, right = +1)."""

    def side(keys, left):
        return [
            names[k if left else _mirror_joint(k)]
            for k in keys
            if (k if left else _mirror_joint(k)) in names
        ]

    trunk = [
        names[k]
        for k in (
            'Pelvis',
            'Spine_1',
            'Spine_2',
            'Spine_3',
            'Neck',
            'L_Collar',
            'R_Collar',
            'L_Hip',
            'R_Hip',
            'L_Shoulder',
            'R_Shoulder',
        )
    ]
    table = [trunk, [names[k] for k in ('Spine_3', 'Neck', 'Head')]]
    for keys in (
        ('Spine_3', 'L_Collar', 'L_Shoulder', 'L_Elbow', 'L_Wrist'),
        ('Pelvis', 'L_Hip', 'L_Knee', 'L_Ankle', 'L_Foot'),
        ('L_Elbow', 'L_Wrist') + tuple(f'L_{f}_1' for f in HAND_ORDER),
    ):
        table += [side(keys, True), side(keys, False)]
    for chain in (8, 10, 12, 14, 16):
        finger = FINGER_CHAIN_NAMES[chain]
        keys = ('L_Wrist',) + tuple(f'L_{finger}_{k}' for k in (1, 2, 3))
        table += [side(keys, True), side(keys, False)]
    if hand_joint:
        for chain, row in enumerate(table[6:], start=6):
            row.append(
                names[
                    hand_joint if chain % 2 == 0 else _mirror_joint(hand_joint)
                ]
            )
    return table


def bone_ends(
    joints: np.ndarray, names: dict[str, int], parents: np.ndarray
) -> np.ndarray:
    """End point (J, 3) of the bone driven by each joint."""
    hand = left_hand_points()
    special = {
        'Pelvis': (0.0, -0.45, -0.005),
        'Head': (0.0, 0.36, 0.0),
        'Jaw': CHIN,
        'L_Foot': TOE_TIP,
        'L_Hand': hand['Middle_tip'],
    }
    ends = joints.copy()
    for name, j in names.items():
        children = np.flatnonzero(parents == j)
        key = name if name[:2] != 'R_' else _mirror_joint(name)
        finger = key[2:-2] if key[2:-2] in FINGERS else None
        if key in special:
            point = np.asarray(special[key], float)
            ends[j] = point if key == name else point * MIRROR
        elif finger is not None:
            ends[j] = hand[f'{finger}_tip'] * (1 if key == name else MIRROR)
        elif key in ('Spine_3', 'L_Wrist'):
            target = {'Spine_3': 'Neck', 'L_Wrist': 'L_Middle_1'}[key]
            if target not in names:
                target = 'L_Hand'
            ends[j] = joints[
                names[target if key == name else _mirror_joint(target)]
            ]
        elif len(children) == 1:
            ends[j] = joints[children[0]]
    return ends


def _vertex_chains(
    num_verts: int, faces: np.ndarray, chains: np.ndarray
) -> np.ndarray:
    """Boolean incidence (V, C) of vertices and face chains."""
    incidence = np.zeros((num_verts, body_mesh.NUM_CHAINS), bool)
    for k in range(3):
        incidence[faces[:, k], chains] = True
    return incidence


def skin(
    mesh: Mesh,
    joints: np.ndarray,
    names: dict[str, int],
    parents: np.ndarray,
    hand_joint: str | None = None,
    blend: float = 1.0,
) -> np.ndarray:
    """Skinning weights (V, J) of a mannequin mesh.

    Args:
        mesh: The mesh.
        joints: Joint positions (J, 3).
        names: Joint name to index.
        parents: Parent per joint (J,).
        hand_joint: Left joint standing for the whole hand (SMPL's
            'L_Hand'), or None when fingers have their own joints.
        blend: Scale of the blend lengths along the bones.
    """
    incidence = _vertex_chains(len(mesh.verts), mesh.faces, mesh.chains)
    table = np.zeros((body_mesh.NUM_CHAINS, len(joints)), bool)
    for chain, joint_ids in enumerate(_chain_joints(names, hand_joint)):
        table[chain, joint_ids] = True
    candidates = (incidence.astype(int) @ table) > 0
    sigma = blend * np.where(incidence, CHAIN_SIGMA, np.inf).min(axis=1)
    weights = rigging.skinning_weights(
        mesh.verts,
        candidates,
        joints,
        bone_ends(joints, names, parents),
        sigma,
    )
    if 'Jaw' in names:
        jaw = _jaw_mask(mesh.verts) * weights[:, names['Head']]
        weights[:, names['Jaw']] += jaw
        weights[:, names['Head']] -= jaw
    return weights


def _jaw_mask(verts: np.ndarray) -> np.ndarray:
    y, z = verts[:, 1], verts[:, 2]
    return (
        rigging.smoothstep(y, 0.232, 0.222)
        * rigging.smoothstep(z, -0.02, 0.03)
        * rigging.smoothstep(y, 0.145, 0.17)
    )


def face_mask(verts: np.ndarray, head: np.ndarray) -> np.ndarray:
    """Smooth mask (V,) of the face front; zero off the head."""
    y, z = verts[:, 1], verts[:, 2]
    mask = (
        rigging.smoothstep(z, 0.015, 0.055)
        * rigging.smoothstep(y, 0.15, 0.175)
        * rigging.smoothstep(y, 0.37, 0.34)
    )
    return np.where(head, mask, 0.0)


def shape_space(
    mesh: Mesh,
    weights: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    count: int,
    rng: np.random.Generator,
    first: float = 0.025,
) -> np.ndarray:
    """Body shape blend shapes (V, 3, count) in the SMPL-X frame.

    Components 0-2 are stature, girth and leg length; the rest are smooth
    random fields with amplitudes decreasing with the index.
    """
    verts = mesh.verts
    edges, _ = edge_table(mesh.faces)
    feet = np.array([0.0, -1.25, 0.0])
    stature = verts - feet
    axis = ends - starts
    t = np.clip(
        np.einsum('vjd,jd->vj', verts[:, None] - starts, axis)
        / np.maximum(np.sum(axis * axis, axis=1), 1e-12),
        0,
        1,
    )
    on_bones = starts + t[..., None] * axis
    girth = verts - np.einsum('vj,vjd->vd', weights, on_bones)
    for _ in range(20):
        girth = 0.5 * (girth + neighbour_mean(girth, edges))
    legs = np.zeros_like(verts)
    legs[:, 1] = rigging.smoothstep(verts[:, 1], -0.45, -1.2)
    fixed = [stature, 4.0 * girth, -legs]
    fields = rigging.random_fields(verts, max(count - len(fixed), 1), rng)
    fields = np.concatenate([np.stack(fixed, axis=2), fields], axis=2)
    fields = rigging.symmetrize_fields(fields[:, :, :count], mesh.mirror)
    peak = np.linalg.norm(fields, axis=1).max(axis=0)
    return fields / peak * rigging.decaying(count, first, 0.5)


def expression_space(
    verts: np.ndarray,
    mirror: np.ndarray,
    head: np.ndarray,
    count: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Expression blend shapes (V, 3, count) confined to the face.

    Components: jaw drop, smile, brow raise, pucker, then random fields.
    """
    mask = face_mask(verts, head)
    jaw = mask * rigging.smoothstep(verts[:, 1], 0.232, 0.215)
    corners = sum(
        rigging.bump(verts, (s * 0.024, 0.229, 0.088), 0.018) for s in (-1, 1)
    )
    brows = sum(
        rigging.bump(verts, (s * 0.03, 0.318, 0.082), 0.03) for s in (-1, 1)
    )
    lips = rigging.bump(verts, (0.0, 0.229, 0.096), 0.02)
    fixed = [
        jaw[:, None] * (0.0, -1.0, -0.3),
        corners[:, None]
        * np.column_stack(
            [
                0.4 * np.sign(verts[:, 0]),
                np.ones(len(verts)),
                np.zeros(len(verts)),
            ]
        ),
        brows[:, None] * (0.0, 1.0, 0.0),
        lips[:, None] * (0.0, 0.0, 1.0),
    ]
    fields = rigging.random_fields(
        verts, count - len(fixed), rng, frequency=25.0
    )
    fields = np.concatenate([np.stack(fixed, axis=2), fields], axis=2)
    fields = rigging.symmetrize_fields(fields * mask[:, None, None], mirror)
    peak = np.maximum(np.linalg.norm(fields, axis=1).max(axis=0), 1e-12)
    return fields / peak * rigging.decaying(count, 0.008, 0.3)


def hand_pose_space(
    joints: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PCA of synthetic right-hand poses (axis-angle, MANO joint order).

    Args:
        joints: The 15 right finger joints (15, 3) followed by the 5 right
            finger tips (5, 3).
        rng: Random generator.

    Returns:
        Mean (45,), components (45, 45) and coefficients (N, 45).
    """
    axes = np.zeros((15, 3))
    for f in range(5):
        chain = list(joints[3 * f : 3 * f + 3]) + [joints[15 + f]]
        towards = np.array([0.0, -1.0, -0.8 if f == 4 else 0.0])
        for k in range(3):
            axis = np.cross(chain[k + 1] - chain[k], towards)
            axes[3 * f + k] = axis / np.linalg.norm(axis)
    profile = np.tile([0.7, 0.9, 0.6], 5)
    grasp = rng.uniform(-0.3, 1.0, (NUM_HAND_POSES, 1))
    curl = grasp + 0.25 * rng.standard_normal((NUM_HAND_POSES, 5))
    angles = np.repeat(curl, 3, axis=1) * profile
    poses = angles[:, :, None] * axes[None]
    spread = 0.1 * rng.standard_normal((NUM_HAND_POSES, 5))
    poses[:, 0::3, 1] += spread
    poses = poses.reshape(NUM_HAND_POSES, 45)
    poses += 0.04 * rng.standard_normal(poses.shape)
    return rigging.orthonormal_pca(poses)


def cut_eye_strips(mesh: Mesh, centre: np.ndarray) -> Mesh:
    """Removes two mirrored disks of 19 faces (eye slits) at the eyes."""
    strip = _grow_strip(mesh, centre)
    keys = {tuple(sorted(f)): i for i, f in enumerate(mesh.faces.tolist())}
    mates = [keys[tuple(sorted(mesh.mirror[mesh.faces[f]]))] for f in strip]
    keep = np.ones(len(mesh.faces), bool)
    keep[strip + mates] = False
    verts = _round_rim(mesh.verts, mesh.faces[strip], centre, mesh.mirror)
    return Mesh(verts, mesh.faces[keep], mesh.chains[keep], mesh.mirror)


def _round_rim(
    verts: np.ndarray,
    strip: np.ndarray,
    centre: np.ndarray,
    mirror: np.ndarray,
) -> np.ndarray:
    """Puts the rim of a disk of faces (and its mirror) on an almond."""
    directed = {
        (f[i], f[(i + 1) % 3]) for f in strip.tolist() for i in range(3)
    }
    step = {a: b for a, b in directed if (b, a) not in directed}
    loop = [next(iter(step))]
    while len(loop) < len(step):
        loop.append(step[loop[-1]])
    rel = verts[loop, :2] - centre[:2]
    start = np.arctan2(rel[0, 1] / 0.005, rel[0, 0] / 0.014)
    turn = np.sign(np.cross(rel[0], rel[1]))
    theta = start + turn * 2 * np.pi * np.arange(len(loop)) / len(loop)
    out = verts.copy()
    target = centre[:2] + np.column_stack(
        [0.014 * np.cos(theta), 0.005 * np.sin(theta)]
    )
    out[loop, :2] = target
    out[mirror[loop]] = out[loop] * MIRROR
    return out


def _grow_strip(mesh: Mesh, centre: np.ndarray) -> list[int]:
    """Faces of a disk without interior vertices, grown near ``centre``.

    Each added face shares one edge with the disk and brings one new
    vertex, so the disk keeps all its vertices on its boundary.
    """
    centroids = mesh.verts[mesh.faces].mean(axis=1)
    rel = (centroids - centre) / (0.016, 0.005, 0.02)
    score = np.linalg.norm(rel, axis=1)
    strip = [int(np.argmin(score))]
    inside = set(mesh.faces[strip[0]].tolist())
    owner = {}
    for f, face in enumerate(mesh.faces.tolist()):
        for i in range(3):
            owner[face[i], face[(i + 1) % 3]] = f
    while len(strip) < EYE_STRIP_FACES:
        best = None
        for f in strip:
            face = mesh.faces[f].tolist()
            for i in range(3):
                g = owner.get((face[(i + 1) % 3], face[i]))
                third = set(mesh.faces[g].tolist()) - inside
                if g in strip or len(third) != 1:
                    continue
                if best is None or score[g] < score[best]:
                    best = g
        strip.append(best)
        inside |= set(mesh.faces[best].tolist())
    return strip


def reorder(mesh: Mesh, order: np.ndarray) -> Mesh:
    """Renumbers vertices so that new vertex ``i`` is old ``order[i]``."""
    inverse = np.argsort(order)
    return Mesh(
        mesh.verts[order],
        inverse[mesh.faces],
        mesh.chains,
        inverse[mesh.mirror[order]],
    )


def gender_template(
    verts: np.ndarray, pelvis: np.ndarray, gender: str
) -> np.ndarray:
    """Gendered variant (V, 3) of the neutral template."""
    height, width = GENDER_SCALE[gender]
    scale = np.array([width, height, width])
    out = pelvis + (verts - pelvis) * scale
    if gender == 'female':
        hips = 1 + 0.05 * np.exp(-(((verts[:, 1] + 0.42) / 0.12) ** 2))
        out[:, 0] *= np.where(np.abs(verts[:, 0]) < 0.25, hips, 1.0)
    return out


def uv_map(
    verts: np.ndarray, faces: np.ndarray, normals: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Front-projection UVs with 11313 texture vertices.

    Every vertex gets a planar UV; silhouette vertices receive a duplicate
    used by their back-facing faces, as a seam.

    Returns:
        ``vt`` (11313, 2) float64 and ``ft`` (F, 3) uint32.
    """
    lo, hi = verts.min(axis=0), verts.max(axis=0)
    uv = (verts[:, :2] - lo[:2]) / (hi[:2] - lo[:2]).max()
    face_n = np.cross(
        verts[faces[:, 1]] - verts[faces[:, 0]],
        verts[faces[:, 2]] - verts[faces[:, 0]],
    )
    back = face_n[:, 2] < 0
    has_back = np.zeros(len(verts), bool)
    has_front = np.zeros(len(verts), bool)
    has_back[faces[back]] = True
    has_front[faces[~back]] = True
    seam = np.flatnonzero(has_back & has_front)
    seam = seam[np.argsort(np.abs(normals[seam, 2]), kind='stable')]
    seam = np.sort(seam[: NUM_UV - len(verts)])
    dup = np.full(len(verts), -1)
    dup[seam] = len(verts) + np.arange(len(seam))
    ft = faces.copy()
    swap = back[:, None] & (dup[faces] >= 0)
    ft[swap] = dup[faces][swap]
    vt = np.concatenate([uv, uv[seam]])
    return vt, ft.astype(np.uint32)


def embed(
    points: np.ndarray,
    verts: np.ndarray,
    faces: np.ndarray,
    allowed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Faces and barycentric coordinates for landmark points (..., 3)."""
    flat = points.reshape(-1, 3)
    idx, bary = rigging.closest_faces(flat, verts, faces, allowed)
    return idx.reshape(points.shape[:-1]), bary.reshape(points.shape)


def smplx_skeleton() -> tuple[np.ndarray, np.ndarray]:
    """Designed joints (55, 3) and bone end points (55, 3) of SMPL-X."""
    joints = smplx_joints()
    return joints, bone_ends(joints, SMPLX_INDEX, SMPLX_PARENTS)


def extra_regressor_targets(
    joints: np.ndarray, names: tuple[str, ...]
) -> np.ndarray:
    """Target points (N, 3) for the LSP-14 or H36M regressors."""
    j = {name: joints[i] for i, name in enumerate(SMPLX_JOINT_NAMES)}
    hips = 0.5 * (j['L_Hip'] + j['R_Hip'])
    extra = {
        'Pelvis': hips + (0.0, 0.02, 0.0),
        'Torso': (0.0, -0.1, -0.02),
        'Nose': (0.0, 0.266, 0.1),
        'Head': np.asarray(HEAD_TOP)
        - (0.0, 0.03 if names == J14_NAMES else 0.07, 0.0),
        'Neck': j['Neck'] + (0.0, 0.0 if names == J14_NAMES else -0.04, 0.01),
    }
    return np.array([extra.get(n, j.get(n)) for n in names], float)


def face_regions(mesh: Mesh) -> list[np.ndarray]:
    """Per-region face masks: body, head, left hand, right hand."""
    regions = body_mesh.CHAIN_REGION[mesh.chains]
    return [regions == r for r in range(4)]


def mano_tip_order(
    hand_ids: np.ndarray, verts: np.ndarray, tip_ids: dict[str, int]
) -> np.ndarray:
    """Orders a hand vertex set so the MANO tip ids sit at the tips.

    Args:
        hand_ids: SMPL-X ids (778,) of the right hand.
        verts: SMPL-X positions (V, 3).
        tip_ids: SMPL-X id of each right finger tip.

    Returns:
        The hand ids (778,) in MANO vertex order.
    """
    order = np.full(len(hand_ids), -1)
    free = np.ones(len(hand_ids), bool)
    for finger, (first, second) in MANO_TIPS.items():
        tip = verts[tip_ids[finger]]
        dist = np.linalg.norm(verts[hand_ids] - tip, axis=1)
        picks = np.argsort(np.where(free, dist, np.inf), kind='stable')[:2]
        order[[first, second]] = hand_ids[picks]
        free[picks] = False
    order[order < 0] = hand_ids[free]
    return order


def landmark_points() -> tuple[np.ndarray, np.ndarray]:
    """Static (51, 3) and contour (79, 17, 3) landmarks, SMPL-X frame."""
    sdf = BodySDF()
    return landmarks.static_landmarks(sdf), landmarks.contour_landmarks(sdf)


def normals_of(mesh: Mesh) -> np.ndarray:
    """Unit vertex normals (V, 3)."""
    return vertex_normals(mesh.verts, mesh.faces)
