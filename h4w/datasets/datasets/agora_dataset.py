"""AGORA (spec §5.4 "AGORA", §5.5 "AGORA (body, SMPL)", §6.3, §8)."""

import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from h4w.body_models import GENDERS, PARAM_LAYOUTS
from h4w.body_models.joint_sets import (
    SMPL_PARAM_JOINTS,
    SMPLX_JOINTS,
    SMPLX_OUTPUT_JOINT_NAMES,
)
from h4w.registry import DATASETS
from h4w.structures.bbox import (
    bbox_from_points,
    process_bbox,
    sanitize_bbox,
    xywh_to_xyxy,
)
from h4w.structures.keypoint import affine_points

from .base import (
    BaseMeshDataset,
    annotation_context,
    read_json,
    require_file,
)

__all__ = [
    'AGORADataset',
    'AGORA_FULL_SHAPE',
    'AGORA_SMPLX_JOINT_NAMES',
    'AGORA_SMPL_JOINT_NAMES',
    'AGORA_SMPLX_PART_INDICES',
    'agora_boxes',
    'agora_flip_pairs',
    'crop_file_stem',
    'invert_affine',
]

#: (H, W) of the original AGORA renders; every box and camera of the
#: annotation files is in these pixels.
AGORA_FULL_SHAPE = (2160, 3840)

#: AGORA's 127 SMPL-X joints (``gt_joints_2d`` / ``gt_joints_3d``): the
#: SMPL-X layer output without the 17 face-contour landmarks (55
#: kinematic joints, 21 vertex joints, Face_5 .. Face_55).
AGORA_SMPLX_JOINT_NAMES = SMPLX_OUTPUT_JOINT_NAMES[:127]

#: AGORA's 45 SMPL joints: the 24 kinematic joints and smplx's 21 vertex
#: joints (nose, eyes, ears, feet, finger tips).
AGORA_SMPL_JOINT_NAMES = (
    SMPL_PARAM_JOINTS.joint_names + SMPLX_OUTPUT_JOINT_NAMES[55:76]
)


def _part_indices() -> Dict[str, Tuple[int, ...]]:
    """Rows of the 127-joint set behind the part boxes of ``tool/AGORA``:
    per hand the 15 finger joints and the 5 tips (no wrist), the 51 face
    landmarks for the face."""
    names = AGORA_SMPLX_JOINT_NAMES
    out = {}
    for part, side in (('lhand', 'L'), ('rhand', 'R')):
        out[part] = tuple(
            i
            for i, n in enumerate(names)
            if n.startswith(f'{side}_')
            and n.split('_', 1)[1].split('_')[0]
            in ('Thumb', 'Index', 'Middle', 'Ring', 'Pinky')
        )
    out['face'] = tuple(
        i for i, n in enumerate(names) if n.startswith('Face_')
    )
    return out


#: Part -> rows of :data:`AGORA_SMPLX_JOINT_NAMES` (hand and face boxes).
AGORA_SMPLX_PART_INDICES = _part_indices()


def agora_boxes(
    joints_2d: np.ndarray, parts: bool = True
) -> Dict[str, np.ndarray]:
    """The boxes of one AGORA annotation, as ``tool/AGORA`` computes them
    (spec §8): the tight box of the projected joints enlarged x1.2 about
    its centre (:func:`~h4w.structures.bbox.bbox_from_points`).

    Args:
        joints_2d (np.ndarray): (127, 2) projected SMPL-X joints
            (:data:`AGORA_SMPLX_JOINT_NAMES`; SMPL: (45, 2)), pixels.
        parts (bool): Also the hand and face boxes (SMPL-X only), from
            the rows of :data:`AGORA_SMPLX_PART_INDICES`.

    Returns:
        dict: ``bbox`` and, with ``parts``, ``lhand_bbox``,
        ``rhand_bbox``, ``face_bbox``: (4,) float32 xywh.
    """
    joints_2d = np.asarray(joints_2d)
    ones = np.ones(len(joints_2d))
    boxes = dict(bbox=bbox_from_points(joints_2d, ones))
    if parts:
        for part, idx in AGORA_SMPLX_PART_INDICES.items():
            idx = list(idx)
            boxes[f'{part}_bbox'] = bbox_from_points(joints_2d[idx], ones[idx])
    return boxes


