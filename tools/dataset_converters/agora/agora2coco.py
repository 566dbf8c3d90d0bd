"""Convert AGORA's ground truth to the layout of ``AGORADataset`` (§8).

Reads, under ``--dataset-path`` P (AGORA's downloads):

* the per-split tables ``P/SMPLX/*.pkl`` (training, e.g.
  ``train_0_withjv.pkl``) and ``P/validation_SMPLX/SMPLX/*.pkl``
  (``--model smpl``: ``P/SMPL/*.pkl``, ``P/validation_SMPL/SMPL/*.pkl``):
  one row per image with the columns ``imgPath``, ``gt_path_smplx``
  (``gt_path_smpl``), ``gt_joints_2d`` (per person: 127 x 2 SMPL-X or
  45 x 2 SMPL joints, 3840x2160 pixels), ``gender``, ``kid``,
  ``occlusion``, ``isValid``, ``age``, ``ethnicity`` (per person), the
  camera ``camX``, ``camY``, ``camZ`` (cm), ``camYaw`` (degrees) and the
  person placement ``X``, ``Y``, ``Z`` (cm), ``Yaw`` (degrees, per
  person). AGORA ships them as pickled pandas DataFrames, which need
  pandas to unpickle; a pickled dict of columns ``{column: list}`` is
  read without pandas.
* per person, the world-frame fit ``P/<gt path with .pkl>``: SMPL-X
  ``global_orient``, ``body_pose``, ``jaw_pose``, ``leye_pose``,
  ``reye_pose``, ``left_hand_pose``, ``right_hand_pose``, ``betas``,
  ``expression``, ``transl`` (SMPL: ``root_pose``, ``body_pose``,
  ``betas``, ``translation``); NumPy arrays, lists or torch tensors.

Writes, under P:

* ``smplx_params_cam/<folder>/<img stem>/<person>.json``: the fit in the
  camera frame (same keys, ``betas[:10]``; SMPL: ``smpl_params_cam`` with
  ``global_orient``, ``body_pose``, ``betas``, ``transl``);
* ``cam_params/<folder>/<img stem>.json``: ``{'focal': (fx, fy),
  'princpt': (1920, 1080)}`` in 3840x2160 pixels;
* ``AGORA_{train,validation}_SMPLX.json`` (``_SMPL.json``): ``images``
  ``{id, file_name_3840x2160, file_name_1280x720}`` and ``annotations``
  ``{id, image_id, person_id, smplx_param_path, cam_param_path, gender,
  kid, occlusion, is_valid, age, ethnicity, bbox, lhand_bbox, rhand_bbox,
  face_bbox}``; boxes are xywh (3840x2160) of AGORA's 2D joints (all for
  the body, 15 finger joints + 5 tips per hand, 51 face landmarks),
  enlarged x1.2 around the centre (SMPL: ``bbox`` only).

``<folder>`` is ``train_k`` (table name before ``_withjv``) or
``validation``; ids run over both splits.

The camera-frame fit (§8): the GENDERED model (betas[:10],
``flat_hand_mean=False``) without ``transl`` gives joints J and the root
r0 = J[0]; world joints W = J + transl go through AGORA's camera model
(:func:`world_to_camera`) to camera joints C; the rigid R, t (no scale)
with C ~ R W + t (:func:`h4w.evaluation.functional.rigid_transform`,
pytorch3d's ``corresponding_points_alignment`` upstream) gives
``global_orient <- R G`` and ``transl <- -r0 + R (r0 + transl) + t``
(SMPL-X rotates about its root joint).

The pickles are loaded with :mod:`pickle`: only run this on AGORA files
you trust.

Example:
    python tools/dataset_converters/agora/agora2coco.py \\
        --dataset-path data/AGORA/data \\
        --human-model-path data/human_model_files --model smplx
"""

import argparse
import glob
import json
import os
import os.path as osp
import pickle
import sys
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch

