"""A tiny MPI-INF-3DHP in the upstream parsed layout."""

import json
import os
import os.path as osp

import cv2
import numpy as np

from h4w.body_models.joint_sets import (
    H36M_JOINTS,
    SMPL_JOINTS,
    SMPLX_JOINTS,
)
from h4w.datasets.datasets.mpi_inf_3dhp_dataset import MPIINF3DHPDataset
from h4w.synthetic import SyntheticPeople, project, rodrigues

from .coco_file import coco_db

__all__ = ['make_mpi_inf_3dhp', 'MPI_INF_3DHP_JOINTS']

#: The 17 joints of ``MPI-INF-3DHP_joint_3d.json`` (upstream order),
#: those of :class:`MPIINF3DHPDataset`.
MPI_INF_3DHP_JOINTS = MPIINF3DHPDataset.METAINFO['joint_names']

#: Image (H, W) of the fixture (the real "1k" images are 1024 x 1024).
IMG_SHAPE = (512, 512)

#: (subject, sequence, frame, camera) of each image; frame 4 is not on
#: the every-3rd-frame grid.
FRAMES = ((1, 2, 0, 0), (1, 2, 3, 2), (1, 2, 4, 0))


def _camera(rng, cam_idx: int) -> dict:
    """A camera looking at the world origin from ~4.5 m (R, t in mm)."""
    R = rodrigues([0.05 * rng.standard_normal(), 0.3 * cam_idx - 0.2, 0.0])
    t = np.array([0.0, 0.0, 4500.0]) + rng.uniform(-150, 150, 3) * [1, 1, 0]
    return dict(
        R=R.tolist(),
        t=t.tolist(),
        focal=[620.0, 620.0],
        princpt=[256.0, 256.0],
    )


def _joints(world: dict, model_type: str) -> np.ndarray:
    """(17, 3) world joints: the model's where the names match, the
    Human3.6M regressor's for Torso, Head and Head_top."""
    names = (
        SMPLX_JOINTS if model_type == 'smplx' else SMPL_JOINTS
    ).joint_names
    out = [
        world['joints'][names.index(name)]
        if name in names
        else world['h36m_joints'][H36M_JOINTS.index(name)]
        for name in MPI_INF_3DHP_JOINTS
    ]
    return np.array(out, dtype=np.float64)


def _fit(params: dict, kind: str) -> dict:
    fit = {k: v.tolist() for k, v in params.items()}
    if kind == 'smpl':
        fit = dict(
            pose=fit['root_pose'] + fit['body_pose'],
            shape=fit['shape'],
            trans=fit['trans'],
        )
    return fit


def make_mpi_inf_3dhp(
    root: str, model_root: str, seed: int = 0, model_type: str = 'smplx'
) -> str:
    """Write three frames of subject 1, sequence 2.

    Layout (``root`` = ``data/MPI_INF_3DHP``)::

        data/images_1k/S1/Seq2/imageSequence/img_{cam}_{frame:06d}.jpg
        data/MPI-INF-3DHP_1k.json          COCO images + boxes
        data/MPI-INF-3DHP_camera_1k.json   {s: {q: {cam: R, t mm, focal,
                                            princpt}}}
        data/MPI-INF-3DHP_joint_3d.json    {s: {q: {frame: 17 x 3 mm}}}
        data/MPI-INF-3DHP_SMPLX_NeuralAnnot.json  {s: {q: {frame: fit}}}
        data/MPI-INF-3DHP_SMPL_NeuralAnnot.json

    Frames 0 (camera 0) and 3 (camera 2) are on the sampling grid, frame
    4 (camera 0) is not. The person of each frame is a world-frame
    (y down) SMPL-X or SMPL fit with the pelvis near the origin; the 17
    joints are in millimetres.

    Args:
        root (str): Output ``data/MPI_INF_3DHP`` folder.
        model_root (str): Synthetic ``human_model_files``.
        seed (int): Seed.
        model_type (str): Which model is drawn; the other fit file holds
            a different person. Both fit files are written.

    Returns:
        str: ``root``.
    """
    rng = np.random.default_rng(seed)
    people = SyntheticPeople(model_root, seed)
    data_dir = osp.join(root, 'data')
    height, width = IMG_SHAPE
    cameras, joints = {}, {}
    fits = {'smplx': {}, 'smpl': {}}
    images, annotations = [], []
    for subject, seq, frame, cam_idx in FRAMES:
        s, q, f = str(subject), str(seq), str(frame)
        cams = cameras.setdefault(s, {}).setdefault(q, {})
        cam = cams.setdefault(str(cam_idx), _camera(rng, cam_idx))
        person = {}
        for kind in ('smplx', 'smpl'):
            params = people.random_params(kind)
            out = people.forward(kind, params)
            params['trans'] = (-out['joints'][0]).astype(np.float32)
            person[kind] = (params, people.forward(kind, params))
            fits[kind].setdefault(s, {}).setdefault(q, {})[f] = _fit(
                params, kind
            )
        world = person[model_type][1]
        joints.setdefault(s, {}).setdefault(q, {})[f] = (
            _joints(world, model_type) * 1000
        ).tolist()
        R, t = np.array(cam['R']), np.array(cam['t']) / 1000.0
        verts = world['vertices'] @ R.T + t
        verts_2d = project(verts, cam['focal'], cam['princpt'])
        img = people.draw(
            [dict(vertices=verts, verts_2d=verts_2d, faces=world['faces'])],
            IMG_SHAPE,
        )
        name = f'img_{cam_idx}_{frame:06d}.jpg'
        path = osp.join(
            data_dir, 'images_1k', f'S{s}', f'Seq{q}', 'imageSequence', name
        )
        os.makedirs(osp.dirname(path), exist_ok=True)
        cv2.imwrite(path, img)
        (x1, y1), (x2, y2) = verts_2d.min(0), verts_2d.max(0)
        img_id = len(images)
        images.append(
            dict(
                id=img_id,
                file_name=name,
                width=width,
                height=height,
                subject_idx=subject,
                seq_idx=seq,
                frame_idx=frame,
                cam_idx=cam_idx,
            )
        )
        annotations.append(
            dict(
                id=img_id,
                image_id=img_id,
                category_id=1,
                iscrowd=0,
                bbox=[float(x1), float(y1), float(x2 - x1), float(y2 - y1)],
            )
        )
    for file_name, content in (
        (
            'MPI-INF-3DHP_1k.json',
            coco_db(images, annotations),
        ),
        ('MPI-INF-3DHP_camera_1k.json', cameras),
        ('MPI-INF-3DHP_joint_3d.json', joints),
        ('MPI-INF-3DHP_SMPLX_NeuralAnnot.json', fits['smplx']),
        ('MPI-INF-3DHP_SMPL_NeuralAnnot.json', fits['smpl']),
    ):
        with open(osp.join(data_dir, file_name), 'w') as f:
            json.dump(content, f)
    return root
