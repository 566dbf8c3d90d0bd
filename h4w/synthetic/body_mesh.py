"""Closed, mirror-symmetric triangle surface of the procedural mannequin.

A quad cage is box-modelled around the skeleton (torso lattice, extruded
neck and head, arms, palms, fingers, thumbs, legs and feet), subdivided
once, triangulated and projected onto :class:`~.humanoid.BodySDF`. Longest
edges are then split region by region until each region (head, hands,
rest of the body) holds its exact vertex budget, with Delaunay edge flips
and tangential relaxation in between.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import mesh_ops
from .humanoid import (
    BODY_JOINTS,
    FINGER_LAYOUT,
    THUMB_POINTS,
    BodySDF,
    left_hand_points,
    mirror_point,
)

# Body chains labelling the faces; right chains are left chains + 1.
TRUNK, HEAD = 0, 1
L_ARM, L_LEG, L_PALM, L_THUMB = 2, 4, 6, 8
L_FINGER = {'Index': 10, 'Middle': 12, 'Ring': 14, 'Pinky': 16}
NUM_CHAINS = 18
# Regions: 0 body, 1 head, 2 left hand, 3 right hand.
BODY, HEAD_REGION, L_HAND, R_HAND = 0, 1, 2, 3
CHAIN_REGION = np.array(
    [BODY, HEAD_REGION, BODY, BODY, BODY, BODY] + [L_HAND, R_HAND] * 6
)
# Relative vertex density per chain (fingers finer than the palm).
CHAIN_DENSITY = np.array([1.0] * 8 + [1.8] * 10)


@dataclass
class Surface:
    """A mirror-symmetric triangle surface.

    Attributes:
        verts: Positions (V, 3).
        faces: Triangles (F, 3), counter-clockwise seen from outside.
        chains: Body chain of each face (F,).
        mirror: Mirror vertex map (V,).
    """

    verts: np.ndarray
    faces: np.ndarray
    chains: np.ndarray
    mirror: np.ndarray

    def region_sets(self) -> list[np.ndarray]:
        """Vertex ids touched by the faces of each region (4 arrays)."""
        regions = CHAIN_REGION[self.chains]
        return [np.unique(self.faces[regions == r]) for r in range(4)]

    def region_counts(self) -> np.ndarray:
        """Vertex count per region (4,); loop vertices count for the head
        and hands, the body count is exclusive."""
        sets = self.region_sets()
        counts = np.array([len(s) for s in sets])
        counts[BODY] = len(self.verts) - counts[1:].sum()
        return counts


def _side(point, left: bool) -> np.ndarray:
    return np.asarray(point, float) if left else mirror_point(point)


def _torso_place(i: int, j: int, k: int) -> tuple[float, float, float]:
    ys = (-0.49, -0.22, 0.0, 0.13)
    outer = (0.16, 0.145, 0.16, 0.18)
    inner = (0.04, 0.07, 0.08, 0.06)
    depth = ((-0.11, 0.1), (-0.1, 0.1), (-0.1, 0.1), (-0.09, 0.08))
    u = i - 2
    x = np.sign(u) * (outer[j] if abs(u) == 2 else inner[j] * abs(u))
    return x, ys[j], depth[j][k]


def _grow_head(cage: mesh_ops.PolyMesh, region: list[int]) -> None:
    rings = (
        ((0.0, 0.19, -0.01), (0.05, np.nan, 0.05)),
        ((0.0, 0.235, 0.0), (0.07, np.nan, 0.085)),
        ((0.0, 0.31, 0.0), (0.078, np.nan, 0.1)),
        ((0.0, 0.39, -0.005), (0.07, np.nan, 0.09)),
        ((0.0, 0.44, -0.01), (0.035, np.nan, 0.045)),
    )
    for k, (centre, half) in enumerate(rings):
        cage.extrude(region, centre, half, label=HEAD if k == 0 else None)


def _grow_leg(cage: mesh_ops.PolyMesh, face: int, left: bool) -> None:
    rings = (
        ((0.095, -0.58, 0.0), (0.075, np.nan, 0.075)),
        ((0.1, -0.83, 0.0), (0.05, np.nan, 0.05)),
        ((0.095, -0.97, -0.015), (0.045, np.nan, 0.047)),
        ((0.087, -1.15, -0.035), (0.035, np.nan, 0.035)),
        ((0.087, -1.21, -0.045), (0.036, np.nan, 0.04)),
    )
    label = L_LEG + (not left)
    sides = []
    for centre, half in rings:
        sides = cage.extrude([face], _side(centre, left), half, label=label)
    front = max(sides, key=lambda f: cage.face_normal(f)[2])
    for centre, half in (
        ((0.095, -1.222, 0.05), (0.045, 0.025, np.nan)),
        ((0.102, -1.228, 0.14), (0.035, 0.014, np.nan)),
    ):
        cage.extrude([front], _side(centre, left), half)


def _grow_arm(cage: mesh_ops.PolyMesh, face: int, left: bool) -> None:
    wrist = np.array(BODY_JOINTS['L_Wrist'])
    rings = (
        ((0.25, 0.072, -0.025), (np.nan, 0.048, 0.05)),
        ((0.43, 0.065, -0.035), (np.nan, 0.037, 0.037)),
        ((0.55, 0.062, -0.035), (np.nan, 0.033, 0.034)),
        ((0.665, 0.06, -0.035), (np.nan, 0.021, 0.03)),
    )
    for centre, half in rings:
        cage.extrude(
            [face], _side(centre, left), half, label=L_ARM + (not left)
        )
    palm = L_PALM + (not left)
    sides = cage.extrude(
        [face],
        _side(wrist + (0.04, 0.0, 0.0), left),
        (np.nan, 0.016, 0.04),
        label=palm,
    )
    cage.extrude(
        [face],
        _side(wrist + (0.088, 0.002, -0.002), left),
        (np.nan, 0.014, 0.043),
    )
    thumb_face = max(sides, key=lambda f: cage.face_normal(f)[2])
    _grow_thumb(cage, thumb_face, left)
    strips = cage.split_into_strips(face, (0.0, 0.0, 1.0), 4)
    hand = left_hand_points()
    for finger, strip in zip(('Pinky', 'Ring', 'Middle', 'Index'), strips):
        radii = FINGER_LAYOUT[finger][3]
        direction = hand[f'{finger}_tip'] - hand[f'{finger}_1']
        targets = [
            hand[f'{finger}_2'],
            hand[f'{finger}_3'],
            hand[f'{finger}_tip']
            - 0.006 * direction / np.linalg.norm(direction),
        ]
        for k, target in enumerate(targets):
            half = (np.nan, 0.9 * radii[k + 1], 0.9 * radii[k + 1])
            cage.extrude(
                [strip],
                _side(target, left),
                half,
                direction=_side(direction, left),
                label=L_FINGER[finger] + (not left),
            )


def _grow_thumb(cage: mesh_ops.PolyMesh, face: int, left: bool) -> None:
    wrist = np.array(BODY_JOINTS['L_Wrist'])
    points = [wrist + np.array(p) for p in THUMB_POINTS]
    direction = points[3] - points[1]
    for k, scale in ((1, 0.75), (2, 0.9), (3, 0.75)):
        target = points[k] - (
            0.006 * direction / np.linalg.norm(direction) if k == 3 else 0.0
        )
        cage.extrude(
            [face],
            _side(target, left),
            None,
            direction=_side(direction, left),
            label=L_THUMB + (not left),
        )
        _scale_region(cage, face, scale)


def _scale_region(cage: mesh_ops.PolyMesh, face: int, scale: float) -> None:
    ids = cage.faces[face]
    centre = np.mean([cage.verts[i] for i in ids], axis=0)
    for i in ids:
        cage.verts[i] = centre + scale * (cage.verts[i] - centre)


def build_cage() -> mesh_ops.PolyMesh:
    """Quad cage of the whole mannequin, labelled by body chain."""
    cage = mesh_ops.PolyMesh()
    centres = cage.add_box((4, 3, 1), _torso_place, TRUNK)

    def pick(x, y, z=None):
        hits = np.isclose(centres[:, 0], x) & np.isclose(centres[:, 1], y)
        if z is not None:
            hits &= np.isclose(centres[:, 2], z)
        return list(np.flatnonzero(hits))

    neck = pick(1.5, 3) + pick(2.5, 3)
    legs = pick(3.5, 0), pick(0.5, 0)
    arms = pick(4, 2.5), pick(0, 2.5)
    _grow_head(cage, neck)
    for left, leg, arm in (
        (True, legs[0], arms[0]),
        (False, legs[1], arms[1]),
    ):
        _grow_leg(cage, leg[0], left)
        _grow_arm(cage, arm[0], left)
    return cage


def initial_surface(sdf: BodySDF) -> Surface:
    """Subdivided, triangulated and projected cage."""
    cage = build_cage()
    verts, quads, labels = mesh_ops.subdivide(
        np.array(cage.verts), cage.faces, cage.labels
    )
    mirror = mesh_ops.mirror_map(verts, tol=1e-5)
    verts = _symmetrize(verts, mirror)
    faces = mesh_ops.triangulate(verts, quads, mirror)
    verts = _symmetrize(sdf.project(verts, iters=12, max_step=0.03), mirror)
    return Surface(verts, faces, np.repeat(labels, 2), mirror)


def _symmetrize(verts: np.ndarray, mirror: np.ndarray) -> np.ndarray:
    return 0.5 * (verts + verts[mirror] * mesh_ops.MIRROR)


def _edge_regions(surface: Surface, edge_faces: np.ndarray) -> np.ndarray:
    return CHAIN_REGION[surface.chains[edge_faces]]


def _mates(edges: np.ndarray, mirror: np.ndarray) -> np.ndarray:
    """Index (E,) of the mirror image of every edge."""
    n = len(mirror)
    keys = edges[:, 0] * n + edges[:, 1]
    m = mirror[edges]
    return np.searchsorted(keys, m.min(axis=1) * n + m.max(axis=1))


def _loop_mask(surface: Surface) -> tuple[np.ndarray, np.ndarray]:
    """Loop edges (L, 2) between regions and a vertex mask (V,) of them."""
    edges, edge_faces = mesh_ops.edge_table(surface.faces)
    regions = _edge_regions(surface, edge_faces)
    loops = edges[regions[:, 0] != regions[:, 1]]
    mask = np.zeros(len(surface.verts), bool)
    mask[loops.ravel()] = True
    return loops, mask


def relax(
    surface: Surface, sdf: BodySDF, iters: int = 1, strength: float = 0.5
) -> None:
    """Tangential Laplacian smoothing followed by re-projection.

    Region loops are only smoothed along themselves, so they stay loops.
    """
    edges, _ = mesh_ops.edge_table(surface.faces)
    loops, on_loop = _loop_mask(surface)
    for _ in range(iters):
        verts = surface.verts
        normals = mesh_ops.vertex_normals(verts, surface.faces)
        delta = mesh_ops.neighbour_mean(verts, edges) - verts
        delta -= np.sum(delta * normals, axis=1, keepdims=True) * normals
        along = mesh_ops.neighbour_mean(verts, loops) - verts
        delta[on_loop] = along[on_loop]
        verts = sdf.project(verts + strength * delta, iters=1)
        surface.verts = _symmetrize(verts, surface.mirror)


def split_edges(
    surface: Surface, pairs: list[tuple[tuple[int, int], tuple[int, int]]]
) -> None:
    """Splits edges at their midpoints, mirror pairs together.

    Args:
        surface: Surface edited in place.
        pairs: ``(edge, mate)`` tuples; ``mate`` equals ``edge`` (as a set)
            for self-mirrored edges.
    """
    mesh = mesh_ops.HalfEdges(surface.faces, surface.chains)
    verts = list(surface.verts)
    mirror = list(surface.mirror)
    for edge, mate in pairs:
        created = []
        for u, v in (edge, mate) if set(edge) != set(mate) else (edge,):
            new = len(verts)
            verts.append(0.5 * (verts[u] + verts[v]))
            mirror.append(new)
            mesh.split(u, v, new)
            created.append(new)
        if len(created) == 2:
            mirror[created[0]], mirror[created[1]] = created[1], created[0]
    surface.verts = np.array(verts)
    surface.mirror = np.array(mirror)
    surface.faces = np.array(mesh.faces)
    surface.chains = np.array(mesh.labels)


def _flip_candidates(surface: Surface):
    """Non-Delaunay interior edges whose flip keeps the surface sane."""
    verts, faces = surface.verts, surface.faces
    edges, edge_faces = mesh_ops.edge_table(faces)
    u, v = edges[:, 0], edges[:, 1]
    w = faces[edge_faces[:, 0]].sum(axis=1) - u - v
    x = faces[edge_faces[:, 1]].sum(axis=1) - u - v

    def angle(apex, a, b):
        da, db = verts[a] - verts[apex], verts[b] - verts[apex]
        cos = np.sum(da * db, axis=1) / np.maximum(
            np.linalg.norm(da, axis=1) * np.linalg.norm(db, axis=1), 1e-15
        )
        return np.arccos(np.clip(cos, -1.0, 1.0))

    excess = angle(w, u, v) + angle(x, u, v) - np.pi
    chains = surface.chains[edge_faces]
    old = np.cross(verts[v] - verts[u], verts[w] - verts[u])
    old += np.cross(verts[u] - verts[v], verts[x] - verts[v])
    new1 = np.cross(verts[v] - verts[x], verts[w] - verts[x])
    new2 = np.cross(verts[u] - verts[w], verts[x] - verts[w])

    def agrees(n):
        return np.sum(n * old, axis=1) > 0.3 * np.linalg.norm(
            n, axis=1
        ) * np.linalg.norm(old, axis=1)

    _, on_loop = _loop_mask(surface)
    ok = (
        (excess > 1e-3)
        & (chains[:, 0] == chains[:, 1])
        & agrees(new1)
        & agrees(new2)
        & ~(on_loop[w] & on_loop[x])
    )
    order = np.flatnonzero(ok)[np.argsort(-excess[ok], kind='stable')]
    return edges, _mates(edges, surface.mirror), order, (w, x)


def flip_edges(surface: Surface) -> int:
    """One pass of mirror-symmetric Delaunay flips; returns the count."""
    edges, mates, order, (w, x) = _flip_candidates(surface)
    candidate = np.zeros(len(edges), bool)
    candidate[order] = True
    mesh = mesh_ops.HalfEdges(surface.faces, surface.chains)
    degree = np.bincount(edges.ravel(), minlength=len(surface.verts))
    used = set()
    flips = 0
    for e in order:
        mate = mates[e]
        if mate < e or not candidate[mate]:
            continue
        group = [e] if mate == e else [e, mate]
        quads = [(*edges[i], w[i], x[i]) for i in group]
        touched = [mesh.owner[a, b] for a, b, _, _ in quads]
        touched += [mesh.owner[b, a] for a, b, _, _ in quads]
        if (
            used.intersection(touched)
            or len(set(touched)) != len(touched)
            or any(
                degree[a] < 4 or degree[b] < 4 or mesh.has_edge(c, d)
                for a, b, c, d in quads
            )
        ):
            continue
        for a, b, c, d in quads:
            mesh.flip(a, b)
            degree[[a, b]] -= 1
            degree[[c, d]] += 1
        used.update(touched)
        flips += len(group)
    surface.faces = np.array(mesh.faces)
    return flips


def _split_plan(
    surface: Surface, deficit: np.ndarray, fraction: float
) -> list:
    """Longest interior edges to split this round, within the deficits.

    No face holds two chosen edges, so the splits commute and the mirror
    symmetry survives.
    """
    edges, edge_faces = mesh_ops.edge_table(surface.faces)
    regions = _edge_regions(surface, edge_faces)
    interior = regions[:, 0] == regions[:, 1]
    mates = _mates(edges, surface.mirror)
    lengths = np.linalg.norm(
        surface.verts[edges[:, 0]] - surface.verts[edges[:, 1]], axis=1
    )
    lengths *= CHAIN_DENSITY[surface.chains[edge_faces]].max(axis=1)
    left = deficit.copy()
    used = np.zeros(len(surface.faces), bool)
    plan = []
    for region in (BODY, HEAD_REGION, L_HAND):
        canonical = (mates >= np.arange(len(edges))) | (region == L_HAND)
        ids = np.flatnonzero(interior & (regions[:, 0] == region) & canonical)
        ids = ids[np.argsort(-lengths[ids], kind='stable')]
        for e in ids[: int(fraction * len(ids)) + 1]:
            single = mates[e] == e
            cost = 1 if single or region == L_HAND else 2
            faces = np.unique(edge_faces[[e, mates[e]]])
            if (
                cost > left[region]
                or used[faces].any()
                or len(faces) != (2 if single else 4)
            ):
                continue
            used[faces] = True
            left[region] -= cost
            if region == L_HAND:
                left[R_HAND] -= 1
            plan.append((tuple(edges[e]), tuple(edges[mates[e]])))
    return plan


def _split_loops(surface: Surface, loop_targets: dict[int, int]) -> None:
    """Splits the longest loop edges until each loop has its length."""
    for region, target in loop_targets.items():
        while True:
            loops, _ = _loop_mask(surface)
            regions = surface.region_sets()
            mine = np.isin(loops, regions[region]).all(axis=1)
            count = int(mine.sum())
            if count >= target:
                break
            ids = np.flatnonzero(mine)
            lengths = np.linalg.norm(
                surface.verts[loops[ids, 0]] - surface.verts[loops[ids, 1]],
                axis=1,
            )
            edge = tuple(loops[ids[np.argmax(lengths)]])
            mate = tuple(surface.mirror[list(edge)])
            split_edges(surface, [(edge, mate)])


def build_surface(
    targets: np.ndarray, loop_targets: dict[int, int]
) -> Surface:
    """Builds the refined mannequin surface.

    Args:
        targets: Vertex counts (4,) for body (exclusive), head, left and
            right hand.
        loop_targets: Edge count of the region loops to reach first, keyed
            by region (head: neck loop, hands: wrist loops).

    Returns:
        The closed surface with exactly ``targets.sum()`` vertices.
    """
    sdf = BodySDF()
    surface = initial_surface(sdf)
    relax(surface, sdf, iters=4)
    _split_loops(surface, loop_targets)
    while True:
        deficit = np.asarray(targets) - surface.region_counts()
        if np.any(deficit < 0):
            raise ValueError(f'cage too dense for targets {targets}')
        if not deficit.any():
            break
        plan = _split_plan(surface, deficit, 0.25)
        split_edges(surface, plan)
        surface.verts = sdf.project(surface.verts, iters=2)
        flip_edges(surface)
        relax(surface, sdf, iters=1)
    for _ in range(4):
        flip_edges(surface)
        relax(surface, sdf, iters=2)
    return surface