from h4w.datasets.datasets.agora_dataset import (
    AGORA_SMPL_JOINT_NAMES,
    AGORA_SMPLX_JOINT_NAMES,
    agora_boxes,
)
from h4w.evaluation.functional import rigid_transform
from h4w.models import body_models  # noqa: F401 (registers the layers)
from h4w.registry import MODELS

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from agora_common import (  # noqa: E402 (this folder is on sys.path now)
    add_print_every,
    argument_parser,
    require_dataset_path,
)

# --------------------------------------------------------------- camera
#: Sensor of AGORA's virtual DSLR (mm, width x height) and render size.
SENSOR_MM = (36.0, 20.25)
IMG_SIZE = (3840, 2160)  # (W, H)


def _fixed_camera(
    focal_mm: float,
    position: Tuple[float, float, float],
    yaw: float,
    pitch: float,
    scene3d: bool,
) -> dict:
    """A fixed camera as :func:`scene_camera` returns it (no ground-plane
    offset)."""
    return dict(
        focal_mm=focal_mm,
        position=position,
        yaw=yaw,
        pitch=pitch,
        ground=(0.0, 0.0, 0.0),
        scene3d=scene3d,
    )


#: Fixed cameras of AGORA's scenes, by a substring of the image name:
#: focal length (mm), position (Unreal, cm), yaw / pitch (degrees),
#: ground-plane offset (OpenCV axes, m; only for 3D scenes), 3D scene.
#: Checked in this order; other names use the table's ``camX/Y/Z`` and
#: ``camYaw`` with 28 mm, no pitch and the ground plane at y = -1.7 m.
FIXED_CAMERAS = (
    ('hdri', _fixed_camera(50.0, (0.0, 0.0, 170.0), 0.0, 0.0, False)),
    ('cam00', _fixed_camera(18.0, (400.0, -275.0, 265.0), 135.0, 30.0, True)),
    ('cam01', _fixed_camera(18.0, (400.0, 225.0, 265.0), -135.0, 30.0, True)),
    ('cam02', _fixed_camera(18.0, (-490.0, 170.0, 265.0), -45.0, 30.0, True)),
    ('cam03', _fixed_camera(18.0, (-490.0, -275.0, 265.0), 45.0, 30.0, True)),
    ('ag2', _fixed_camera(28.0, (0.0, 0.0, 170.0), 0.0, 15.0, False)),
)
TABLE_CAMERA = dict(
    focal_mm=28.0, pitch=0.0, ground=(0.0, -1.7, 0.0), scene3d=True
)
#: Scans are rotated by 90 degrees about the vertical axis.
PERSON_YAW_OFFSET = -90.0


def scene_camera(img_name: str, table: Dict[str, list], row: int) -> dict:
    """The camera of one AGORA render (see :data:`FIXED_CAMERAS`).

    Returns:
        dict: ``focal_mm``, ``position`` (3,) Unreal cm, ``yaw``,
        ``pitch`` (degrees), ``ground`` (3,) metres, ``scene3d``.
    """
    for key, cam in FIXED_CAMERAS:
        if key in img_name:
            return dict(cam)
    return dict(
        TABLE_CAMERA,
        position=tuple(float(table[k][row]) for k in ('camX', 'camY', 'camZ')),
        yaw=float(table['camYaw'][row]),
    )


def intrinsics(
    focal_mm: float,
) -> Tuple[Tuple[float, float], Tuple[float, float]]:
    """Focal (fx, fy) and principal point of the 3840x2160 render:
    ``f_px = f_mm / sensor_mm * image_px`` per axis, centre (1920, 1080).
    """
    width, height = IMG_SIZE
    focal = (focal_mm / SENSOR_MM[0] * width, focal_mm / SENSOR_MM[1] * height)
    return focal, (width / 2.0, height / 2.0)


