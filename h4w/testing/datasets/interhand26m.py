"""A tiny InterHand2.6M in the upstream layout."""

import json
import os
import os.path as osp

import cv2
import numpy as np

from h4w.body_models.joint_sets import MANO_JOINTS
from h4w.synthetic import SyntheticPeople, project, rodrigues

from .coco_file import coco_db

__all__ = ['make_interhand26m', 'MANO_TO_IH']

IMG_SHAPE = (256, 384)
CAPTURE = 0
SEQ = 'ROM01_No_Interaction_2_Hand'
CAMERAS = ('400262', '400263')

#: Row of each InterHand joint (Thumb_4..1, ..., Pinky_4..1, Wrist) in the
#: MANO 21-joint supervision set (Wrist, Thumb_1..4, ..., Pinky_1..4).
MANO_TO_IH = tuple(
    MANO_JOINTS.index(f'{finger}_{level}')
    for finger in ('Thumb', 'Index', 'Middle', 'Ring', 'Pinky')
    for level in (4, 3, 2, 1)
) + (MANO_JOINTS.index('Wrist'),)


def _camera(angle: float, center: np.ndarray, focal, princpt) -> dict:
    """A camera turned by ``angle`` about the vertical axis through
    ``center`` (metres); R world->camera, t metres, campos millimetres."""
    R = rodrigues([0.0, angle, 0.0])
    t = center - R @ center
    return dict(
        R=R, t=t, campos=(-R.T @ t) * 1000.0, focal=focal, princpt=princpt
    )


def _frame(people: SyntheticPeople) -> dict:
    """A right hand (image left) and a left hand (image right), world
    frame = the frame of a camera at the origin."""
    height, width = IMG_SHAPE
    hands = {}
    for side, u in (('right', 0.3), ('left', 0.7)):
        hands[side] = people.place(
            'mano',
            IMG_SHAPE,
            key=side,
            fill=0.4,
            center=(u * width, 0.5 * height),
        )
    return hands


def make_interhand26m(root: str, model_root: str, seed: int = 0) -> str:
    """Write a train split (capture 0, frame 100 seen by two cameras,
    frame 200 by one) and a test split (frame 0, one camera), 384 x 256.

    Each image shows a right and a left MANO hand. ``world_coord`` holds
    their 21 supervision joints each in the InterHand order (right hand
    0-20, left 21-41), millimetres, world frame; the MANO fits are the
    world-frame parameters (metres). Special cases: frame 100 marks the
    right ``Pinky_4`` invalid; frame 200 marks the right wrist invalid
    (no right-hand sample) and has no left fit (``None``).

    Args:
        root (str): Output ``data/InterHand26M`` folder.
        model_root (str): Synthetic ``human_model_files``.
        seed (int): Seed.

    Returns:
        str: ``root``.
    """
    people = SyntheticPeople(model_root, seed)
    height, width = IMG_SHAPE
    plan = dict(train={100: CAMERAS, 200: CAMERAS[:1]}, test={0: CAMERAS[:1]})
    for split, frames in plan.items():
        images, annotations = [], []
        cameras = {}
        joints, fits = {}, {}
        for frame, cams in frames.items():
            hands = _frame(people)
            world = (
                np.concatenate(
                    [
                        hands[side]['joints'][list(MANO_TO_IH)]
                        for side in ('right', 'left')
                    ]
                )
                * 1000.0
            )
            valid = np.ones(42)
            fit = {
                side: dict(
                    pose=np.concatenate(
                        [
                            hands[side]['params']['root_pose'],
                            hands[side]['params']['hand_pose'],
                        ]
                    ).tolist(),
                    shape=hands[side]['params']['shape'].tolist(),
                    trans=hands[side]['params']['trans'].tolist(),
                )
                for side in ('right', 'left')
            }
            if frame == 100:
                valid[MANO_TO_IH.index(MANO_JOINTS.index('Pinky_4'))] = 0
            if frame == 200:
                valid[20] = 0  # right wrist
                fit['left'] = None
            joints[str(frame)] = dict(
                world_coord=world.tolist(),
                joint_valid=valid.tolist(),
                hand_type='interacting',
                hand_type_valid=True,
            )
            fits[str(frame)] = fit
            center = (
                hands['right']['joints'][0] + hands['left']['joints'][0]
            ) / 2
            for cam in cams:
                if cam not in cameras:  # fixed per capture
                    cameras[cam] = _camera(
                        0.12 * (2 * CAMERAS.index(cam) - 1),
                        center,
                        hands['right']['focal'],
                        hands['right']['princpt'],
                    )
                camera = cameras[cam]
                placed = []
                for hand in hands.values():
                    verts = hand['vertices'] @ camera['R'].T + camera['t']
                    placed.append(
                        dict(
                            vertices=verts,
                            faces=hand['faces'],
                            verts_2d=project(
                                verts, camera['focal'], camera['princpt']
                            ),
                        )
                    )
                name = f'Capture{CAPTURE}/{SEQ}/cam{cam}/image{frame:04d}.jpg'
                path = osp.join(root, 'images', split, name)
                os.makedirs(osp.dirname(path), exist_ok=True)
                cv2.imwrite(path, people.draw(placed, IMG_SHAPE))
                image_id = len(images) + (0 if split == 'train' else 100)
                images.append(
                    dict(
                        id=image_id,
                        file_name=name,
                        width=width,
                        height=height,
                        capture=CAPTURE,
                        seq_name=SEQ,
                        camera=cam,
                        frame_idx=frame,
                    )
                )
                annotations.append(
                    dict(
                        id=image_id,
                        image_id=image_id,
                        bbox=[0.0, 0.0, float(width), float(height)],
                        joint_valid=[[v] for v in valid],
                        hand_type='interacting',
                        hand_type_valid=1,
                    )
                )
        ann_dir = osp.join(root, 'annotations', split)
        os.makedirs(ann_dir, exist_ok=True)
        camera_db = {
            key: {
                cam: np.asarray(c[src]).tolist() for cam, c in cameras.items()
            }
            for key, src in (
                ('campos', 'campos'),
                ('camrot', 'R'),
                ('focal', 'focal'),
                ('princpt', 'princpt'),
            )
        }
        for kind, content in (
            (
                'data',
                coco_db(images, annotations, 'hand'),
            ),
            ('camera', {str(CAPTURE): camera_db}),
            ('joint_3d', {str(CAPTURE): joints}),
            ('MANO_NeuralAnnot', {str(CAPTURE): fits}),
        ):
            with open(
                osp.join(ann_dir, f'InterHand2.6M_{split}_{kind}.json'), 'w'
            ) as f:
                json.dump(content, f)
    return root
