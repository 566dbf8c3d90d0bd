"""FreiHAND (Pose2Pose hand, spec §5.5, §6.5)."""

import os.path as osp
from typing import Dict, List, Optional

from h4w.body_models.joint_sets import MANO_JOINTS
from h4w.registry import DATASETS
from h4w.structures.bbox import process_bbox

from .base import (
    BaseMeshDataset,
    annotation_context,
    coco_data_info,
    finite_array,
    mano_fit_params,
    read_json,
)

__all__ = ['FreiHANDDataset']


@DATASETS.register_module()
class FreiHANDDataset(BaseMeshDataset):
    """FreiHAND in the upstream parsed layout (Pose2Pose hand: 3D training
    set and the test set whose predictions go to the official server).

    Layout (``data_root`` = ``data/FreiHAND``)::

        data/freihand_{train,eval}_coco.json   COCO images (+ db_idx),
                                                boxes (xywh)
        data/freihand_{train,eval}_data.json   {db_idx: {'cam_param':
            {'focal' (2), 'princpt' (2)}, 'mano_param': {'pose' (48),
            'shape' (10), 'trans' (3)}}}, camera frame, metres, right hand
        data/<file_name>                        images
        rootnet_output/bbox_root_freihand_output.json   test boxes and
            roots: [{'image_id', 'bbox' (xywh), 'root_cam' (3)}]

    Train (§5.5): bbox = ``process_bbox(ann bbox, aspect 1.0)``; never
    flipped (``enforce_flip=False``); no dataset keypoints (the keypoint
    targets are zeros and invalid), only the right-hand MANO fit
    supervises (``gt_params``: ``root_pose = pose[:3]``, ``hand_pose =
    pose[3:]``, ``shape``, ``trans``, ``side='right'``, ``focal``,
    ``princpt``); ``is_3d = 1``.

    Test (§5.5, §6.5): the RootNet box is used as it is (it is already
    square and enlarged, so ``process_bbox`` is not applied) and its
    root goes into the data info as ``root_cam`` (3,) and ``root_depth``
    (``root_cam[2]``, packed into the metainfo), in the units of the
    RootNet file (not rescaled here). Samples are sorted by ``db_idx``,
    the index of the official evaluation set, so that the ``sample_idx``
    order that :class:`FreiHANDDumpMetric` writes ``pred.json`` in is the
    order the server expects. An evaluation image without a RootNet entry
    is an :class:`AnnotationError` (dropping it would shift every later
    prediction). Test samples carry the MANO fit (for the GT mesh
    ``mano_mesh_cam``) when ``_data.json`` has one.

    Args:
        data_file (str, optional): ``_data.json`` (relative to
            ``data_root``); defaults to the split's.
        rootnet_file (str): RootNet output (test only).
        bbox_aspect_ratio (float): w / h of the training crop box.
        **kwargs: :class:`BaseMeshDataset` arguments; ``ann_file``
            defaults to ``data/freihand_{train,eval}_coco.json``,
            ``data_prefix`` to ``dict(img='data')``.
    """

    METAINFO = dict(
        joint_names=MANO_JOINTS.joint_names, flip_pairs=(), root_idx=0
    )

    def __init__(
        self,
        data_file: Optional[str] = None,
        rootnet_file: str = ('rootnet_output/bbox_root_freihand_output.json'),
        bbox_aspect_ratio: float = 1.0,
        **kwargs,
    ) -> None:
        split = 'eval' if kwargs.get('test_mode', False) else 'train'
        if not kwargs.get('ann_file'):
            kwargs['ann_file'] = f'data/freihand_{split}_coco.json'
        kwargs.setdefault('data_prefix', dict(img='data'))
        self.data_file = data_file or f'data/freihand_{split}_data.json'
        self.rootnet_file = rootnet_file
        self.bbox_aspect_ratio = bbox_aspect_ratio
        super().__init__(**kwargs)

    def _path(self, path: str) -> str:
        return path if osp.isabs(path) else osp.join(self.data_root, path)

    def source_files(self) -> List[str]:
        files = [self.ann_file, self._path(self.data_file)]
        if self.test_mode:
            files.append(self._path(self.rootnet_file))
        return files

    def cache_args(self) -> Dict:
        return dict(
            super().cache_args(),
            ann_file=self.ann_file,
            data_file=self.data_file,
            rootnet=self.rootnet_file,
            aspect=self.bbox_aspect_ratio,
        )

    def _load_rootnet(self) -> Dict[str, dict]:
        path = self._path(self.rootnet_file)
        entries = read_json(path)
        result = {}
        for i, entry in enumerate(entries):
            ident = (
                entry.get('image_id', f'#{i}')
                if isinstance(entry, dict)
                else f'#{i}'
            )
            with annotation_context(path, ident):
                root_cam = finite_array(entry['root_cam'], (3,), 'root_cam')
                result[str(entry['image_id'])] = dict(
                    bbox=finite_array(entry['bbox'], (4,), 'bbox'),
                    root_cam=root_cam,
                )
        return result

    def load_annotations(self) -> List[dict]:
        db = read_json(self.ann_file)
        data_path = self._path(self.data_file)
        fits = read_json(data_path)
        rootnet = self._load_rootnet() if self.test_mode else None
        images = {img['id']: img for img in db['images']}
        img_dir = self.img_dir
        data_list = []
        for ann in db['annotations']:
            with annotation_context(self.ann_file, ann.get('id')):
                img = images[ann['image_id']]
                db_idx = str(img['db_idx'])
            with annotation_context(data_path, f'db_idx {db_idx}'):
                entry = fits[db_idx]
                cam = entry['cam_param']
                focal = finite_array(cam['focal'], (2,), 'focal')
                princpt = finite_array(cam['princpt'], (2,), 'princpt')
                params = mano_fit_params(entry.get('mano_param'), 'right')
            info = coco_data_info(
                img,
                ann,
                osp.join(img_dir, img['file_name']),
                db_idx=int(db_idx),
                is_3d=1.0,
                enforce_flip=False,
            )
            if self.test_mode:
                with annotation_context(
                    self._path(self.rootnet_file), f'image_id {img["id"]}'
                ):
                    box = rootnet[str(img['id'])]
                info.update(
                    bbox=box['bbox'],
                    root_cam=box['root_cam'],
                    root_depth=float(box['root_cam'][2]),
                )
            else:
                with annotation_context(self.ann_file, ann['id']):
                    bbox = process_bbox(
                        ann['bbox'],
                        img['width'],
                        img['height'],
                        aspect_ratio=self.bbox_aspect_ratio,
                    )
                if bbox is None:
                    continue
                if params is None:  # never None for a training set
                    params = dict(param_valid=False, side='right')
                info['bbox'] = bbox
            if params is not None:
                params.update(focal=focal, princpt=princpt)
                info['gt_params'] = params
            data_list.append(info)
        if self.test_mode:
            # the evaluation order of the official server
            data_list.sort(key=lambda x: (x['db_idx'], x['ann_id']))
        return data_list
