"""Write triangle meshes as ``.obj`` and ``.ply`` files."""

import os
import os.path as osp
from typing import Optional, Sequence

import numpy as np

__all__ = ['write_obj', 'write_ply']


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
