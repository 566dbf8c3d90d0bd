"""A tiny AGORA: the processed layout of ``AGORADataset`` and the raw
layout read by ``tools/dataset_converters/agora``.

:func:`make_agora` writes what the converter and the crop tool produce
(annotation files, camera-frame fits, camera files, person crops, 720p
renders, test boxes) for synthetic gendered people placed directly in
the camera frame. :func:`make_agora_raw` writes AGORA's own files (the
per-split tables as pickled dicts of columns, world-frame fits, renders)
for people placed in AGORA's world with an AGORA camera; its projection
(:func:`agora_forward`) is written independently of the converter so the
converter test checks one against the other.

Image sizes: the 720p renders are 1280x720 as in AGORA (the dataset
scales by ``W / 3840``); crops are drawn directly with the crop camera.
The raw "4K" renders are written downscaled by :data:`RAW_DOWNSCALE`
(960x540): boxes, 2D joints and cameras stay in 3840x2160 pixels and the
crop tool resamples a render of another size (see its docstring).
"""

import json
import os
import os.path as osp
import pickle
import shutil
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch

from h4w.datasets.datasets.agora_dataset import (
    AGORA_FULL_SHAPE,
    AGORA_SMPLX_PART_INDICES,
    PARAM_KEYS,
    crop_file_stem,
)
from h4w.datasets.transforms.topdown_affine import get_patch_transform
from h4w.structures.bbox import bbox_from_points, process_bbox
from h4w.synthetic import SyntheticPeople, project, rodrigues
from h4w.synthetic.synthetic_people import LAYER_ARGS

__all__ = [
    'make_agora',
    'make_agora_raw',
    'agora_forward',
    'RAW_DOWNSCALE',
    'RAW_CAMERAS',
    'raw_table',
]

#: 4K camera of the processed fixture (28 mm lens on the 36 mm sensor).
FOCAL_4K = (28.0 / 36.0 * 3840, 28.0 / 20.25 * 2160)
PRINCPT_4K = (1920.0, 1080.0)
CROP_SHAPE = (512, 384)
LOW_SHAPE = (720, 1280)
#: Raw renders are written at 3840x2160 / RAW_DOWNSCALE.
RAW_DOWNSCALE = 4

#: SMPL-X parameter name -> processed json key (those that
#: :class:`AGORADataset` reads).
JSON_KEYS = PARAM_KEYS['smplx'][1]
SUFFIX = dict(smplx='SMPLX', smpl='SMPL')


def _run(
    people: SyntheticPeople, kind: str, params: dict, gender: str
) -> dict:
    """Vertices, layer output joints and faces of a fit."""
    layer = people.model(kind, gender)
    args = {
        LAYER_ARGS[k]: torch.as_tensor(
            np.asarray(v)[:10] if k == 'shape' else v, dtype=torch.float32
        )[None]
        for k, v in params.items()
        if k in LAYER_ARGS
    }
    with torch.no_grad():
        out = layer(**args)
    return dict(
        vertices=out['vertices'][0].double().numpy(),
        output_joints=out['output_joints'][0].double().numpy(),
        faces=layer.faces.cpu().numpy().astype(np.int64),
    )


def _agora_joints(out: dict, kind: str) -> np.ndarray:
    """AGORA's joints: 127 SMPL-X / 45 SMPL layer joints."""
    return out['output_joints'][: 127 if kind == 'smplx' else 45]


def _draw(
    people: SyntheticPeople,
    persons: Sequence[dict],
    focal,
    princpt,
    shape: Tuple[int, int],
) -> np.ndarray:
    """Draw the camera-frame meshes seen by a pinhole camera; people
    entirely outside the image are not drawn."""
    placed = []
    for person in persons:
        verts_2d = project(person['vertices'], focal, princpt)
        lo, hi = verts_2d.min(0), verts_2d.max(0)
        if (hi < 0).any() or lo[0] >= shape[1] or lo[1] >= shape[0]:
            continue
        placed.append(
            dict(
                vertices=person['vertices'],
                verts_2d=verts_2d,
                faces=person['faces'],
            )
        )
    return people.draw(placed, shape, noise=False)


