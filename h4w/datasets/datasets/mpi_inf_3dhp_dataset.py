"""MPI-INF-3DHP (spec §5.4 whole body, §5.5 Pose2Pose body)."""

import os.path as osp
from functools import partial
from typing import Dict, List, Optional

import numpy as np

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
from .human36m_dataset import camera_arrays, camera_keypoints

__all__ = ['MPIINF3DHPDataset']


@DATASETS.register_module()
class MPIINF3DHPDataset(BaseMeshDataset):
    """MPI-INF-3DHP in the upstream parsed layout (3D training set).

    Layout (``data_root`` = ``data/MPI_INF_3DHP``)::

        data/images_1k/S{s}/Seq{q}/imageSequence/<file_name>
        data/MPI-INF-3DHP_1k.json          COCO images + boxes
        data/MPI-INF-3DHP_camera_1k.json   {s: {q: {cam: R, t mm, focal,
                                            princpt}}}
        data/MPI-INF-3DHP_joint_3d.json    {s: {q: {frame: 17 x 3 world
                                            mm}}}
        data/MPI-INF-3DHP_SMPLX_NeuralAnnot.json  {s: {q: {frame: fit}}}
        data/MPI-INF-3DHP_SMPL_NeuralAnnot.json   (Pose2Pose)

    Images carry ``subject_idx``, ``seq_idx``, ``frame_idx``, ``cam_idx``,
    ``file_name``, ``height``, ``width``. Every 3rd frame is kept (25 fps
    -> 25/3 fps). The upstream README lists only
    ``MPI-INF-3DHP_SMPL_NeuralAnnot.json`` (the Pose2Pose file), while the
    whole-body code reads ``MPI-INF-3DHP_SMPLX_NeuralAnnot.json``; the
    file is chosen by ``model_type`` (``_SMPLX_`` / ``_SMPL_``) and can be
    set with ``fit_file``. SMPL fits are ``{'pose' (72), 'shape',
    'trans'}``, SMPL-X fits use the preprocessor's names; both are in
    the world frame.

    Processing is that of :class:`Human36MDataset` (§5.4, sharing its
    helpers :func:`camera_arrays`, :func:`camera_keypoints` and the fit
    helpers :func:`fit_params`, :func:`wholebody_fit_masks`):
    ``keypoints`` x, y = projection of the 17 joints and z the
    root-relative depth (discretised with ``body_3d_size`` on the
    whole-body branch, metres for Pose2Pose where the pipeline
    discretises), ``keypoints_cam`` root (Pelvis) relative metres,
    ``keypoints_valid`` 1, ``is_3d`` 1, ``gt_params`` = the fit with the
    camera (R, t in metres). Whole body: ankle / wrist rotations and the
    six foot keypoints of the fit are masked, the fit's truncation is
    multiplied by its validity. A frame without a fit gets
    ``param_valid=False`` (upstream: KeyError).

    Bug fixed (§10.2): the upstream ``__getitem__`` returns only
    ``(inputs, targets)``; here every sample goes through the configured
    pipeline and carries all targets and validities.

    The upstream set has no test split; ``test_mode=True`` gives the same
    frames without augmentation (test pipeline), with ``keypoints_cam``.

    Args:
        model_type (str): ``'smplx'`` (Hand4Whole) or ``'smpl'``
            (Pose2Pose body).
        ann_file (str): COCO images, relative to ``data_root``.
        camera_file (str): Cameras, relative to ``data_root``.
        joint_file (str): World joints, relative to ``data_root``.
        fit_file (str, optional): NeuralAnnot fits, relative to
            ``data_root``; defaults to the file of ``model_type``.
        sampling_ratio (int): Keep frames with ``frame_idx % ratio == 0``.
        body_3d_size (float, optional): Depth discretisation of
            ``keypoints`` z (metres over the D bins); None keeps metres.
        depth_bins (int): D of the heat map.
        **kwargs: :class:`BaseMeshDataset` arguments (``data_prefix``
            defaults to ``dict(img='data/images_1k')``).
    """

    METAINFO = dict(
        joint_names=(
            'Head_top',
            'Neck',
            'R_Shoulder',
            'R_Elbow',
            'R_Wrist',
            'L_Shoulder',
            'L_Elbow',
            'L_Wrist',
            'R_Hip',
            'R_Knee',
            'R_Ankle',
            'L_Hip',
            'L_Knee',
            'L_Ankle',
            'Pelvis',
            'Torso',
            'Head',
        ),
        flip_pairs=((2, 5), (3, 6), (4, 7), (8, 11), (9, 12), (10, 13)),
        root_idx=14,
    )

    def __init__(
        self,
        model_type: str = 'smplx',
        ann_file: str = 'data/MPI-INF-3DHP_1k.json',
        camera_file: str = 'data/MPI-INF-3DHP_camera_1k.json',
        joint_file: str = 'data/MPI-INF-3DHP_joint_3d.json',
        fit_file: Optional[str] = None,
        sampling_ratio: int = 3,
        body_3d_size: Optional[float] = 2.0,
        depth_bins: int = 8,
        **kwargs,
    ) -> None:
        tag = fit_file_tag(model_type)
        self.model_type = model_type
        self.camera_file = camera_file
        self.joint_file = joint_file
        self.fit_file = fit_file or osp.join(
            'data', f'MPI-INF-3DHP_{tag}.json'
        )
        self.sampling_ratio = int(sampling_ratio)
        self.body_3d_size = body_3d_size
        self.depth_bins = depth_bins
        kwargs.setdefault('data_prefix', dict(img='data/images_1k'))
        super().__init__(ann_file=ann_file, **kwargs)

    def _path(self, name: str) -> str:
        return osp.join(self.data_root, name)

    def source_files(self) -> List[str]:
        return [self.ann_file] + [
            self._path(f)
            for f in (self.camera_file, self.joint_file, self.fit_file)
        ]

    def cache_args(self) -> Dict:
        return dict(
            super().cache_args(),
            model_type=self.model_type,
            files=(self.camera_file, self.joint_file, self.fit_file),
            ratio=self.sampling_ratio,
            size=self.body_3d_size,
            bins=self.depth_bins,
        )

    def load_annotations(self) -> List[dict]:
        parse = partial(
            self._parse,
            cameras=read_json(self._path(self.camera_file)),
            joints=read_json(self._path(self.joint_file)),
            fits=read_json(self._path(self.fit_file)),
            masks=wholebody_fit_masks(self.model_type),
        )
        return self.parse_coco(self.ann_file, parse)

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
        subject, seq, frame = (
            str(img[k]) for k in ('subject_idx', 'seq_idx', 'frame_idx')
        )
        R, t, focal, princpt = camera_arrays(
            cameras[subject][seq][str(img['cam_idx'])]
        )
        bbox = process_bbox(ann['bbox'], img['width'], img['height'])
        if bbox is None:
            return None
        world = np.array(
            joints[subject][seq][frame], dtype=np.float32
        ).reshape(len(self.metainfo['joint_names']), 3)
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
        fit = fits.get(subject, {}).get(seq, {}).get(frame)
        params = fit_params(fit, self.model_type)
        if params is None:
            params = dict(param_valid=False)
        params.update(
            cam_R=R, cam_t=t / 1000.0, focal=focal, princpt=princpt, **masks
        )
        return coco_data_info(
            img,
            ann,
            osp.join(
                self.img_dir,
                f'S{subject}',
                f'Seq{seq}',
                'imageSequence',
                img['file_name'],
            ),
            bbox=bbox,
            keypoints=keypoints,
            keypoints_cam=rel,
            keypoints_valid=np.ones((len(rel), 1), dtype=np.float32),
            is_3d=1.0,
            gt_params=params,
        )
