"""InterHand2.6M (Pose2Pose hand, spec §5.5, §6.5, §10.2)."""

import os.path as osp
from collections import defaultdict
from typing import Dict, List, Optional, Set, Tuple, Union

import numpy as np

from h4w.body_models.joint_sets import FINGERS
from h4w.registry import DATASETS
from h4w.structures.bbox import bbox_from_points, process_bbox

from .base import (
    BaseMeshDataset,
    annotation_context,
    coco_data_info,
    mano_fit_params,
    read_json,
)
from .human36m_dataset import world_to_camera

__all__ = ['InterHand26MDataset', 'IH_HAND_JOINT_NAMES', 'IH_JOINT_NAMES']

#: One hand in the InterHand2.6M order, named as in the MANO 21-joint set:
#: Thumb_4..1, Index_4..1, Middle_4..1, Ring_4..1, Pinky_4..1, Wrist.
IH_HAND_JOINT_NAMES = tuple(
    f'{finger}_{level}' for finger in FINGERS for level in (4, 3, 2, 1)
) + ('Wrist',)
#: The 42 joints of the annotation files: right hand 0-20, left 21-41.
IH_JOINT_NAMES = tuple(f'R_{n}' for n in IH_HAND_JOINT_NAMES) + tuple(
    f'L_{n}' for n in IH_HAND_JOINT_NAMES
)
#: Rows of each hand in the 42-joint arrays.
HAND_ROWS = dict(right=slice(0, 21), left=slice(21, 42))
#: Wrist (root) index inside one hand.
HAND_ROOT = 20
#: Hands of each annotation ``hand_type`` (any other value: both).
HAND_TYPE_SIDES = dict(right=('right',), left=('left',))