def _affine_camera(mat: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """The 4K camera mapped through an axis-aligned (2, 3) affine."""
    diag = np.array([mat[0, 0], mat[1, 1]])
    return (
        np.asarray(FOCAL_4K) * diag,
        np.asarray(PRINCPT_4K) * diag + mat[:, 2],
    )


def _write_json(path: str, content) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(content, f)


def _camera_person(
    people: SyntheticPeople,
    kind: str,
    gender: str,
    target: Sequence[float],
    kid: bool,
) -> dict:
    """A fit in the camera frame with its body centre at ``target``."""
    params = people.random_params(kind)
    if kid and kind == 'smplx':
        params['shape'] = np.concatenate(
            [params['shape'], np.array([0.7], np.float32)]
        )
    rest = _run(people, kind, params, gender)
    mid = (rest['vertices'].min(0) + rest['vertices'].max(0)) / 2
    params['trans'] = (np.asarray(target) - mid).astype(np.float32)
    out = _run(people, kind, params, gender)
    out.update(params=params, gender=gender, kid=kid)
    return out


def _fit_json(person: dict, kind: str) -> dict:
    params = person['params']
    if kind == 'smpl':
        return dict(
            global_orient=params['root_pose'].tolist(),
            body_pose=params['body_pose'].tolist(),
            betas=params['shape'].tolist(),
            transl=params['trans'].tolist(),
        )
    out = {JSON_KEYS[k]: np.asarray(v).tolist() for k, v in params.items()}
    out.update(leye_pose=[0.0] * 3, reye_pose=[0.0] * 3)
    return out


def _person_boxes(person: dict, kind: str) -> dict:
    joints_2d = project(_agora_joints(person, kind), FOCAL_4K, PRINCPT_4K)
    ones = np.ones(len(joints_2d))
    boxes = dict(bbox=bbox_from_points(joints_2d, ones).tolist())
    if kind == 'smplx':
        for part, idx in AGORA_SMPLX_PART_INDICES.items():
            idx = list(idx)
            boxes[f'{part}_bbox'] = bbox_from_points(
                joints_2d[idx], ones[idx]
            ).tolist()
    return boxes


def _write_scene(
    root: str,
    people: SyntheticPeople,
    persons: List[dict],
    folder: str,
    img_file: str,
    kind: str,
) -> None:
    """720p render and one crop (png + json) per person."""
    stem = osp.splitext(img_file)[0]
    scale = np.array(
        [
            LOW_SHAPE[1] / AGORA_FULL_SHAPE[1],
            LOW_SHAPE[0] / AGORA_FULL_SHAPE[0],
        ]
    )
    low = _draw(
        people,
        persons,
        np.asarray(FOCAL_4K) * scale,
        np.asarray(PRINCPT_4K) * scale,
        LOW_SHAPE,
    )
    low_path = osp.join(
        root, 'images_1280x720', folder, f'{stem}_1280x720.png'
    )
    os.makedirs(osp.dirname(low_path), exist_ok=True)
    cv2.imwrite(low_path, low)
    crop_dir = osp.join(root, 'images_3840x2160', f'{folder}_crop')
    os.makedirs(crop_dir, exist_ok=True)
    for k, person in enumerate(persons):
        box = process_bbox(
            person['boxes']['bbox'],
            0,
            0,
            aspect_ratio=CROP_SHAPE[1] / CROP_SHAPE[0],
            sanitize=False,
        )
        x, y, w, h = box
        mat = get_patch_transform(
            (x + w / 2, y + h / 2), (w, h), CROP_SHAPE[::-1], 1.0, 0.0
        )
        focal, princpt = _affine_camera(mat)
        crop = _draw(people, persons, focal, princpt, CROP_SHAPE)
        name = crop_file_stem(img_file, k)
        cv2.imwrite(osp.join(crop_dir, f'{name}.png'), crop)
        _write_json(
            osp.join(crop_dir, f'{name}.json'),
            {
                'bbox_orig': box.tolist(),
                'affine_mat': mat.tolist(),
                'resized_height': CROP_SHAPE[0],
                'resized_width': CROP_SHAPE[1],
            },
        )


def make_agora(
    root: str, model_root: str, seed: int = 0, model_type: str = 'smplx'
) -> str:
    """Write the processed AGORA layout (see :class:`AGORADataset`).

    * train (``train_0``): one render with three people, the third with
      ``is_valid`` false; the first is a kid with 11 betas;
    * validation: one render with two people;
    * test: a copy of the validation render under a test name, with the
      people's boxes in ``AGORA_test_bbox.json``.

    Fits are gendered (male / female) SMPL-X (``model_type='smpl'``:
    SMPL) in the camera frame of a 28 mm AGORA camera; the drawn people
    are the gendered meshes. Every person gets a 512x384 crop.

    Args:
        root (str): Output ``data/AGORA/data`` folder.
        model_root (str): Synthetic ``human_model_files``.
        seed (int): Seed.
        model_type (str): ``'smplx'`` or ``'smpl'``.

    Returns:
        str: ``root``.
    """
    people = SyntheticPeople(model_root, seed)
    rng = np.random.default_rng(seed)
    suffix = SUFFIX[model_type]
    params_dir = f'{model_type}_params_cam'
    genders = ('male', 'female')
    scenes = dict(
        train=(
            'train_0',
            'ag_trainset_renderpeople_bfh_archviz_5_10_cam02_00001.png',
            (-1.7, 0.0, 1.7),
        ),
        validation=(
            'validation',
            'ag_validationset_renderpeople_bfh_flowers_5_15_00000.png',
            (-1.1, 1.1),
        ),
    )
    image_id = ann_id = 0
    for split, (folder, img_file, xs) in scenes.items():
        stem = osp.splitext(img_file)[0]
        persons = []
        for k, x in enumerate(xs):
            target = (x, rng.uniform(-0.2, 0.2), rng.uniform(5.5, 7.0))
            person = _camera_person(
                people,
                model_type,
                genders[k % 2],
                target,
                kid=split == 'train' and k == 0,
            )
            person['boxes'] = _person_boxes(person, model_type)
            persons.append(person)
        _write_scene(root, people, persons, folder, img_file, model_type)
        cam_rel = f'cam_params/{folder}/{stem}.json'
        _write_json(
            osp.join(root, cam_rel),
            dict(focal=list(FOCAL_4K), princpt=list(PRINCPT_4K)),
        )
        images = [
            {
                'id': image_id,
                'file_name_3840x2160': f'images_3840x2160/{folder}/{img_file}',
                'file_name_1280x720': (
                    f'images_1280x720/{folder}/{stem}_1280x720.png'
                ),
            }
        ]
        annotations = []
        for k, person in enumerate(persons):
            param_rel = f'{params_dir}/{folder}/{stem}/{k}.json'
            _write_json(
                osp.join(root, param_rel), _fit_json(person, model_type)
            )
            ann = {
                'id': ann_id,
                'image_id': image_id,
                'person_id': k,
                f'{model_type}_param_path': param_rel,
                'cam_param_path': cam_rel,
                'gender': person['gender'],
                'kid': person['kid'],
                'occlusion': 0.0,
                'is_valid': not (split == 'train' and k == 2),
                'age': '31-50',
                'ethnicity': 'asian',
            }
            ann.update(person['boxes'])
            annotations.append(ann)
            ann_id += 1
        image_id += 1
        _write_json(
            osp.join(root, f'AGORA_{split}_{suffix}.json'),
            dict(images=images, annotations=annotations),
        )
        if split == 'validation':
            _copy_as_test(root, folder, img_file, persons)
    return root


TEST_FILE = 'ag_testset_renderpeople_bfh_flowers_5_15_00000.png'


def _copy_as_test(
    root: str, folder: str, img_file: str, persons: List[dict]
) -> None:
    """The validation render and crops, renamed as a test render."""
    stem, test_stem = osp.splitext(img_file)[0], osp.splitext(TEST_FILE)[0]
    dst = osp.join(root, 'images_1280x720', 'test')
    os.makedirs(dst, exist_ok=True)
    shutil.copy(
        osp.join(root, 'images_1280x720', folder, f'{stem}_1280x720.png'),
        osp.join(dst, f'{test_stem}_1280x720.png'),
    )
    src_dir = osp.join(root, 'images_3840x2160', f'{folder}_crop')
    dst_dir = osp.join(root, 'images_3840x2160', 'test_crop')
    os.makedirs(dst_dir, exist_ok=True)
    for k in range(len(persons)):
        for ext in ('png', 'json'):
            shutil.copy(
                osp.join(src_dir, f'{crop_file_stem(img_file, k)}.{ext}'),
                osp.join(dst_dir, f'{crop_file_stem(TEST_FILE, k)}.{ext}'),
            )
    _write_json(
        osp.join(root, 'AGORA_test_bbox.json'),
        {TEST_FILE: [{'bbox': p['boxes']['bbox']} for p in persons]},
    )


# ------------------------------------------------------------------- raw
#: Cameras of the raw fixture, written out independently of the
#: converter: (focal mm, Unreal position cm, yaw, pitch, ground offset
#: (OpenCV axes, m), 3D scene). ``None`` position: the table's camera.
RAW_CAMERAS = dict(
    cam02=(18.0, (-490.0, 170.0, 265.0), -45.0, 30.0, (0.0, 0.0, 0.0), True),
    table=(28.0, None, None, 0.0, (0.0, -1.7, 0.0), True),
    hdri=(50.0, (0.0, 0.0, 170.0), 0.0, 0.0, (0.0, 0.0, 0.0), False),
    ag2=(28.0, (0.0, 0.0, 170.0), 0.0, 15.0, (0.0, 0.0, 0.0), False),
    cam00=(18.0, (400.0, -275.0, 265.0), 135.0, 30.0, (0.0, 0.0, 0.0), True),
)

#: Unreal (x fwd, y right, z up) -> OpenCV (x right, y down, z fwd).
UNREAL_TO_CV = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, -1.0], [1.0, 0.0, 0.0]])
#: Model axes (y up) -> OpenCV (y down): pi about x.
BODY_TO_CV = np.diag([1.0, -1.0, -1.0])