def unreal_to_opencv(points: np.ndarray) -> np.ndarray:
    """Unreal axes (x forward, y right, z up) -> OpenCV axes (x right,
    y down, z forward): ``(x, y, z) -> (y, -z, x)``. (N, 3)."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    return np.stack([points[:, 1], -points[:, 2], points[:, 0]], axis=1)


def body_to_opencv(points: np.ndarray) -> np.ndarray:
    """SMPL-X / SMPL model axes (y up, z towards the viewer) -> OpenCV:
    y and z negated (a rotation by pi about x). (N, 3)."""
    return np.asarray(points, dtype=np.float64).reshape(-1, 3) * [1, -1, -1]


def rotation_y(degrees: float) -> np.ndarray:
    """Rotation about y by ``degrees`` (cv2.Rodrigues([0, a, 0]))."""
    a = np.deg2rad(degrees)
    return np.array(
        [
            [np.cos(a), 0.0, np.sin(a)],
            [0.0, 1.0, 0.0],
            [-np.sin(a), 0.0, np.cos(a)],
        ]
    )


def rotation_x(degrees: float) -> np.ndarray:
    """Rotation about x by ``degrees`` (cv2.Rodrigues([a, 0, 0]))."""
    a = np.deg2rad(degrees)
    return np.array(
        [
            [1.0, 0.0, 0.0],
            [0.0, np.cos(a), -np.sin(a)],
            [0.0, np.sin(a), np.cos(a)],
        ]
    )


def world_to_camera(
    points: np.ndarray,
    camera: dict,
    person_position: Sequence[float],
    person_yaw: float,
) -> np.ndarray:
    """AGORA's projection pipeline up to the camera frame (metres).

    1. Model axes -> OpenCV axes (:func:`body_to_opencv`).
    2. Person yaw: ``R_y(yaw - 90)`` (the scans' 90 degree offset).
    3. Person position: Unreal cm -> m -> OpenCV axes, added.
    4. Camera position: the same conversion plus the ground-plane offset
       for 3D scenes, subtracted.
    5. Camera yaw ``R_y(-camYaw)``, then pitch ``R_x(pitch)``.

    Args:
        points (np.ndarray): (N, 3) world-frame joints of the fit
            (model output + ``transl``), metres.
        camera (dict): :func:`scene_camera`.
        person_position (Sequence[float]): ``X, Y, Z`` (Unreal cm).
        person_yaw (float): ``Yaw`` (degrees).

    Returns:
        np.ndarray: (N, 3) float64 camera-frame points (OpenCV).
    """
    pts = body_to_opencv(points)
    pts = pts @ rotation_y(person_yaw + PERSON_YAW_OFFSET).T
    pts = pts + unreal_to_opencv(np.asarray(person_position) / 100.0)
    cam_pos = unreal_to_opencv(np.asarray(camera['position']) / 100.0)
    if camera['scene3d']:
        cam_pos = cam_pos + np.asarray(camera['ground'])
    pts = (pts - cam_pos) @ rotation_y(-camera['yaw']).T
    return pts @ rotation_x(camera['pitch']).T


def project(
    points: np.ndarray, focal: Sequence[float], princpt: Sequence[float]
) -> np.ndarray:
    """Pinhole projection (N, 3) -> (N, 2)."""
    points = np.asarray(points, dtype=np.float64)
    return points[:, :2] / points[:, 2:] * focal + np.asarray(princpt)


# ---------------------------------------------------------------- models
def _model_spec(
    model: str,
    suffix: str,
    layer: str,
    keys: Dict[str, str],
    joint_names: Sequence[str],
) -> dict:
    """The entry of :data:`MODEL_SPECS` of one body model; folders, columns
    and keys follow AGORA's naming (``SMPLX/``, ``gt_path_smplx`` ...)."""
    return dict(
        train_glob=f'{suffix}/*.pkl',
        val_glob=f'validation_{suffix}/{suffix}/*.pkl',
        gt_column=f'gt_path_{model}',
        layer=layer,
        keys=keys,
        num_joints=len(joint_names),
        params_dir=f'{model}_params_cam',
        param_path_key=f'{model}_param_path',
        suffix=suffix,
    )


#: Per body model: table folders, GT path column, fit keys
#: (layer argument -> pkl key), joints in ``gt_joints_2d``, param folder.
MODEL_SPECS = dict(
    smplx=_model_spec(
        'smplx',
        'SMPLX',
        'SMPLXModel',
        dict(
            global_orient='global_orient',
            body_pose='body_pose',
            jaw_pose='jaw_pose',
            leye_pose='leye_pose',
            reye_pose='reye_pose',
            left_hand_pose='left_hand_pose',
            right_hand_pose='right_hand_pose',
            betas='betas',
            expression='expression',
            transl='transl',
        ),
        AGORA_SMPLX_JOINT_NAMES,
    ),
    smpl=_model_spec(
        'smpl',
        'SMPL',
        'SMPLModel',
        dict(
            global_orient='root_pose',
            body_pose='body_pose',
            betas='betas',
            transl='translation',
        ),
        AGORA_SMPL_JOINT_NAMES,
    ),
)

TABLE_COLUMNS = (
    'imgPath',
    'gt_joints_2d',
    'gender',
    'kid',
    'occlusion',
    'isValid',
    'age',
    'ethnicity',
    'camX',
    'camY',
    'camZ',
    'camYaw',
    'X',
    'Y',
    'Z',
    'Yaw',
)


class ConversionError(RuntimeError):
    """Bad input; the message names the file (and row / person)."""


def load_table(path: str, gt_column: str) -> Dict[str, list]:
    """An AGORA table as ``{column: list}``.

    Accepts a pickled pandas DataFrame (needs pandas) or a pickled dict
    of columns (lists, arrays or pandas Series).
    """
    try:
        with open(path, 'rb') as f:
            data = pickle.load(f, encoding='latin1')
    except ModuleNotFoundError as err:
        if (err.name or '').split('.')[0] == 'pandas':
            raise ConversionError(
                f'{path} is a pickled pandas DataFrame and pandas is not '
                'installed: `pip install pandas` for the conversion, or '
                're-save the table as a pickled dict {column: list}'
            ) from err
        raise ConversionError(f'{path}: cannot unpickle ({err})') from err
    except (
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        ValueError,
        OSError,
    ) as err:
        raise ConversionError(f'{path}: cannot unpickle ({err})') from err
    if hasattr(data, 'columns') and hasattr(data, 'to_dict'):
        table = {str(k): list(data[k]) for k in data.columns}
    elif isinstance(data, dict):
        table = {str(k): list(v) for k, v in data.items()}
    else:
        raise ConversionError(
            f'{path}: expected a DataFrame or a dict of '
            f'columns, got {type(data).__name__}'
        )
    missing = [c for c in TABLE_COLUMNS + (gt_column,) if c not in table]
    if missing:
        raise ConversionError(f'{path}: missing columns {missing}')
    lengths = {len(v) for v in table.values()}
    if len(lengths) != 1:
        raise ConversionError(f'{path}: columns of different lengths')
    return table


def _array(value: Any) -> np.ndarray:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64).reshape(-1)


