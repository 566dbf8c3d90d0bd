"""Wavefront OBJ files of triangle meshes (the demo's ``output.obj``,
spec §9.1 step 6): vertices and faces only, NumPy only."""

import os
import os.path as osp
from typing import Tuple

import numpy as np

__all__ = ['read_obj', 'write_obj']


def read_obj(path: str) -> Tuple[np.ndarray, np.ndarray]:
    """Read the vertices and triangles of an OBJ file.

    ``v`` lines give vertices (extra values such as colours are ignored),
    ``f`` lines faces with 1-based (or negative, relative) indices in any
    of the forms ``a``, ``a/t``, ``a//n``, ``a/t/n``; polygons with more
    than three corners are split into a triangle fan. Other lines
    (normals, texture coordinates, groups, materials) are skipped.

    Args:
        path (str): ``.obj`` file.

    Returns:
        tuple: vertices (V, 3) float64 and faces (F, 3) int64 (0-based).

    Raises:
        FileNotFoundError: The file is missing.
        ValueError: A line cannot be parsed, or a face index is out of
            range (the message names the file and line).

    Examples:
        >>> import tempfile
        >>> with tempfile.NamedTemporaryFile('w', suffix='.obj') as f:
        ...     _ = f.write('v 0 0 1\\nv 1 0 1\\nv 0 1 1\\nv 1 1 1\\n'
        ...                 'f 1/1 2/2 4/4 3/3\\n')
        ...     f.flush()
        ...     verts, faces = read_obj(f.name)
        >>> verts.shape, faces.tolist()
        ((4, 3), [[0, 1, 3], [0, 3, 2]])
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'OBJ file not found: {path}')
    verts, faces = [], []
    with open(path) as file:
        for line_no, line in enumerate(file, 1):
            parts = line.split()
            if not parts or parts[0] not in ('v', 'f'):
                continue
            try:
                if parts[0] == 'v':
                    verts.append([float(x) for x in parts[1:4]])
                    if len(verts[-1]) != 3:
                        raise ValueError('a vertex needs 3 coordinates')
                    continue
                corners = [int(p.split('/')[0]) for p in parts[1:]]
                if len(corners) < 3:
                    raise ValueError('a face needs 3 corners')
                corners = [c - 1 if c > 0 else len(verts) + c for c in corners]
                if min(corners) < 0 or max(corners) >= len(verts):
                    raise ValueError('face index out of range')
                faces.extend(
                    [corners[0], corners[i], corners[i + 1]]
                    for i in range(1, len(corners) - 1)
                )
            except ValueError as exc:
                raise ValueError(f'{path}:{line_no}: {exc}') from None
    return (
        np.asarray(verts, dtype=np.float64).reshape(-1, 3),
        np.asarray(faces, dtype=np.int64).reshape(-1, 3),
    )


def write_obj(path: str, vertices: np.ndarray, faces: np.ndarray) -> str:
    """Write a triangle mesh as the reference demo does (``v x y z``
    lines, then ``f a/a b/b c/c`` with 1-based indices repeated as
    texture indices); the folder is created. Returns ``path``.

    Args:
        path (str): ``.obj`` file.
        vertices (np.ndarray): (V, 3).
        faces (np.ndarray): (F, 3) 0-based vertex indices.
    """
    vertices = np.asarray(vertices, dtype=np.float64).reshape(-1, 3)
    faces = np.asarray(faces, dtype=np.int64).reshape(-1, 3) + 1
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as file:
        file.writelines(f'v {x} {y} {z}\n' for x, y, z in vertices)
        file.writelines(f'f {a}/{a} {b}/{b} {c}/{c}\n' for a, b, c in faces)
    return path
