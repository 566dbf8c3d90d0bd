"""Triangle meshes as ``.obj`` (read and write) and ``.ply`` (write)
files; NumPy only."""

import os
import os.path as osp
from typing import Optional, Sequence, Tuple

import numpy as np

__all__ = ['read_obj', 'write_obj', 'write_ply']


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


def _check(vertices: np.ndarray, faces: np.ndarray):
    vertices = np.asarray(vertices, dtype=np.float64)
    faces = np.asarray(faces, dtype=np.int64)
    if vertices.ndim != 2 or vertices.shape[1] != 3:
        raise ValueError(f'vertices must be (V, 3), got {vertices.shape}')
    if faces.ndim != 2 or faces.shape[1] != 3:
        raise ValueError(f'faces must be (F, 3), got {faces.shape}')
    if len(faces) and (faces.min() < 0 or faces.max() >= len(vertices)):
        raise ValueError(
            f'face indices span [{faces.min()}, {faces.max()}] but there '
            f'are {len(vertices)} vertices'
        )
    return vertices, faces


def _makedirs(path: str) -> None:
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)


def write_obj(path: str, vertices: np.ndarray, faces: np.ndarray) -> str:
    """Write an ASCII Wavefront ``.obj``: ``v x y z`` lines then 1-based
    ``f a b c`` lines (as the reference demo, without its texture indices).

    Args:
        path (str): Output file (folder created).
        vertices (np.ndarray): (V, 3).
        faces (np.ndarray): (F, 3) 0-based vertex indices.

    Returns:
        str: ``path``.
    """
    vertices, faces = _check(vertices, faces)
    _makedirs(path)
    with open(path, 'w') as f:
        np.savetxt(f, vertices, fmt='v %.6f %.6f %.6f')
        np.savetxt(f, faces + 1, fmt='f %d %d %d')
    return path


def write_ply(
    path: str,
    vertices: np.ndarray,
    faces: np.ndarray,
    color: Optional[Sequence[int]] = None,
) -> str:
    """Write a binary little-endian ``.ply`` (float32 x, y, z; optional
    uint8 RGB per vertex; uint8-count int32 triangle lists).

    Args:
        path (str): Output file (folder created).
        vertices (np.ndarray): (V, 3).
        faces (np.ndarray): (F, 3) 0-based vertex indices.
        color (Sequence[int], optional): One RGB colour for every vertex.

    Returns:
        str: ``path``.
    """
    vertices, faces = _check(vertices, faces)
    _makedirs(path)
    vertex_fields = [('x', '<f4'), ('y', '<f4'), ('z', '<f4')]
    if color is not None:
        vertex_fields += [('red', 'u1'), ('green', 'u1'), ('blue', 'u1')]
    vertex_data = np.empty(len(vertices), dtype=vertex_fields)
    vertex_data['x'], vertex_data['y'], vertex_data['z'] = vertices.T
    if color is not None:
        red, green, blue = (int(c) for c in color)
        vertex_data['red'] = red
        vertex_data['green'] = green
        vertex_data['blue'] = blue
    face_data = np.empty(
        len(faces), dtype=[('n', 'u1'), ('vertex_indices', '<i4', (3,))]
    )
    face_data['n'] = 3
    face_data['vertex_indices'] = faces
    header = ['ply', 'format binary_little_endian 1.0', 'comment h4w']
    header.append(f'element vertex {len(vertices)}')
    header += [f'property float {name}' for name in 'xyz']
    if color is not None:
        header += [
            f'property uchar {name}' for name in ('red', 'green', 'blue')
        ]
    header.append(f'element face {len(faces)}')
    header.append('property list uchar int vertex_indices')
    header.append('end_header')
    with open(path, 'wb') as f:
        f.write(('\n'.join(header) + '\n').encode('ascii'))
        f.write(vertex_data.tobytes())
        f.write(face_data.tobytes())
    return path