def agora_flip_pairs(names: Sequence[str]) -> Tuple[Tuple[int, int], ...]:
    """Left/right pairs of a joint set by name: ``L_x`` <-> ``R_x`` and
    the mirrored face landmarks of the SMPL-X 137-joint set."""
    index = {n: i for i, n in enumerate(names)}
    pairs = [
        (i, index['R_' + n[2:]])
        for i, n in enumerate(names)
        if n.startswith('L_') and 'R_' + n[2:] in index
    ]
    smplx_names = SMPLX_JOINTS.joint_names
    for a, b in SMPLX_JOINTS.flip_pairs:
        name_a, name_b = smplx_names[a], smplx_names[b]
        if name_a.startswith('Face_') and name_a in index and name_b in index:
            pairs.append((index[name_a], index[name_b]))
    return tuple(pairs)


def invert_affine(mat: np.ndarray) -> np.ndarray:
    """Inverse of a (2, 3) affine map, (2, 3) float32."""
    return cv2.invertAffineTransform(
        np.asarray(mat, np.float64).reshape(2, 3)
    ).astype(np.float32)


def crop_file_stem(img_file: str, person_id: int) -> str:
    """``<img stem>_person_id_<k>``: name (without extension) of a person
    crop written by ``crop_and_resize_4k_images.py``."""
    stem = osp.splitext(osp.basename(img_file))[0]
    return f'{stem}_person_id_{int(person_id)}'


#: Parameter-file keys of each body model: (annotation key of the file,
#: gt_params field -> json key, number of betas kept).
PARAM_KEYS = dict(
    smplx=(
        'smplx_param_path',
        dict(
            root_pose='global_orient',
            body_pose='body_pose',
            shape='betas',
            lhand_pose='left_hand_pose',
            rhand_pose='right_hand_pose',
            jaw_pose='jaw_pose',
            expr='expression',
            trans='transl',
        ),
    ),
    smpl=(
        'smpl_param_path',
        dict(
            root_pose='global_orient',
            body_pose='body_pose',
            shape='betas',
            trans='transl',
        ),
    ),
)
PARAM_SIZES = dict(
    root_pose=3,
    body_pose=None,
    shape=10,
    lhand_pose=45,
    rhand_pose=45,
    jaw_pose=3,
    expr=10,
    trans=3,
)
BODY_POSE_SIZE = dict(smplx=63, smpl=69)
ANN_SUFFIX = dict(smplx='SMPLX', smpl='SMPL')
#: Keypoint metainfo of the models whose joints are not the class default.
MODEL_METAINFO = dict(
    smpl=dict(
        joint_names=AGORA_SMPL_JOINT_NAMES,
        flip_pairs=agora_flip_pairs(AGORA_SMPL_JOINT_NAMES),
    )
)


