"""A tiny Human3.6M in the upstream parsed layout."""

import json
import os
import os.path as osp

import cv2
import numpy as np

from h4w.synthetic import SyntheticPeople, project, rodrigues

from .coco_file import coco_db

__all__ = ['make_human36m']


def _camera(rng) -> dict:
    """A camera looking at the world origin from ~4 m (R, t in mm)."""
    R = rodrigues([0.05 * rng.standard_normal(), rng.uniform(-0.4, 0.4), 0.0])
    t = np.array([0.0, 0.0, 4000.0]) + rng.uniform(-200, 200, 3) * [1, 1, 0]
    return dict(
        R=R.tolist(), t=t.tolist(), f=[1100.0, 1100.0], c=[500.0, 500.0]
    )


def make_human36m(
    root: str, model_root: str, seed: int = 0, model_type: str = 'smplx'
) -> str:
    """Write subjects 1 (train) and 9 (test) with two frames each.

    Per subject: frames 0 and 320 (kept by both the train ratio 5 and the
    test ratio 64) seen by cameras 1 and 4. The person's pose is a world
    frame SMPL-X (or SMPL) fit; the 17 joints are the Human3.6M
    regressor's, in millimetres.

    Args:
        root (str): Output ``data/Human36M`` folder.
        model_root (str): Synthetic ``human_model_files``.
        seed (int): Seed.
        model_type (str): ``'smplx'`` (writes the SMPL-X fits) or
            ``'smpl'``; both fit files are always written.

    Returns:
        str: ``root``.
    """
    rng = np.random.default_rng(seed)
    people = SyntheticPeople(model_root, seed)
    ann_dir = osp.join(root, 'annotations')
    os.makedirs(ann_dir, exist_ok=True)
    img_shape = (1000, 1000)
    for subject in (1, 9):
        cams = {str(c): _camera(rng) for c in (1, 4)}
        images, annotations, joints = [], [], {}
        fits = {'smplx': {}, 'smpl': {}}
        for frame in (0, 320):
            person = {}
            for kind in ('smplx', 'smpl'):
                params = people.random_params(kind)
                # upright in a y-down world, pelvis near the origin
                params['trans'] = np.array([0, 0, 0], np.float32)
                out = people.forward(kind, params)
                params['trans'] = (-out['joints'][0]).astype(np.float32)
                person[kind] = (params, people.forward(kind, params))
            params, world = person[model_type]
            for kind, (p, _) in person.items():
                fit = {k: v.tolist() for k, v in p.items()}
                if kind == 'smpl':
                    fit = dict(
                        pose=p['root_pose'].tolist() + p['body_pose'].tolist(),
                        shape=fit['shape'],
                        trans=fit['trans'],
                    )
                fits[kind].setdefault('2', {}).setdefault('1', {})[
                    str(frame)
                ] = fit
            joints.setdefault('2', {}).setdefault('1', {})[str(frame)] = (
                world['h36m_joints'] * 1000
            ).tolist()
            for cam_idx, cam in cams.items():
                R = np.array(cam['R'])
                t = np.array(cam['t']) / 1000.0
                verts = world['vertices'] @ R.T + t
                placed = dict(vertices=verts, faces=world['faces'])
                placed['verts_2d'] = project(verts, cam['f'], cam['c'])
                img = people.draw([placed], img_shape)
                name = (
                    f's_{subject:02d}_act_02_subact_01_ca_0{cam_idx}/'
                    f's_{subject:02d}_act_02_subact_01_ca_0{cam_idx}_'
                    f'{frame + 1:06d}.jpg'
                )
                path = osp.join(root, 'images', name)
                os.makedirs(osp.dirname(path), exist_ok=True)
                cv2.imwrite(path, img)
                x1, y1 = placed['verts_2d'].min(0)
                x2, y2 = placed['verts_2d'].max(0)
                image_id = len(images) + subject * 100
                images.append(
                    dict(
                        id=image_id,
                        file_name=name,
                        width=img_shape[1],
                        height=img_shape[0],
                        subject=subject,
                        action_name='x',
                        action_idx=2,
                        subaction_idx=1,
                        frame_idx=frame,
                        cam_idx=int(cam_idx),
                    )
                )
                annotations.append(
                    dict(
                        id=image_id,
                        image_id=image_id,
                        iscrowd=0,
                        bbox=[
                            float(x1),
                            float(y1),
                            float(x2 - x1),
                            float(y2 - y1),
                        ],
                    )
                )
        prefix = osp.join(ann_dir, f'Human36M_subject{subject}')
        for kind, content in (
            ('data', coco_db(images, annotations)),
            ('camera', cams),
            ('joint_3d', joints),
            ('SMPLX_NeuralAnnot', fits['smplx']),
            ('SMPL_NeuralAnnot', fits['smpl']),
        ):
            with open(f'{prefix}_{kind}.json', 'w') as f:
                json.dump(content, f)
    return root