def _plain(value: Any) -> Any:
    """A JSON-serialisable copy (NumPy scalars / arrays, tensors)."""
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _rotate_axis_angle(rotation: np.ndarray, aa: np.ndarray) -> np.ndarray:
    mat = cv2.Rodrigues(np.asarray(aa, np.float64).reshape(3))[0]
    return cv2.Rodrigues(rotation @ mat)[0].reshape(3)


class Converter:
    """Camera-frame fits, boxes and annotation files of one body model.

    Args:
        dataset_path (str): AGORA root (inputs and outputs).
        human_model_path (str): ``human_model_files`` root (gendered
            models).
        model (str): ``'smplx'`` or ``'smpl'``.
        print_every (int): Progress line every N images.
    """

    def __init__(
        self,
        dataset_path: str,
        human_model_path: str,
        model: str = 'smplx',
        print_every: int = 100,
    ) -> None:
        self.root = dataset_path
        self.model_path = human_model_path
        self.model = model
        self.spec = MODEL_SPECS[model]
        self.print_every = max(1, int(print_every))
        self._layers: Dict[str, torch.nn.Module] = {}
        self.image_id = 0
        self.ann_id = 0

    def layer(self, gender: str) -> torch.nn.Module:
        if gender not in self._layers:
            cfg = dict(
                type=self.spec['layer'],
                model_path=self.model_path,
                gender=gender,
            )
            if self.model == 'smplx':
                cfg.update(
                    j14_regressor_file=None,
                    hand_vertex_ids_file=None,
                    face_vertex_ids_file=None,
                )
            self._layers[gender] = MODELS.build(cfg).eval()
        return self._layers[gender]

    # ------------------------------------------------------------ fits
    def load_fit(self, path: str) -> Dict[str, np.ndarray]:
        """World-frame fit of one person (layer argument -> (D,))."""
        if not osp.isfile(path):
            raise ConversionError(f'fit file not found: {path}')
        try:
            with open(path, 'rb') as f:
                raw = pickle.load(f, encoding='latin1')
            fit = {
                arg: _array(raw[key]) for arg, key in self.spec['keys'].items()
            }
        except (
            KeyError,
            TypeError,
            ValueError,
            EOFError,
            pickle.UnpicklingError,
        ) as err:
            raise ConversionError(
                f'{path}: bad fit file ({type(err).__name__}: {err})'
            ) from err
        fit['betas'] = fit['betas'][:10]  # kids: 11 betas (upstream #59)
        return fit

    @torch.no_grad()
    def camera_fit(
        self,
        fit: Dict[str, np.ndarray],
        gender: str,
        camera: dict,
        position: Sequence[float],
        yaw: float,
    ) -> Dict[str, np.ndarray]:
        """The fit in the camera frame (see the module docstring)."""
        layer = self.layer(gender)
        args = {
            k: torch.as_tensor(v, dtype=torch.float32)[None]
            for k, v in fit.items()
            if k != 'transl'
        }
        joints = layer(**args)['output_joints'][0].double().numpy()
        joints = joints[: self.spec['num_joints']]
        root = joints[0]
        world = joints + fit['transl']
        cam = world_to_camera(world, camera, position, yaw)
        _, rot, trans = rigid_transform(world, cam, with_scale=False)
        out = dict(fit)
        out['global_orient'] = _rotate_axis_angle(rot, fit['global_orient'])
        out['transl'] = -root + rot @ (root + fit['transl']) + trans
        return out

    # ----------------------------------------------------------- tables
    def convert_split(self, split: str) -> Optional[str]:
        """Convert ``'train'`` or ``'validation'``; returns the written
        annotation file (None when the split has no table)."""
        pattern = self.spec['train_glob' if split == 'train' else 'val_glob']
        tables = sorted(glob.glob(osp.join(self.root, pattern)))
        if not tables:
            print(
                f'[agora2coco] {split}: no table matches '
                f'{osp.join(self.root, pattern)}; skipped',
                flush=True,
            )
            return None
        images: List[dict] = []
        annotations: List[dict] = []
        start = time.perf_counter()
        done = 0
        for table_path in tables:
            table = load_table(table_path, self.spec['gt_column'])
            folder = (
                osp.basename(table_path).split('_withjv')[0]
                if split == 'train'
                else 'validation'
            )
            for row in range(len(table['imgPath'])):
                try:
                    self._convert_image(
                        table, row, folder, images, annotations
                    )
                except ConversionError:
                    raise
                except (KeyError, IndexError, TypeError, ValueError) as err:
                    raise ConversionError(
                        f'{table_path}: row {row} '
                        f'({table["imgPath"][row]}): {type(err).__name__}: '
                        f'{err}'
                    ) from err
                done += 1
                if done % self.print_every == 0:
                    print(
                        f'[agora2coco] {split}: {done} images, '
                        f'{len(annotations)} persons '
                        f'({time.perf_counter() - start:.0f} s)',
                        flush=True,
                    )
        out = osp.join(self.root, f'AGORA_{split}_{self.spec["suffix"]}.json')
        with open(out, 'w') as f:
            json.dump(dict(images=images, annotations=annotations), f)
        print(
            f'[agora2coco] {split}: {done} images, {len(annotations)} '
            f'persons -> {out}',
            flush=True,
        )
        return out

    def _convert_image(
        self,
        table: Dict[str, list],
        row: int,
        folder: str,
        images: List[dict],
        annotations: List[dict],
    ) -> None:
        img_file = str(table['imgPath'][row])
        stem = osp.splitext(osp.basename(img_file))[0]
        camera = scene_camera(img_file, table, row)
        focal, princpt = intrinsics(camera['focal_mm'])
        image_id = self.image_id
        self.image_id += 1
        images.append(
            {
                'id': image_id,
                'file_name_3840x2160': f'images_3840x2160/{folder}/{img_file}',
                'file_name_1280x720': (
                    f'images_1280x720/{folder}/{stem}_1280x720.png'
                ),
            }
        )
        cam_rel = f'cam_params/{folder}/{stem}.json'
        gt_paths = table[self.spec['gt_column']][row]
        for person, gt_path in enumerate(gt_paths):
            joints_2d = np.asarray(
                table['gt_joints_2d'][row][person], dtype=np.float64
            ).reshape(-1, 2)
            if len(joints_2d) != self.spec['num_joints']:
                other = 'smpl' if self.model == 'smplx' else 'smplx'
                raise ConversionError(
                    f'row {row} ({img_file}) person {person}: gt_joints_2d '
                    f'has {len(joints_2d)} joints, --model {self.model} '
                    f'expects {self.spec["num_joints"]} (a table of the '
                    f'other body model? try --model {other}; upstream #86)'
                )
            gender = str(table['gender'][row][person]).lower()
            fit_path = osp.join(
                self.root, osp.splitext(str(gt_path))[0] + '.pkl'
            )
            fit = self.load_fit(fit_path)
            position = [float(table[k][row][person]) for k in ('X', 'Y', 'Z')]
            cam_fit = self.camera_fit(
                fit, gender, camera, position, float(table['Yaw'][row][person])
            )
            param_rel = (
                f'{self.spec["params_dir"]}/{folder}/{stem}/{person}.json'
            )
            self._write_json(
                param_rel,
                {key: cam_fit[key].tolist() for key in self.spec['keys']},
            )
            ann = {
                'id': self.ann_id,
                'image_id': image_id,
                'person_id': person,
                self.spec['param_path_key']: param_rel,
                'cam_param_path': cam_rel,
            }
            for key, column in (
                ('gender', 'gender'),
                ('kid', 'kid'),
                ('occlusion', 'occlusion'),
                ('is_valid', 'isValid'),
                ('age', 'age'),
                ('ethnicity', 'ethnicity'),
            ):
                ann[key] = _plain(table[column][row][person])
            boxes = agora_boxes(joints_2d, parts=self.model == 'smplx')
            ann.update({key: box.tolist() for key, box in boxes.items()})
            annotations.append(ann)
            self.ann_id += 1
        self._write_json(
            cam_rel, {'focal': list(focal), 'princpt': list(princpt)}
        )

    def _write_json(self, rel: str, content: dict) -> None:
        path = osp.join(self.root, rel)
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(content, f)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argument_parser(__doc__)
    parser.add_argument(
        '--human-model-path',
        required=True,
        help='human_model_files root with the male and '
        'female SMPL-X (SMPL) models',
    )
    parser.add_argument(
        '--model',
        choices=sorted(MODEL_SPECS),
        default='smplx',
        help='body model of the tables (default: %(default)s)',
    )
    parser.add_argument(
        '--splits',
        nargs='+',
        choices=('train', 'validation'),
        default=['train', 'validation'],
    )
    add_print_every(parser, 100, 'images')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> List[str]:
    args = parse_args(argv)
    require_dataset_path(args.dataset_path)
    converter = Converter(
        args.dataset_path, args.human_model_path, args.model, args.print_every
    )
    written = [converter.convert_split(s) for s in args.splits]
    written = [w for w in written if w]
    if not written:
        sys.exit(
            f'no AGORA table found under {args.dataset_path} for '
            f'--model {args.model}'
        )
    return written


if __name__ == '__main__':
    try:
        main()
    except ConversionError as err:
        sys.exit(f'agora2coco: {err}')