@DATASETS.register_module()
class AGORADataset(BaseMeshDataset):
    """AGORA in the layout written by ``tools/dataset_converters/agora``.

    Layout (``data_root`` = ``data/AGORA/data``)::

        AGORA_{train,validation}_SMPLX.json   COCO-like: images
            {id, file_name_3840x2160, file_name_1280x720}, annotations
            {id, image_id, person_id, smplx_param_path, cam_param_path,
            gender, kid, occlusion, is_valid, age, ethnicity, bbox,
            lhand_bbox, rhand_bbox, face_bbox} (boxes xywh, 3840x2160 px)
        AGORA_{train,validation}_SMPL.json    SMPL twin (smpl_param_path,
            only ``bbox``)
        smplx_params_cam/<folder>/<img stem>/<person>.json   camera-frame
            fit {global_orient, body_pose, jaw_pose, leye_pose, reye_pose,
            left_hand_pose, right_hand_pose, betas, expression, transl}
        smpl_params_cam/...      {global_orient, body_pose, betas, transl}
        cam_params/<folder>/<img stem>.json  {focal, princpt} (3840x2160)
        AGORA_test_bbox.json     {file name: [{'bbox': xywh}, ...]}
        images_1280x720/<folder>/<img stem>_1280x720.png
        images_1280x720/test/<img stem>_1280x720.png
        images_3840x2160/<folder>_crop/<img stem>_person_id_<k>.png
        images_3840x2160/<folder>_crop/<img stem>_person_id_<k>.json
            {bbox_orig, affine_mat (2x3, original -> crop),
            resized_height, resized_width}

    Resolution (§5.4): ``(2160, 3840)`` reads the per-person crops; the
    person box is the whole crop ``[0, 0, W, H]`` (not re-processed: the
    crop already has the 0.75 aspect and the x1.25 margin), hand / face
    boxes and the camera go through ``affine_mat``
    (``f <- f * A[i, i]``, ``c <- c * A[i, i] + A[i, 2]``). Any other
    resolution (e.g. ``(720, 1280)``) reads ``file_name_1280x720`` (test:
    ``test_img_dir``) and scales boxes and camera by ``W / 3840``,
    ``H / 2160``; the person box then goes through ``process_bbox``.
    Hand / face boxes are clipped to the loaded image
    (``sanitize_bbox``; the reference clipped crop-space boxes to
    3840x2160) and become xyxy; ``None`` when nothing is left.
    Annotations with ``is_valid`` false are skipped. Test renders (non-4K)
    are ``<test_img_dir>/<img stem>_<W>x<H>.png``.

    ``METAINFO['joint_names']`` is AGORA's joint set as data (127 SMPL-X
    joints, 45 for SMPL; flip pairs by name); the dataset gives no
    keypoints of its own (the targets are the fit's).

    Training targets: the camera-frame fit as ``gt_params`` (all parts
    valid, ``betas[:10]``), ``keypoints_from_fit`` so that the dataset
    keypoint targets are the fit's joints (``joint_* = smplx_joint_*``,
    with the trailing validity axis: fixes the (137,) validity crash of
    spec §10.2), real hand / face boxes, ``is_3d`` 1. ``gt_gender``
    ``'neutral'`` runs the neutral model on the gendered fits as the
    reference (§10.2: the GT then differs from AGORA's meshes);
    ``'gendered'`` passes the annotation's gender (the data preprocessor
    must have male / female layers). Kids keep the first 10 betas only
    (no kid template, upstream #59).

    Test: ``test_set='val'`` gives the fit (the preprocessor computes the
    GT mesh ``smplx_mesh_cam`` / ``smpl_mesh_cam``); ``'test'`` reads
    ``AGORA_test_bbox.json`` and has no GT. Both carry the metainfo of
    :class:`AGORAResultWriter`: ``img_name`` (the render's stem: crop name
    without ``_person_id_<k>``, 720p name without ``_1280x720``),
    ``person_id`` (annotation's ``person_id``; test: index in the box
    list, as the crop tool numbers the crops; never "next free file",
    §10.2) and ``img_to_full_trans`` (2, 3): loaded-image pixels ->
    3840x2160 pixels (4K: inverse of ``affine_mat``; 720p:
    ``diag(3, 3)``).

    Bugs of the reference fixed (§10.2): ``affine_mat`` is read for
    every split (main read ``img2bb_trans`` for the test split, Pose2Pose
    for train / val: KeyError); the SMPL variant works at 720p (Pose2Pose
    indexed a 1-D box as 2-D and needed image sizes absent from the
    annotations); result person ids do not depend on the result folder.

    Args:
        model_type (str): ``'smplx'`` (Hand4Whole) or ``'smpl'``
            (Pose2Pose body).
        resolution (tuple): (H, W): ``(2160, 3840)`` (crops, default) or
            the resolution of the downsampled renders (``(720, 1280)``).
        test_set (str): ``'val'`` (validation annotations, GT) or
            ``'test'`` (test boxes, no GT); used when ``test_mode``.
        gt_gender (str): ``'neutral'`` or ``'gendered'``.
        ann_file (str): Defaults to ``AGORA_train_<SMPLX|SMPL>.json``
            (training), ``AGORA_validation_<..>.json`` (val) or
            ``test_bbox_file`` (test).
        test_bbox_file (str): Test boxes, relative to ``data_root``.
        crop_dir (str): Folder of the ``<folder>_crop`` crop folders.
        test_img_dir (str): Test renders at ``resolution`` (not 4K).
        bbox_aspect_ratio (float): ``process_bbox`` aspect (non-4K).
        skip_missing_crops (bool): Skip persons whose crop json is
            missing instead of raising FileNotFoundError (the reference
            skipped silently).
        **kwargs: :class:`BaseMeshDataset` arguments.
    """

    METAINFO = dict(
        joint_names=AGORA_SMPLX_JOINT_NAMES,
        flip_pairs=agora_flip_pairs(AGORA_SMPLX_JOINT_NAMES),
        full_img_shape=AGORA_FULL_SHAPE,
    )

    def __init__(
        self,
        model_type: str = 'smplx',
        resolution: Sequence[int] = AGORA_FULL_SHAPE,
        test_set: str = 'val',
        gt_gender: str = 'neutral',
        ann_file: str = '',
        test_bbox_file: str = 'AGORA_test_bbox.json',
        crop_dir: str = 'images_3840x2160',
        test_img_dir: str = 'images_1280x720/test',
        bbox_aspect_ratio: float = 0.75,
        skip_missing_crops: bool = False,
        **kwargs,
    ) -> None:
        if model_type not in PARAM_KEYS:
            raise ValueError(
                f'model_type must be one of {list(PARAM_KEYS)}, got '
                f'{model_type!r}'
            )
        if test_set not in ('val', 'test'):
            raise ValueError(
                f"test_set must be 'val' or 'test', got {test_set!r}"
            )
        if gt_gender not in ('neutral', 'gendered'):
            raise ValueError(
                f"gt_gender must be 'neutral' or 'gendered', got {gt_gender!r}"
            )
        resolution = tuple(int(v) for v in resolution)
        if len(resolution) != 2 or min(resolution) <= 0:
            raise ValueError(f'resolution must be (H, W), got {resolution}')
        self.model_type = model_type
        # parts with their own fit validity and box (SMPL-X hands, face)
        self.fit_parts = tuple(
            block.part
            for block in PARAM_LAYOUTS[model_type].pose_blocks
            if block.part is not None
        )
        self.resolution = resolution
        self.test_set = test_set
        self.gt_gender = gt_gender
        self.test_bbox_file = test_bbox_file
        self.crop_dir = crop_dir
        self.test_img_dir = test_img_dir
        self.bbox_aspect_ratio = bbox_aspect_ratio
        self.skip_missing_crops = skip_missing_crops
        test_mode = kwargs.get('test_mode', False)
        if not ann_file:
            suffix = ANN_SUFFIX[model_type]
            if not test_mode:
                ann_file = f'AGORA_train_{suffix}.json'
            elif test_set == 'val':
                ann_file = f'AGORA_validation_{suffix}.json'
            else:
                ann_file = test_bbox_file
        if 'metainfo' not in kwargs and model_type in MODEL_METAINFO:
            kwargs['metainfo'] = MODEL_METAINFO[model_type]
        super().__init__(ann_file=ann_file, **kwargs)

    # ------------------------------------------------------------ helpers
    @property
    def crop_mode(self) -> bool:
        """True when reading the per-person 4K crops."""
        return self.resolution == AGORA_FULL_SHAPE

    @property
    def use_test_boxes(self) -> bool:
        return self.test_mode and self.test_set == 'test'

    def cache_args(self) -> Dict[str, Any]:
        return dict(
            super().cache_args(),
            model_type=self.model_type,
            resolution=self.resolution,
            test_set=self.test_set,
            gt_gender=self.gt_gender,
            crop_dir=self.crop_dir,
            test_img_dir=self.test_img_dir,
            aspect=self.bbox_aspect_ratio,
            skip=self.skip_missing_crops,
        )

    def _path(self, rel: str) -> str:
        return rel if osp.isabs(rel) else osp.join(self.data_root, rel)

    def _scale(self) -> np.ndarray:
        """(sx, sy): 3840x2160 pixels -> ``resolution`` pixels."""
        return np.array(
            [
                self.resolution[1] / AGORA_FULL_SHAPE[1],
                self.resolution[0] / AGORA_FULL_SHAPE[0],
            ],
            dtype=np.float32,
        )

    def _crop(
        self, folder: str, img_file: str, person_id: int
    ) -> Optional[dict]:
        """Image path, shape and ``affine_mat`` of one person crop."""
        stem = crop_file_stem(img_file, person_id)
        crop_dir = osp.join(self.data_root, self.crop_dir, f'{folder}_crop')
        json_path = osp.join(crop_dir, f'{stem}.json')
        if not osp.isfile(json_path):
            if self.skip_missing_crops:
                return None
            require_file(
                json_path,
                'AGORA crop json (run tools/'
                'dataset_converters/agora/'
                'crop_and_resize_4k_images.py)',
            )
        info = read_json(json_path, 'AGORA crop json')
        # §10.2: the crop tool writes ``affine_mat``; read it everywhere.
        affine = np.asarray(info['affine_mat'], dtype=np.float32).reshape(2, 3)
        height, width = int(info['resized_height']), int(info['resized_width'])
        return dict(
            img_path=osp.join(crop_dir, f'{stem}.png'),
            ori_shape=(height, width),
            affine=affine,
        )

    def _frame(self, crop: Optional[dict]) -> dict:
        """How 3840x2160 pixels map into the loaded image."""
        if crop is not None:
            affine = crop['affine']
            return dict(
                to_img=affine,
                ori_shape=crop['ori_shape'],
                img_to_full=invert_affine(affine),
            )
        sx, sy = self._scale()
        to_img = np.array([[sx, 0, 0], [0, sy, 0]], dtype=np.float32)
        return dict(
            to_img=to_img,
            ori_shape=self.resolution,
            img_to_full=invert_affine(to_img),
        )

    def _person_bbox(self, bbox_xywh, frame: dict) -> Optional[np.ndarray]:
        height, width = frame['ori_shape']
        if self.crop_mode:
            # the crop is the processed box already (§5.4)
            return np.array([0, 0, width, height], dtype=np.float32)
        # §5.4: x, w * W / 3840 and y, h * H / 2160 in float64
        box = np.asarray(bbox_xywh, dtype=np.float64).reshape(2, 2)
        box = box / AGORA_FULL_SHAPE[::-1] * (width, height)
        return process_bbox(
            box.reshape(4), width, height, aspect_ratio=self.bbox_aspect_ratio
        )

    @staticmethod
    def _part_bbox(bbox_xywh, frame: dict) -> Optional[np.ndarray]:
        """xywh (3840x2160) -> xyxy in the loaded image, clipped."""
        if bbox_xywh is None:
            return None
        x1, y1, x2, y2 = xywh_to_xyxy(bbox_xywh)
        corners = np.array(
            [[x1, y1], [x2, y1], [x2, y2], [x1, y2]], dtype=np.float32
        )
        corners = affine_points(corners, frame['to_img'])
        lo, hi = corners.min(0), corners.max(0)
        height, width = frame['ori_shape']
        box = sanitize_bbox(np.concatenate([lo, hi - lo]), width, height)
        return None if box is None else xywh_to_xyxy(box)

    @staticmethod
    def _camera(cam: dict, frame: dict) -> Dict[str, np.ndarray]:
        """3840x2160 camera -> loaded-image camera (axis-aligned map)."""
        focal = np.asarray(cam['focal'], dtype=np.float32).reshape(2)
        princpt = np.asarray(cam['princpt'], dtype=np.float32).reshape(2)
        mat = frame['to_img']
        diag = np.array([mat[0, 0], mat[1, 1]], dtype=np.float32)
        return dict(focal=focal * diag, princpt=princpt * diag + mat[:, 2])

    def _fit(self, ann: dict) -> Dict[str, Any]:
        """The camera-frame fit as ``gt_params`` fields."""
        key, fields = PARAM_KEYS[self.model_type]
        path = self._path(ann[key])
        fit = read_json(path, 'AGORA fit')
        params: Dict[str, Any] = {}
        for name, src in fields.items():
            value = np.asarray(fit[src], dtype=np.float32).reshape(-1)
            size = (
                BODY_POSE_SIZE[self.model_type]
                if name == 'body_pose'
                else PARAM_SIZES[name]
            )
            if name in ('shape', 'expr'):
                value = value[:size]  # kids: 11 betas, only 10 used (#59)
            if value.shape != (size,):
                raise ValueError(
                    f'{path}: {src} has {value.size} values, expected {size}'
                )
            if not np.isfinite(value).all():
                raise ValueError(f'{path}: {src} is not finite')
            params[name] = value
        # whole body: the hands and the face of the fit are valid
        params.update({f'{part}_valid': True for part in self.fit_parts})
        if self.gt_gender == 'gendered':
            gender = str(ann['gender']).lower()
            if gender not in GENDERS:
                raise ValueError(
                    f'gender {ann["gender"]!r} is not one of {GENDERS}'
                )
            params['gender'] = gender
        return params

    # ------------------------------------------------------------ parsing
    def load_annotations(self) -> List[dict]:
        if self.use_test_boxes:
            return self._load_test_boxes()
        return self.parse_coco(self.ann_file, self._parse)

    def _parse(self, ann: dict, img: dict) -> Optional[dict]:
        if not ann['is_valid']:
            return None
        person_id = int(ann['person_id'])
        full_name = img['file_name_3840x2160']
        folder = full_name.replace('\\', '/').split('/')[-2]
        img_name = osp.splitext(osp.basename(full_name))[0]
        if self.crop_mode:
            crop = self._crop(folder, full_name, person_id)
            if crop is None:
                return None
            img_path = crop['img_path']
        else:
            crop = None
            img_path = self._path(img['file_name_1280x720'])
        frame = self._frame(crop)
        bbox = self._person_bbox(ann['bbox'], frame)
        if bbox is None:
            return None
        cam = self._camera(
            read_json(self._path(ann['cam_param_path']), 'AGORA camera'),
            frame,
        )
        params = self._fit(ann)
        params.update(cam)
        info = dict(
            img_path=img_path,
            ori_shape=tuple(frame['ori_shape']),
            bbox=bbox,
            img_id=img['id'],
            ann_id=ann['id'],
            person_id=person_id,
            img_name=img_name,
            img_to_full_trans=frame['img_to_full'],
            is_3d=1.0,
            gt_params=params,
        )
        if not self.test_mode:
            params['keypoints_from_fit'] = True
        for part in self.fit_parts:
            info[f'{part}_bbox'] = self._part_bbox(
                ann.get(f'{part}_bbox'), frame
            )
        return info

    def _load_test_boxes(self) -> List[dict]:
        db = read_json(self.ann_file)
        data_list = []
        for file_name in sorted(db):
            img_name = osp.splitext(osp.basename(file_name))[0]
            for person_id, entry in enumerate(db[file_name]):
                with annotation_context(
                    self.ann_file, f'{file_name}[{person_id}]'
                ):
                    if self.crop_mode:
                        crop = self._crop('test', file_name, person_id)
                        if crop is None:
                            continue
                        img_path = crop['img_path']
                    else:
                        crop = None
                        height, width = self.resolution
                        img_path = osp.join(
                            self._path(self.test_img_dir),
                            f'{img_name}_{width}x{height}.png',
                        )
                    frame = self._frame(crop)
                    bbox = self._person_bbox(entry['bbox'], frame)
                if bbox is None:
                    continue
                data_list.append(
                    dict(
                        img_path=img_path,
                        ori_shape=tuple(frame['ori_shape']),
                        bbox=bbox,
                        img_id=file_name,
                        ann_id=len(data_list),
                        person_id=person_id,
                        img_name=img_name,
                        img_to_full_trans=frame['img_to_full'],
                    )
                )
        return data_list