def agora_forward(
    camera: tuple,
    cam_position: Sequence[float],
    cam_yaw: float,
    person_position: Sequence[float],
    person_yaw: float,
) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """AGORA world (fit) frame -> camera frame and intrinsics.

    Composes, as one rigid map ``x_cam = R x + t``: the model axes to
    OpenCV axes, the person yaw about the vertical (``Yaw - 90``
    degrees), the person position (Unreal cm to OpenCV m), minus the
    camera position (plus the ground offset of 3D scenes), the camera yaw
    (``-camYaw``) and pitch about x.

    Args:
        camera (tuple): An entry of :data:`RAW_CAMERAS`.
        cam_position (Sequence[float]): Unreal cm (table cameras).
        cam_yaw (float): Degrees (table cameras).
        person_position (Sequence[float]): ``X, Y, Z`` Unreal cm.
        person_yaw (float): ``Yaw`` degrees.

    Returns:
        tuple: ``R`` (3, 3), ``t`` (3,), ``focal`` (2,), ``princpt`` (2,)
        (3840x2160 pixels).
    """
    focal_mm, position, yaw, pitch, ground, scene3d = camera
    position = cam_position if position is None else position
    yaw = cam_yaw if yaw is None else yaw
    cam_rot = rodrigues([np.deg2rad(pitch), 0, 0]) @ rodrigues(
        [0, np.deg2rad(-yaw), 0]
    )
    body_rot = rodrigues([0, np.deg2rad(person_yaw - 90.0), 0]) @ BODY_TO_CV
    cam_center = UNREAL_TO_CV @ (np.asarray(position, float) / 100.0)
    if scene3d:
        cam_center = cam_center + np.asarray(ground)
    offset = UNREAL_TO_CV @ (np.asarray(person_position, float) / 100.0)
    R = cam_rot @ body_rot
    t = cam_rot @ (offset - cam_center)
    focal = np.array([focal_mm * 3840 / 36.0, focal_mm * 2160 / 20.25])
    return R, t, focal, np.array([1920.0, 1080.0])