@DATASETS.register_module()
class InterHand26MDataset(BaseMeshDataset):
    """InterHand2.6M in the upstream layout, one sample per annotated hand.

    Layout (``data_root`` = ``data/InterHand26M``)::

        images/<split>/<file_name>
        annotations/<split>/InterHand2.6M_<split>_data.json
            COCO images (capture, seq_name, camera, frame_idx) and
            annotations (joint_valid (42), hand_type)
        annotations/<split>/InterHand2.6M_<split>_camera.json
            {capture: {'campos' | 'camrot' | 'focal' | 'princpt':
            {camera: value}}}, campos (3) mm, camrot (3, 3) world->camera
        annotations/<split>/InterHand2.6M_<split>_joint_3d.json
            {capture: {frame: {'world_coord' (42, 3) mm,
            'joint_valid' (42)}}}
        annotations/<split>/InterHand2.6M_<split>_MANO_NeuralAnnot.json
            {capture: {frame: {'right' | 'left': {'pose' (48),
            'shape' (10), 'trans' (3)} or None}}}, world frame, metres

    Parsing (§5.5): camera ``t = -R campos`` (mm); camera joints
    ``R X + t``; joint validity = the joint_3d file's ``joint_valid``
    times the annotation's (when present), per hand times the validity of
    its wrist; invalid joints get camera coordinates 1 (no division by
    zero) and zero targets. Training keeps about ``cameras_per_sequence``
    cameras per (capture, sequence): the sorted camera names with stride
    ``len // cameras_per_sequence``.

    Each hand that the annotation's ``hand_type`` names (``'right'``,
    ``'left'``; ``'interacting'``: both) and whose wrist is valid is one
    sample: bbox =
    ``process_bbox(bbox_from_points(valid joints, extend 1.5), aspect
    1.0)``; ``keypoints`` (21, 3) x, y pixels and z = wrist-relative
    camera depth in metres (the Pose2Pose pipeline discretises it with
    ``depth_3d_size``); ``keypoints_cam`` (21, 3) wrist-relative metres;
    ``keypoints_valid`` (21, 1). The joints are in the InterHand order
    with the names of the MANO set (``METAINFO['joint_names']``, no flip
    pairs), so :class:`KeypointTargets` re-indexes them into ``mano_21``.
    Left hands are always flipped (``enforce_flip=True``) and then look
    like right hands; the fit is passed with ``side='left'`` (the
    preprocessor runs the left MANO and mirrors it). A missing fit gives
    ``param_valid=False``. ``side`` is copied into the metainfo.

    Test split and the reference bugs (§10.2): test samples carry their
    MANO fit, from which the preprocessor computes the GT mesh
    (``mano_mesh_cam``, un-flipped camera frame) — the reference read an
    undefined ``mano_mesh_cam_orig`` here; ``keypoints_cam`` and
    ``keypoints_valid`` give the wrist-relative GT joints; the joint count
    is ``len(METAINFO['joint_names'])`` (the reference used a missing
    ``joint_set['joint_num']`` key). By default the test split keeps every
    camera (issue #72). Left-hand GT vs right-hand prediction (#72) is an
    evaluation matter: the metainfo has ``side`` and ``flip``; a metric
    must mirror the prediction of a left hand (x -> -x) before comparing
    it with the un-flipped GT, or compare in the flipped frame (the
    ``joint_cam`` of :class:`KeypointTargets` is flipped).

    Args:
        split (str, optional): ``'train'``, ``'val'`` or ``'test'``;
            defaults to ``'test'`` in test mode, else ``'train'``.
        cameras_per_sequence (int | str | None): Cameras kept per
            sequence; ``'auto'``: 10 for training, all for testing; None:
            all.
        bbox_extend (float): Enlargement of the tight joint box.
        bbox_aspect_ratio (float): w / h of the crop box.
        fit_name (str): Suffix of the fit file.
        **kwargs: :class:`BaseMeshDataset` arguments; ``ann_file``
            defaults to the split's ``_data.json``, ``data_prefix`` to
            ``dict(img='images/<split>')``.
    """

    METAINFO = dict(
        joint_names=IH_HAND_JOINT_NAMES,
        flip_pairs=(),
        root_idx=HAND_ROOT,
        ih_joint_names=IH_JOINT_NAMES,
    )

    def __init__(
        self,
        split: Optional[str] = None,
        cameras_per_sequence: Union[int, str, None] = 'auto',
        bbox_extend: float = 1.5,
        bbox_aspect_ratio: float = 1.0,
        fit_name: str = 'MANO_NeuralAnnot',
        **kwargs,
    ) -> None:
        test_mode = kwargs.get('test_mode', False)
        self.split = split or ('test' if test_mode else 'train')
        if cameras_per_sequence == 'auto':
            cameras_per_sequence = None if test_mode else 10
        self.cameras_per_sequence = cameras_per_sequence
        self.bbox_extend = bbox_extend
        self.bbox_aspect_ratio = bbox_aspect_ratio
        self.fit_name = fit_name
        if not kwargs.get('ann_file'):
            kwargs['ann_file'] = self._rel_file('data')
        kwargs.setdefault('data_prefix', dict(img=f'images/{self.split}'))
        super().__init__(**kwargs)

    def _rel_file(self, kind: str) -> str:
        return osp.join(
            'annotations',
            self.split,
            f'InterHand2.6M_{self.split}_{kind}.json',
        )

    def _file(self, kind: str) -> str:
        return osp.join(self.data_root, self._rel_file(kind))

    def source_files(self) -> List[str]:
        return [self.ann_file] + [
            self._file(k) for k in ('camera', 'joint_3d', self.fit_name)
        ]

    def cache_args(self) -> Dict:
        return dict(
            super().cache_args(),
            split=self.split,
            ann_file=self.ann_file,
            cams=self.cameras_per_sequence,
            extend=self.bbox_extend,
            aspect=self.bbox_aspect_ratio,
            fit=self.fit_name,
        )

    def _kept_cameras(self, images: List[dict]) -> Set[Tuple[str, str, str]]:
        """(capture, sequence, camera) triples kept by the subsampling."""
        cameras = defaultdict(set)
        for img in images:
            cameras[(str(img['capture']), str(img['seq_name']))].add(
                str(img['camera'])
            )
        keep = set()
        for (capture, seq), names in cameras.items():
            names = sorted(names)
            if self.cameras_per_sequence:
                stride = max(1, len(names) // self.cameras_per_sequence)
                names = names[::stride]
            keep.update((capture, seq, cam) for cam in names)
        return keep

    def load_annotations(self) -> List[dict]:
        db = read_json(self.ann_file)
        loaded = {}
        for kind in ('camera', 'joint_3d', self.fit_name):
            loaded[kind] = read_json(self._file(kind))
        images = {img['id']: img for img in db['images']}
        with annotation_context(self.ann_file, 'images'):
            keep = self._kept_cameras(db['images'])
        img_dir = self.img_dir
        data_list = []
        for ann in db['annotations']:
            with annotation_context(self.ann_file, ann.get('id')):
                data_list.extend(
                    self._parse(
                        ann, images[ann['image_id']], keep, loaded, img_dir
                    )
                )
        return data_list

    def _parse(
        self, ann: dict, img: dict, keep: set, loaded: dict, img_dir: str
    ) -> List[dict]:
        capture, cam = str(img['capture']), str(img['camera'])
        frame = str(img['frame_idx'])
        if (capture, str(img['seq_name']), cam) not in keep:
            return []
        cameras = loaded['camera'][capture]
        R = np.array(cameras['camrot'][cam], dtype=np.float32).reshape(3, 3)
        campos = np.array(cameras['campos'][cam], dtype=np.float32).reshape(3)
        t = -R @ campos  # mm
        focal = np.array(cameras['focal'][cam], dtype=np.float32).reshape(2)
        princpt = np.array(cameras['princpt'][cam], dtype=np.float32).reshape(
            2
        )
        frame_db = loaded['joint_3d'][capture][frame]
        world = np.array(frame_db['world_coord'], dtype=np.float32).reshape(
            42, 3
        )
        valid = np.array(frame_db['joint_valid'], dtype=np.float32).reshape(42)
        if 'joint_valid' in ann:
            valid = valid * np.array(
                ann['joint_valid'], dtype=np.float32
            ).reshape(42)
        for rows in HAND_ROWS.values():
            valid[rows] *= valid[rows][HAND_ROOT]
        if not np.isfinite(world[valid > 0]).all():
            raise ValueError('non-finite world_coord of a valid joint')
        if not all(np.isfinite(v).all() for v in (R, campos, focal, princpt)):
            raise ValueError(f'non-finite camera {cam}')
        joint_cam = world_to_camera(world, R, t)
        joint_cam[valid == 0] = 1.0  # avoid a division by zero
        xy = joint_cam[:, :2] / joint_cam[:, 2:] * focal + princpt
        fits = loaded[self.fit_name].get(capture, {}).get(frame) or {}
        samples = []
        sides = HAND_TYPE_SIDES.get(ann['hand_type'], tuple(HAND_ROWS))
        for side in sides:
            rows = HAND_ROWS[side]
            hand_valid = valid[rows]
            if hand_valid.sum() == 0:
                continue
            bbox = bbox_from_points(xy[rows], hand_valid, self.bbox_extend)
            bbox = process_bbox(
                bbox,
                img['width'],
                img['height'],
                aspect_ratio=self.bbox_aspect_ratio,
            )
            if bbox is None:
                continue
            mask = hand_valid[:, None]
            rel = (joint_cam[rows] - joint_cam[rows][HAND_ROOT]) / 1000.0
            keypoints = np.concatenate([xy[rows], rel[:, 2:]], 1) * mask
            params = mano_fit_params(fits.get(side), side)
            if params is None:
                params = dict(param_valid=False, side=side)
            params.update(
                cam_R=R, cam_t=t / 1000.0, focal=focal, princpt=princpt
            )
            samples.append(
                coco_data_info(
                    img,
                    ann,
                    osp.join(img_dir, img['file_name']),
                    bbox=bbox,
                    side=side,
                    enforce_flip=side == 'left',
                    keypoints=keypoints.astype(np.float32),
                    keypoints_cam=(rel * mask).astype(np.float32),
                    keypoints_valid=mask.astype(np.float32),
                    is_3d=1.0,
                    gt_params=params,
                    capture=int(capture),
                    frame_idx=int(frame),
                    camera=cam,
                )
            )
        return samples
