"""Human3.6M (spec §5.4, §5.5, §6.4)."""

import os.path as osp
from functools import partial
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from h4w.body_models.joint_sets import H36M_JOINTS
from h4w.codecs import discretize_depth
from h4w.registry import DATASETS
from h4w.structures.bbox import process_bbox

from .base import (
    BaseMeshDataset,
    coco_data_info,
    fit_file_tag,
    fit_params,
    read_json,
    wholebody_fit_masks,
)

__all__ = [
    'Human36MDataset',
    'camera_arrays',
    'camera_keypoints',
    'world_to_camera',
]


def world_to_camera(
    points: np.ndarray, R: np.ndarray, t: np.ndarray
) -> np.ndarray:
    """(J, 3) world -> camera: R X + t (same units as t)."""
    return points @ R.T + t.reshape(1, 3)


def camera_arrays(
    cam: dict, focal_key: str = 'focal', princpt_key: str = 'princpt'
) -> Tuple[np.ndarray, ...]:
    """``R`` (3, 3), ``t`` (3,), focal (2,) and principal point (2,) of a
    camera entry with keys ``'R'``, ``'t'``, ``focal_key`` and
    ``princpt_key``, float32."""
    return (
        np.array(cam['R'], dtype=np.float32).reshape(3, 3),
        np.array(cam['t'], dtype=np.float32).reshape(3),
        np.array(cam[focal_key], dtype=np.float32).reshape(2),
        np.array(cam[princpt_key], dtype=np.float32).reshape(2),
    )


def camera_keypoints(
    world: np.ndarray,
    R: np.ndarray,
    t: np.ndarray,
    focal: np.ndarray,
    princpt: np.ndarray,
    root_idx: int,
    body_3d_size: Optional[float],
    depth_bins: int = 8,
) -> Tuple[np.ndarray, np.ndarray]:
    """Keypoint targets of world-frame 3D joints (Human3.6M and
    MPI-INF-3DHP, §5.4).

    Args:
        world (np.ndarray): (J, 3) world joints, mm.
        R (np.ndarray): (3, 3) world -> camera rotation.
        t (np.ndarray): (3,) translation, mm.
        focal (np.ndarray): (2,) pixels.
        princpt (np.ndarray): (2,) pixels.
        root_idx (int): Root joint.
        body_3d_size (float, optional): Depth range (m) discretised into
            ``depth_bins``; None keeps the relative depth in metres.
        depth_bins (int): D.

    Returns:
        tuple: ``keypoints`` (J, 3) (x, y pixels; z as above) and
        ``keypoints_cam`` (J, 3) root-relative metres.
    """
    if not np.isfinite(world).all():
        raise ValueError('non-finite 3D joints')
    joint_cam = world_to_camera(world, R, t)
    keypoints = np.zeros_like(joint_cam)
    keypoints[:, :2] = joint_cam[:, :2] / joint_cam[:, 2:] * focal + princpt
    rel = (joint_cam - joint_cam[root_idx]) / 1000.0
    keypoints[:, 2] = rel[:, 2]
    if body_3d_size is not None:
        keypoints[:, 2] = discretize_depth(rel[:, 2], body_3d_size, depth_bins)
    return keypoints, rel


