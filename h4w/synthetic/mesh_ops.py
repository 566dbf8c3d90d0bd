"""Generic mesh operations used to build the procedural humanoid.

Two stages are supported: a polygon cage grown by box modelling
(:class:`PolyMesh`), and a triangle mesh refined by edge splits, edge flips
and tangential relaxation. Every operation preserves a closed, consistently
oriented genus-0 surface, and the refinement keeps the mesh mirror
symmetric about the plane ``x = 0`` (``mirror[i]`` is the vertex mirrored
to vertex ``i``).
"""

from __future__ import annotations

import numpy as np

MIRROR = np.array([-1.0, 1.0, 1.0])


def _rotation_between(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Rotation matrix (3, 3) turning unit vector ``src`` onto ``dst``."""
    axis = np.cross(src, dst)
    sin, cos = np.linalg.norm(axis), float(np.dot(src, dst))
    if sin < 1e-9:
        return np.eye(3)
    k = axis / sin
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + sin * kx + (1 - cos) * kx @ kx


class PolyMesh:
    """Closed polygon mesh grown by box modelling.

    Attributes:
        verts: Vertex positions, a list of (3,) arrays.
        faces: Polygons as lists of vertex indices, counter-clockwise seen
            from outside.
        labels: One integer label per polygon (the body chain).
    """

    def __init__(self) -> None:
        self.verts: list[np.ndarray] = []
        self.faces: list[list[int]] = []
        self.labels: list[int] = []

    def add_box(
        self, shape: tuple[int, int, int], place, label: int
    ) -> np.ndarray:
        """Adds the surface of a box lattice.

        Args:
            shape: Number of cells ``(nx, ny, nz)``.
            place: Callable ``(i, j, k) -> (3,)`` giving the position of a
                lattice point.
            label: Label of the new faces.

        Returns:
            Lattice coordinates (F, 3) of the centres of the new faces, in
            the order they were appended.
        """
        dims = np.array(shape)
        index = {}
        for ijk in np.ndindex(*(dims + 1)):
            if np.any((np.array(ijk) == 0) | (np.array(ijk) == dims)):
                index[ijk] = len(self.verts)
                self.verts.append(np.asarray(place(*ijk), float))
        centres = []
        for axis in range(3):
            u, v = [a for a in range(3) if a != axis]
            for side in (0, dims[axis]):
                for a, b in np.ndindex(dims[u], dims[v]):
                    corners = []
                    for du, dv in ((0, 0), (1, 0), (1, 1), (0, 1)):
                        ijk = [0, 0, 0]
                        ijk[axis], ijk[u], ijk[v] = side, a + du, b + dv
                        corners.append(tuple(ijk))
                    normal = np.cross(np.eye(3)[u], np.eye(3)[v])[axis]
                    if (normal > 0) != (side > 0):
                        corners.reverse()
                    self.faces.append([index[c] for c in corners])
                    self.labels.append(label)
                    centres.append(np.mean(corners, axis=0))
        return np.array(centres)

    def face_normal(self, face_id: int) -> np.ndarray:
        """Unit normal (3,) of a polygon (Newell's method)."""
        pts = np.array([self.verts[i] for i in self.faces[face_id]])
        normal = np.cross(pts, np.roll(pts, -1, axis=0)).sum(axis=0)
        return normal / np.linalg.norm(normal)

    def extrude(
        self,
        face_ids: list[int],
        centre,
        half=None,
        direction=None,
        label: int | None = None,
    ) -> list[int]:
        """Extrudes a connected region of faces.

        The boundary vertices of the region are duplicated, side quads join
        the old and the new boundary, and the region moves so that its
        boundary centroid lands on ``centre``.

        Args:
            face_ids: Faces forming a disk.
            centre: Target (3,) position of the boundary centroid.
            half: Optional (3,) target half extents of the region along the
                world axes after rotation; NaN keeps an extent.
            direction: Optional (3,) direction the region normal is turned
                to.
            label: Label of the side faces and the moved region.

        Returns:
            Indices of the new side faces, one per boundary edge.
        """
        directed = [
            (f[i], f[(i + 1) % len(f)])
            for f in (self.faces[j] for j in face_ids)
            for i in range(len(f))
        ]
        edge_set = set(directed)
        boundary = [(a, b) for a, b in directed if (b, a) not in edge_set]
        region = sorted({v for f in face_ids for v in self.faces[f]})
        ring = sorted({a for a, _ in boundary})
        old = np.array([self.verts[i] for i in region])
        origin = np.mean([self.verts[i] for i in ring], axis=0)
        normal = sum(self.face_normal(f) for f in face_ids)
        normal /= np.linalg.norm(normal)
        rot = np.eye(3)
        if direction is not None:
            rot = _rotation_between(
                normal, direction / np.linalg.norm(direction)
            )
        offsets = (old - origin) @ rot.T
        if half is not None:
            extent = np.abs(offsets).max(axis=0)
            half = np.asarray(half, float)
            keep = np.isnan(half) | (extent < 1e-9)
            offsets *= np.where(keep, 1.0, half / np.maximum(extent, 1e-9))
        new_pos = dict(zip(region, np.asarray(centre) + offsets))
        remap = {}
        for v in region:
            if v in ring:
                remap[v] = len(self.verts)
                self.verts.append(new_pos[v])
            else:
                self.verts[v] = new_pos[v]
                remap[v] = v
        for f in face_ids:
            self.faces[f] = [remap[v] for v in self.faces[f]]
            if label is not None:
                self.labels[f] = label
        sides = []
        for a, b in boundary:
            sides.append(len(self.faces))
            self.faces.append([a, b, remap[b], remap[a]])
            self.labels.append(self.labels[face_ids[0]])
        return sides

    def split_into_strips(self, face_id: int, axis, count: int) -> list[int]:
        """Splits a quad into ``count`` strips across ``axis``.

        The two quad edges most aligned with ``axis`` are divided evenly;
        the neighbouring polygons receive the new vertices too, so the mesh
        stays conforming.

        Returns:
            Face indices of the strips, ordered along ``axis``.
        """
        quad = self.faces[face_id]
        pts = np.array([self.verts[i] for i in quad])
        dirs = np.roll(pts, -1, axis=0) - pts
        first = int(np.argmax(np.abs(dirs @ np.asarray(axis)))) % 2
        p, q, r, s = (quad[(first + i) % 4] for i in range(4))
        ts = np.arange(1, count) / count
        top = self.add_points(
            (1 - ts)[:, None] * self.verts[p] + ts[:, None] * self.verts[q]
        )
        bottom = self.add_points(
            (1 - ts)[:, None] * self.verts[r] + ts[:, None] * self.verts[s]
        )
        self._insert_on_edge(q, p, top[::-1])
        self._insert_on_edge(s, r, bottom[::-1])
        upper = [p, *top, q]
        lower = [r, *bottom, s]
        strips = []
        for k in range(count):
            new = [
                upper[k],
                upper[k + 1],
                lower[count - k - 1],
                lower[count - k],
            ]
            if k == 0:
                self.faces[face_id] = new
                strips.append(face_id)
            else:
                strips.append(len(self.faces))
                self.faces.append(new)
                self.labels.append(self.labels[face_id])
        if np.dot(pts[(first + 1) % 4] - pts[first], axis) < 0:
            strips.reverse()
        return strips

    def add_points(self, points: np.ndarray) -> list[int]:
        """Appends vertices (N, 3) and returns their indices."""
        start = len(self.verts)
        self.verts.extend(np.asarray(points, float))
        return list(range(start, len(self.verts)))

    def _insert_on_edge(self, a: int, b: int, ids: list[int]) -> None:
        """Inserts vertices between ``a`` and ``b`` in the face with a->b."""
        for face in self.faces:
            for i, v in enumerate(face):
                if v == a and face[(i + 1) % len(face)] == b:
                    face[i + 1 : i + 1] = ids
                    return
        raise ValueError(f'edge {a}->{b} not found')


def mirror_map(verts: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """Index (V,) of the vertex at the mirrored position of each vertex."""
    mirrored = verts * MIRROR
    order = np.lexsort(verts.T)
    keys = np.round(verts[order] / tol).astype(np.int64)
    found = np.empty(len(verts), np.int64)
    for i, point in enumerate(np.round(mirrored / tol).astype(np.int64)):
        lo = np.searchsorted(keys[:, 2], point[2] - 2)
        hi = np.searchsorted(keys[:, 2], point[2] + 2, side='right')
        near = lo + np.argmin(np.abs(keys[lo:hi] - point).sum(axis=1))
        if np.abs(keys[near] - point).max() > 2:
            raise ValueError('mesh is not mirror symmetric')
        found[i] = order[near]
    return found


def subdivide(
    verts: np.ndarray, faces: list[list[int]], labels: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One level of linear polygon subdivision into quads.

    Args:
        verts: Positions (V, 3).
        faces: Polygons.
        labels: Label per polygon.

    Returns:
        Positions (V', 3), quads (Q, 4) and their labels (Q,).
    """
    points = list(verts)
    edge_point = {}
    quads, quad_labels = [], []
    for face, label in zip(faces, labels):
        centre = len(points)
        points.append(verts[face].mean(axis=0))
        mids = []
        for a, b in zip(face, face[1:] + face[:1]):
            key = (min(a, b), max(a, b))
            if key not in edge_point:
                edge_point[key] = len(points)
                points.append((verts[a] + verts[b]) / 2)
            mids.append(edge_point[key])
        for i, v in enumerate(face):
            quads.append([v, mids[i], centre, mids[i - 1]])
            quad_labels.append(label)
    return np.array(points), np.array(quads), np.array(quad_labels)


def triangulate(
    verts: np.ndarray, quads: np.ndarray, mirror: np.ndarray
) -> np.ndarray:
    """Splits quads along the shorter diagonal, mirror-consistently.

    Args:
        verts: Positions (V, 3), mirror symmetric.
        quads: Quads (Q, 4); none may be its own mirror image.
        mirror: Mirror vertex map (V,).

    Returns:
        Triangles (2Q, 3).
    """
    q = quads
    d02 = np.linalg.norm(verts[q[:, 0]] - verts[q[:, 2]], axis=1)
    d13 = np.linalg.norm(verts[q[:, 1]] - verts[q[:, 3]], axis=1)
    canon = np.minimum(np.arange(len(verts)), mirror)[q]
    key02 = np.minimum(canon[:, 0], canon[:, 2])
    key13 = np.minimum(canon[:, 1], canon[:, 3])
    use02 = (d02 < d13 - 1e-12) | (
        (np.abs(d02 - d13) <= 1e-12) & (key02 < key13)
    )
    tris = np.where(
        use02[:, None, None],
        np.stack([q[:, [0, 1, 2]], q[:, [0, 2, 3]]], axis=1),
        np.stack([q[:, [0, 1, 3]], q[:, [1, 2, 3]]], axis=1),
    )
    return tris.reshape(-1, 3)


def edge_table(faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Undirected edges of a closed triangle mesh.

    Args:
        faces: Triangles (F, 3).

    Returns:
        Edges (E, 2) with ``edges[:, 0] < edges[:, 1]``, and for each edge
        the faces (E, 2) on either side (-1 where missing).
    """
    half = faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2)
    lo, hi = half.min(axis=1), half.max(axis=1)
    key = lo * (faces.max() + 1) + hi
    uniq, first, inverse = np.unique(
        key, return_index=True, return_inverse=True
    )
    edges = np.stack([lo[first], hi[first]], axis=1)
    edge_faces = np.full((len(uniq), 2), -1)
    owner = np.arange(len(half)) // 3
    slot = (half[:, 0] > half[:, 1]).astype(int)
    edge_faces[inverse, slot] = owner
    return edges, edge_faces


def face_normals(verts: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted face normals (F, 3) (twice the triangle areas)."""
    a, b, c = (verts[faces[:, i]] for i in range(3))
    return np.cross(b - a, c - a)


def vertex_normals(verts: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Unit vertex normals (V, 3)."""
    fn = face_normals(verts, faces)
    normals = np.zeros_like(verts)
    for i in range(3):
        np.add.at(normals, faces[:, i], fn)
    return normals / np.maximum(
        np.linalg.norm(normals, axis=1, keepdims=True), 1e-12
    )


def neighbour_mean(verts: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Mean (V, 3) of the edge neighbours of every vertex."""
    total = np.zeros_like(verts)
    np.add.at(total, edges[:, 0], verts[edges[:, 1]])
    np.add.at(total, edges[:, 1], verts[edges[:, 0]])
    count = np.bincount(edges.ravel(), minlength=len(verts))
    return total / np.maximum(count, 1)[:, None]


class HalfEdges:
    """Mutable triangle mesh with a directed-edge index, for local edits.

    Args:
        faces: Triangles (F, 3).
        labels: Label per triangle (F,); children inherit it.
    """

    def __init__(self, faces: np.ndarray, labels: np.ndarray) -> None:
        self.faces = faces.tolist()
        self.labels = labels.tolist()
        self.owner = {}
        for f, (a, b, c) in enumerate(self.faces):
            self.owner[a, b] = f
            self.owner[b, c] = f
            self.owner[c, a] = f

    def _set(self, f: int, tri: list[int]) -> None:
        if f == len(self.faces):
            self.faces.append(tri)
        else:
            self.faces[f] = tri
        for i in range(3):
            self.owner[tri[i], tri[(i + 1) % 3]] = f

    def split(self, u: int, v: int, new: int) -> None:
        """Splits edge u-v with the new vertex index ``new``."""
        f1, f2 = self.owner.pop((u, v)), self.owner.pop((v, u))
        w, x = self.opposite_of(f1, u), self.opposite_of(f2, v)
        self._set(f1, [u, new, w])
        self.labels.append(self.labels[f1])
        self._set(len(self.faces), [new, v, w])
        self._set(f2, [v, new, x])
        self.labels.append(self.labels[f2])
        self._set(len(self.faces), [new, u, x])

    def opposite_of(self, f: int, a: int) -> int:
        """Vertex of face ``f`` following ``a`` twice (the apex)."""
        face = self.faces[f]
        return face[(face.index(a) + 2) % 3]

    def flip(self, u: int, v: int) -> None:
        """Replaces edge u-v by the other diagonal of its two faces."""
        f1, f2 = self.owner.pop((u, v)), self.owner.pop((v, u))
        w, x = self.opposite_of(f1, u), self.opposite_of(f2, v)
        self._set(f1, [x, v, w])
        self._set(f2, [w, u, x])

    def has_edge(self, a: int, b: int) -> bool:
        """Whether the undirected edge a-b exists."""
        return (a, b) in self.owner or (b, a) in self.owner
