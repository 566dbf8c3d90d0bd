"""A tiny EHF in Hand4Whole's layout, and a PLY writer."""

import json
import os
import os.path as osp
from typing import Optional

import cv2
import numpy as np

from h4w.synthetic import SyntheticPeople, project, rodrigues

from .coco_file import coco_db

__all__ = [
    'EHF_ROTATION',
    'EHF_TRANSLATION',
    'make_ehf',
    'project_ehf_mesh',
    'write_ply',
]

#: EHF camera rotation (axis-angle, spec §5.4): camera = R G + t.
EHF_ROTATION = (-2.98747896, 0.01172457, -0.05704687)
#: Camera translation of the fixture (metres; not used by the metric).
EHF_TRANSLATION = (0.05, 0.4, 2.4)

IMG_SHAPE = (300, 400)  # (H, W); the real images are 1200 x 1600


def write_ply(
    path: str,
    vertices: np.ndarray,
    faces: Optional[np.ndarray] = None,
    fmt: str = 'binary_little_endian',
    normals: Optional[np.ndarray] = None,
    comment: Optional[str] = 'h4w fixture',
) -> str:
    """Write a triangle mesh as PLY 1.0.

    Vertices are ``float x, y, z`` (then ``float nx, ny, nz`` when
    ``normals`` is given); faces a ``list uchar int vertex_indices``
    element after the vertices, as mesh tools write SMPL-X meshes.

    Args:
        path (str): Output file.
        vertices (np.ndarray): (V, 3).
        faces (np.ndarray, optional): (F, 3) vertex indices.
        fmt (str): ``'binary_little_endian'``, ``'binary_big_endian'`` or
            ``'ascii'``.
        normals (np.ndarray, optional): (V, 3).
        comment (str, optional): A header comment line.

    Returns:
        str: ``path``.
    """
    vertices = np.asarray(vertices, dtype=np.float32).reshape(-1, 3)
    columns = [vertices]
    names = ['x', 'y', 'z']
    if normals is not None:
        columns.append(np.asarray(normals, np.float32).reshape(-1, 3))
        names += ['nx', 'ny', 'nz']
    table = np.concatenate(columns, axis=1)
    header = ['ply', f'format {fmt} 1.0']
    if comment:
        header.append(f'comment {comment}')
    header.append(f'element vertex {len(vertices)}')
    header += [f'property float {n}' for n in names]
    if faces is not None:
        faces = np.asarray(faces, dtype=np.int32).reshape(-1, 3)
        header += [
            f'element face {len(faces)}',
            'property list uchar int vertex_indices',
        ]
    header.append('end_header')
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(('\n'.join(header) + '\n').encode('ascii'))
        if fmt == 'ascii':
            lines = [' '.join(f'{v:.9g}' for v in row) for row in table]
            if faces is not None:
                lines += [f'3 {a} {b} {c}' for a, b, c in faces]
            f.write(('\n'.join(lines) + '\n').encode('ascii'))
            return path
        order = {'binary_little_endian': '<', 'binary_big_endian': '>'}[fmt]
        f.write(table.astype(order + 'f4').tobytes())
        if faces is not None:
            rows = np.zeros(
                len(faces), dtype=[('n', 'u1'), ('i', order + 'i4', (3,))]
            )
            rows['n'] = 3
            rows['i'] = faces
            f.write(rows.tobytes())
    return path


def make_ehf(
    root: str,
    model_root: str,
    seed: int = 0,
    num_frames: int = 2,
    ply_format: str = 'binary_little_endian',
    record: Optional[dict] = None,
) -> str:
    """Write ``num_frames`` EHF frames: ``data/EHF.json``,
    ``data/<nn>_img.jpg`` and ``data/<nn>_align.ply``.

    Each frame shows one SMPL-X person drawn by :class:`SyntheticPeople`
    in front of a camera (focal 1.2 W, principal point at the centre). The
    GT mesh is stored in the EHF world frame ``G = R^T (V_cam - t)`` with
    ``R = rodrigues(EHF_ROTATION)`` and ``t = EHF_TRANSLATION``, in metres,
    with the SMPL-X faces. ``body_bbox`` is the tight box of the projected
    mesh, ``lefthand_bbox`` / ``righthand_bbox`` / ``face_bbox`` the tight
    boxes of the MANO / FLAME vertices of SMPL-X (xywh).

    Args:
        root (str): Output ``data/EHF`` folder.
        model_root (str): Synthetic ``human_model_files``.
        seed (int): Seed.
        num_frames (int): Frames (images) to write.
        ply_format (str): PLY format of the GT meshes (see
            :func:`write_ply`).
        record (dict, optional): Filled with ``{image_id: dict(vertices
            (camera frame), verts_2d, focal, princpt, R, t)}``.

    Returns:
        str: ``root``.
    """
    people = SyntheticPeople(model_root, seed)
    layer = people.model('smplx')
    part_ids = dict(
        lefthand_bbox=layer.lhand_vertex_ids.numpy(),
        righthand_bbox=layer.rhand_vertex_ids.numpy(),
        face_bbox=layer.face_vertex_ids.numpy(),
    )
    R = rodrigues(EHF_ROTATION)
    t = np.asarray(EHF_TRANSLATION, dtype=np.float64)
    data_dir = osp.join(root, 'data')
    os.makedirs(data_dir, exist_ok=True)
    images, annotations = [], []
    for frame in range(1, num_frames + 1):
        person = people.place('smplx', IMG_SHAPE, fill=0.75)
        img = people.draw([person], IMG_SHAPE)
        name = f'{frame:02d}_img.jpg'
        cv2.imwrite(osp.join(data_dir, name), img)
        world = (person['vertices'].astype(np.float64) - t) @ R
        write_ply(
            osp.join(data_dir, f'{frame:02d}_align.ply'),
            world,
            person['faces'],
            fmt=ply_format,
        )
        images.append(
            dict(
                id=frame,
                file_name=name,
                height=IMG_SHAPE[0],
                width=IMG_SHAPE[1],
            )
        )
        ann = dict(
            id=100 + frame,
            image_id=frame,
            body_bbox=_tight_box(person['verts_2d']),
        )
        for key, ids in part_ids.items():
            ann[key] = _tight_box(person['verts_2d'][ids])
        annotations.append(ann)
        if record is not None:
            record[frame] = dict(
                vertices=person['vertices'],
                verts_2d=person['verts_2d'],
                focal=person['focal'],
                princpt=person['princpt'],
                R=R,
                t=t,
            )
    with open(osp.join(data_dir, 'EHF.json'), 'w') as f:
        json.dump(
            coco_db(images, annotations),
            f,
        )
    return root


def _tight_box(points: np.ndarray) -> list:
    """xywh of the box around (N, 2) points."""
    x1, y1 = points.min(0)
    x2, y2 = points.max(0)
    return [float(x1), float(y1), float(x2 - x1), float(y2 - y1)]


def project_ehf_mesh(mesh: np.ndarray, camera: dict) -> np.ndarray:
    """Project a GT mesh (EHF world frame) with a ``record`` camera."""
    cam = np.asarray(mesh, np.float64) @ np.asarray(
        camera['R']
    ).T + np.asarray(camera['t'])
    return project(cam, camera['focal'], camera['princpt'])