@DATASETS.register_module()
class Human36MDataset(BaseMeshDataset):
    """Human3.6M in the upstream parsed layout (3D training set; test set
    of the Human3.6M benchmark).

    Layout (``data_root`` = ``data/Human36M``)::

        images/<file_name>
        annotations/Human36M_subject{S}_data.json      COCO images + boxes
        annotations/Human36M_subject{S}_camera.json    {cam: R, t mm, f, c}
        annotations/Human36M_subject{S}_joint_3d.json  17 world joints, mm
        annotations/Human36M_subject{S}_SMPLX_NeuralAnnot.json  (whole body)
        annotations/Human36M_subject{S}_SMPL_NeuralAnnot.json   (Pose2Pose)

    Train: subjects 1, 5, 6, 7, 8, every 5th frame. Test: subjects 9, 11,
    every 64th frame, camera 4 only.

    Targets: the 17 joints (``keypoints`` x, y pixels and z discretised
    with ``body_3d_size`` on the whole-body branch, metres for Pose2Pose
    where the pipeline discretises; ``keypoints_cam`` root-relative
    metres), and the fit with the camera (R, t in metres). Whole body
    (§5.4): the ankle and wrist rotations and the six foot keypoints of
    the fit are masked, and the fit's truncation is multiplied by its
    validity. Test samples carry ``keypoints_cam`` for
    :class:`Human36MMetric`.

    Args:
        model_type (str): ``'smplx'`` (Hand4Whole) or ``'smpl'``
            (Pose2Pose body).
        subjects (Sequence[int], optional): Defaults to the split's.
        sampling_ratio (int, optional): Keep frames with
            ``frame_idx % ratio == 0``; defaults 5 (train) / 64 (test).
        test_cameras (Sequence[int]): Cameras kept at test time.
        body_3d_size (float, optional): Whole body: depth discretisation
            of ``keypoints`` z (metres over the 8 bins); None keeps z in
            metres (Pose2Pose pipelines discretise).
        depth_bins (int): D of the heat map.
        **kwargs: :class:`BaseMeshDataset` arguments.
    """

    METAINFO = dict(
        joint_names=H36M_JOINTS.joint_names,
        flip_pairs=H36M_JOINTS.flip_pairs,
        root_idx=0,
        eval_joints=(1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 13, 14, 15, 16),
    )

    def __init__(
        self,
        model_type: str = 'smplx',
        subjects: Optional[Sequence[int]] = None,
        sampling_ratio: Optional[int] = None,
        test_cameras: Sequence[int] = (4,),
        body_3d_size: Optional[float] = 2.0,
        depth_bins: int = 8,
        **kwargs,
    ) -> None:
        fit_file_tag(model_type)  # ValueError for another body model
        self.model_type = model_type
        test_mode = kwargs.get('test_mode', False)
        self.subjects = tuple(
            subjects or ((9, 11) if test_mode else (1, 5, 6, 7, 8))
        )
        self.sampling_ratio = sampling_ratio or (64 if test_mode else 5)
        self.test_cameras = tuple(str(c) for c in test_cameras)
        self.body_3d_size = body_3d_size
        self.depth_bins = depth_bins
        kwargs.setdefault('data_prefix', dict(img='images'))
        super().__init__(**kwargs)

    def _file(self, subject: int, kind: str) -> str:
        return osp.join(
            self.data_root,
            'annotations',
            f'Human36M_subject{subject}_{kind}.json',
        )

    def source_files(self) -> List[str]:
        kinds = ('data', 'camera', 'joint_3d', fit_file_tag(self.model_type))
        return [self._file(s, k) for s in self.subjects for k in kinds]

    def cache_args(self) -> Dict:
        return dict(
            super().cache_args(),
            model_type=self.model_type,
            subjects=self.subjects,
            ratio=self.sampling_ratio,
            cams=self.test_cameras,
            size=self.body_3d_size,
        )

    def load_annotations(self) -> List[dict]:
        data_list = []
        masks = wholebody_fit_masks(self.model_type)
        for subject in self.subjects:
            parse = partial(
                self._parse,
                cameras=read_json(self._file(subject, 'camera')),
                joints=read_json(self._file(subject, 'joint_3d')),
                fits=read_json(
                    self._file(subject, fit_file_tag(self.model_type))
                ),
                masks=masks,
            )
            data_list += self.parse_coco(self._file(subject, 'data'), parse)
        return data_list

    def _parse(
        self,
        ann: dict,
        img: dict,
        cameras: dict,
        joints: dict,
        fits: dict,
        masks: dict,
    ) -> Optional[dict]:
        if img['frame_idx'] % self.sampling_ratio != 0:
            return None
        cam_idx = str(img['cam_idx'])
        if self.test_mode and cam_idx not in self.test_cameras:
            return None
        keys = [
            str(img[k]) for k in ('action_idx', 'subaction_idx', 'frame_idx')
        ]
        R, t, focal, princpt = camera_arrays(cameras[cam_idx], 'f', 'c')
        bbox = process_bbox(ann['bbox'], img['width'], img['height'])
        if bbox is None:
            return None
        world = np.array(
            joints[keys[0]][keys[1]][keys[2]], dtype=np.float32
        ).reshape(-1, 3)
        keypoints, rel = camera_keypoints(
            world,
            R,
            t,
            focal,
            princpt,
            self.metainfo['root_idx'],
            self.body_3d_size,
            self.depth_bins,
        )
        try:
            fit = fits[keys[0]][keys[1]][keys[2]]
        except KeyError:
            fit = None
        params = fit_params(fit, self.model_type)
        if params is None:
            params = dict(param_valid=False)
        params.update(
            cam_R=R, cam_t=t / 1000.0, focal=focal, princpt=princpt, **masks
        )
        return coco_data_info(
            img,
            ann,
            osp.join(self.img_dir, img['file_name']),
            bbox=bbox,
            keypoints=keypoints,
            keypoints_cam=rel,
            keypoints_valid=np.ones((len(rel), 1), dtype=np.float32),
            is_3d=1.0,
            gt_params=params,
        )