def _raw_fit(people: SyntheticPeople, kind: str, rng) -> Dict[str, np.ndarray]:
    """A world-frame fit (upright, y up) as AGORA stores it."""
    params = people.random_params(kind)
    params['root_pose'] = (rng.standard_normal(3) * 0.1).astype(np.float32)
    params['trans'] = rng.uniform(-0.3, 0.3, 3).astype(np.float32)
    return params


def _raw_pkl(params: dict, kind: str) -> dict:
    if kind == 'smpl':  # AGORA's SMPL fits hold torch tensors
        return dict(
            root_pose=torch.as_tensor(params['root_pose'])[None],
            body_pose=torch.as_tensor(params['body_pose'])[None],
            betas=torch.as_tensor(params['shape'])[None],
            translation=torch.as_tensor(params['trans'])[None],
        )
    out = {
        JSON_KEYS[k]: np.asarray(v, np.float32)[None]
        for k, v in params.items()
    }
    out.update(
        leye_pose=np.zeros((1, 3), np.float32),
        reye_pose=np.zeros((1, 3), np.float32),
    )
    return out


def make_agora_raw(
    root: str,
    model_root: str,
    seed: int = 0,
    model_type: str = 'smplx',
    cameras: Sequence[str] = ('cam02', 'table'),
) -> dict:
    """Write AGORA's raw files for ``agora2coco.py`` and the crop tool.

    One training render per name of ``cameras`` (2 people, table
    ``SMPLX/train_0_withjv.pkl``), one validation render with a table
    camera (1 person, ``validation_SMPLX/SMPLX/validation_0_withjv.pkl``)
    and a test render (``images_3840x2160/test``) with its boxes in
    ``AGORA_test_bbox.json``. Tables are pickled dicts of columns (one
    entry per render; per-person columns hold lists). Fits are gendered
    (the first person of a render male, the second female), world frame;
    ``gt_joints_2d`` are the 127 (SMPL: 45) layer joints projected with
    :func:`agora_forward`. Renders are written downscaled by
    :data:`RAW_DOWNSCALE`.

    Returns:
        dict: ``root`` and, per image file name, ``R``, ``t``, ``focal``,
        ``princpt`` and per person ``fit`` (world), ``gender``,
        ``joints_cam`` (the forward model's camera-frame joints).
    """
    people = SyntheticPeople(model_root, seed)
    rng = np.random.default_rng(seed)
    suffix = SUFFIX[model_type]
    gt_column = f'gt_path_{model_type}'
    small = (
        AGORA_FULL_SHAPE[0] // RAW_DOWNSCALE,
        AGORA_FULL_SHAPE[1] // RAW_DOWNSCALE,
    )
    info: dict = dict(root=root, images={})
    renders = [
        (
            'train',
            'train_0',
            cam,
            f'ag_trainset_renderpeople_bfh_archviz_5_10_{cam}_0000{i}.png'
            if cam != 'table'
            else f'ag_trainset_renderpeople_body_flowers_5_15_0000{i}.png',
            2,
        )
        for i, cam in enumerate(cameras)
    ]
    renders.append(
        (
            'validation',
            'validation',
            'table',
            'ag_validationset_renderpeople_bfh_brushifygrasslands_'
            '5_15_00000.png',
            1,
        )
    )
    renders.append(
        (
            'test',
            'test',
            'table',
            'ag_testset_renderpeople_bfh_brushifygrasslands_5_15_00003.png',
            2,
        )
    )
    tables: Dict[str, dict] = {}
    test_boxes: Dict[str, list] = {}
    for split, folder, cam_key, img_file, count in renders:
        camera = RAW_CAMERAS[cam_key]
        cam_position = rng.uniform([-300, -300, 150], [300, 300, 250])
        cam_yaw = float(rng.uniform(-180, 180))
        yaw0 = camera[2] if camera[2] is not None else cam_yaw
        persons = []
        stem = osp.splitext(img_file)[0]
        for k in range(count):
            gender = ('male', 'female')[k % 2]
            params = _raw_fit(people, model_type, rng)
            # face the camera: person yaw = camera yaw + 90 (+ jitter)
            yaw = float(yaw0 + 90 + rng.uniform(-25, 25))
            # where the body centre should appear in the camera frame
            target = np.array(
                [
                    (k - (count - 1) / 2) * 1.8,
                    rng.uniform(-0.1, 0.1),
                    rng.uniform(6.0, 7.5),
                ]
            )
            R, t0, focal, princpt = agora_forward(
                camera, cam_position, cam_yaw, (0, 0, 0), yaw
            )
            world = _run(
                people,
                model_type,
                {k: v for k, v in params.items() if k != 'trans'},
                gender,
            )
            world_trans = world['vertices'] + params['trans']
            centre = (world_trans.min(0) + world_trans.max(0)) / 2
            # solve R c + t0 + A p = target for the position p (Unreal cm)
            cam_rot = R @ np.linalg.inv(
                rodrigues([0, np.deg2rad(yaw - 90.0), 0]) @ BODY_TO_CV
            )
            shift = np.linalg.solve(
                cam_rot @ UNREAL_TO_CV / 100.0, target - (R @ centre + t0)
            )
            position = shift.tolist()
            R, t, focal, princpt = agora_forward(
                camera, cam_position, cam_yaw, position, yaw
            )
            joints_world = _agora_joints(world, model_type) + params['trans']
            joints_cam = joints_world @ R.T + t
            verts_cam = world_trans @ R.T + t
            joints_2d = project(joints_cam, focal, princpt)
            gt_rel = f'{model_type}_gt/{split}/{stem}_{k}.obj'
            path = osp.join(root, osp.splitext(gt_rel)[0] + '.pkl')
            os.makedirs(osp.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                pickle.dump(_raw_pkl(params, model_type), f)
            persons.append(
                dict(
                    fit=params,
                    gender=gender,
                    gt_path=gt_rel,
                    yaw=yaw,
                    position=position,
                    joints_2d=joints_2d.astype(np.float64),
                    joints_cam=joints_cam,
                    vertices=verts_cam,
                    faces=world['faces'],
                )
            )
        info['images'][img_file] = dict(
            R=R, t=t, focal=focal, princpt=princpt, persons=persons
        )
        img = _draw(
            people,
            persons,
            focal / RAW_DOWNSCALE,
            princpt / RAW_DOWNSCALE,
            small,
        )
        img_path = osp.join(root, 'images_3840x2160', folder, img_file)
        os.makedirs(osp.dirname(img_path), exist_ok=True)
        cv2.imwrite(img_path, img)
        if split == 'test':
            test_boxes[img_file] = [
                {
                    'bbox': bbox_from_points(
                        p['joints_2d'], np.ones(len(p['joints_2d']))
                    ).tolist()
                }
                for p in persons
            ]
            continue
        row = dict(
            imgPath=img_file,
            camX=float(cam_position[0]),
            camY=float(cam_position[1]),
            camZ=float(cam_position[2]),
            camYaw=cam_yaw,
            gt_joints_2d=[p['joints_2d'] for p in persons],
            X=[p['position'][0] for p in persons],
            Y=[p['position'][1] for p in persons],
            Z=[p['position'][2] for p in persons],
            Yaw=[p['yaw'] for p in persons],
            gender=[p['gender'] for p in persons],
            kid=[False] * count,
            occlusion=[5.0] * count,
            isValid=[True] * count,
            age=['31-50'] * count,
            ethnicity=['white'] * count,
        )
        row[gt_column] = [p['gt_path'] for p in persons]
        column = tables.setdefault(split, {})
        for key, value in row.items():
            column.setdefault(key, []).append(value)
    for split, column in tables.items():
        rel = (
            f'{suffix}/train_0_withjv.pkl'
            if split == 'train'
            else f'validation_{suffix}/{suffix}/validation_0_withjv.pkl'
        )
        path = osp.join(root, rel)
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            pickle.dump(column, f)
    _write_json(osp.join(root, 'AGORA_test_bbox.json'), test_boxes)
    return info


def raw_table(
    root: str, split: str = 'train', model_type: str = 'smplx'
) -> Optional[dict]:
    """Read back a raw table written by :func:`make_agora_raw`."""
    suffix = SUFFIX[model_type]
    rel = (
        f'{suffix}/train_0_withjv.pkl'
        if split == 'train'
        else f'validation_{suffix}/{suffix}/validation_0_withjv.pkl'
    )
    path = osp.join(root, rel)
    if not osp.isfile(path):
        return None
    with open(path, 'rb') as f:
        return pickle.load(f)
