"""EHF (spec §5.4 "EHF", §6.2)."""

import os.path as osp
from typing import Dict, List, Optional

from h4w.registry import DATASETS
from h4w.structures.bbox import process_bbox, xywh_to_xyxy

from .base import BaseMeshDataset, coco_data_info, require_file
from .ply import PLYError, read_ply_vertices

__all__ = ['EHFDataset', 'ehf_mesh_name']

#: Image box key -> data-info key (hand and face boxes, xywh in the json).
PART_BOXES = dict(
    lefthand_bbox='lhand_bbox',
    righthand_bbox='rhand_bbox',
    face_bbox='face_bbox',
)


def ehf_mesh_name(file_name: str) -> str:
    """GT mesh file of an EHF image: the image name up to its first
    ``'_'`` plus ``'_align.ply'`` (``'01_img.jpg'`` ->
    ``'01_align.ply'``); a folder in ``file_name`` is kept.

    Examples:
        >>> ehf_mesh_name('01_img.jpg')
        '01_align.ply'
    """
    folder, base = osp.split(file_name)
    return osp.join(folder, base.split('_')[0] + '_align.ply')


@DATASETS.register_module()
class EHFDataset(BaseMeshDataset):
    """EHF (Expressive Hands and Faces) in Hand4Whole's layout; test only.

    Layout (``data_root`` = ``data/EHF``)::

        data/EHF.json          COCO-style: images (id, file_name, height,
                               width), annotations (id, image_id,
                               body_bbox, lefthand_bbox, righthand_bbox,
                               face_bbox; xywh pixels)
        data/<file_name>       images, e.g. 01_img.jpg
        data/<nn>_align.ply    GT SMPL-X meshes (10475 vertices, metres,
                               EHF world frame)

    Per annotation: ``bbox`` = ``process_bbox(body_bbox)`` (annotations
    whose box is empty are left out), ``lhand_bbox`` / ``rhand_bbox`` /
    ``face_bbox`` as (4,) float32 xyxy in original pixels (None when the
    json has no box, so :class:`PartBBoxTargets` marks it invalid), and
    ``smplx_mesh_cam`` (V, 3) float32, the GT mesh read from
    :func:`ehf_mesh_name` of the image when the sample is fetched (the
    PLY is not cached; :class:`PackMeshInputs` packs it into
    ``gt_instances``). The mesh is returned as stored: the camera rotation
    ``[-2.98747896, 0.01172457, -0.05704687]`` (axis-angle) is applied by
    :class:`WholeBodyMeshMetric` (``gt_rotation``), as the reference does
    in ``evaluate`` (§6.2).

    Spec §10.2 (EHF box targets scaled with ``output_hm_shape[1] / [0]``
    instead of ``[2] / [1]``): fixed by leaving the box targets to
    :class:`PartBBoxTargets` (W and H of the heat map).

    Args:
        ann_file (str): Relative to ``data_root``. Defaults to
            ``'data/EHF.json'``.
        mesh_dir (str): Folder of the ``_align.ply`` files, relative to
            ``data_root``. Defaults to ``'data'``.
        num_vertices (int, optional): Expected vertices per GT mesh (the
            SMPL-X topology); None accepts any. Defaults to 10475.
        **kwargs: :class:`BaseMeshDataset` arguments. ``data_prefix``
            defaults to ``dict(img='data')``; ``test_mode`` must be True
            (the default).
    """

    METAINFO = dict(joint_names=(), flip_pairs=())

    def __init__(
        self,
        ann_file: str = 'data/EHF.json',
        mesh_dir: str = 'data',
        num_vertices: Optional[int] = 10475,
        **kwargs,
    ) -> None:
        kwargs.setdefault('test_mode', True)
        if not kwargs['test_mode']:
            raise ValueError(
                'EHFDataset is a test set: test_mode must be '
                'True (it has no training targets)'
            )
        self.mesh_dir = mesh_dir
        self.num_vertices = num_vertices
        kwargs.setdefault('data_prefix', dict(img='data'))
        super().__init__(ann_file=ann_file, **kwargs)

    def cache_args(self) -> Dict:
        return dict(super().cache_args(), mesh_dir=self.mesh_dir)

    def load_annotations(self) -> List[dict]:
        return self.parse_coco(self.ann_file, self._parse)

    def _parse(self, ann: dict, img: dict) -> Optional[dict]:
        width, height = img['width'], img['height']
        bbox = process_bbox(ann['body_bbox'], width, height)
        if bbox is None:
            return None
        mesh_path = osp.join(
            self.data_root, self.mesh_dir, ehf_mesh_name(img['file_name'])
        )
        require_file(mesh_path, 'EHF GT mesh')
        info = coco_data_info(
            img,
            ann,
            osp.join(self.img_dir, img['file_name']),
            bbox=bbox,
            mesh_path=mesh_path,
        )
        for key, name in PART_BOXES.items():
            box = ann.get(key)
            info[name] = None if box is None else xywh_to_xyxy(box)
        return info

    def get_data_info(self, idx: int) -> dict:
        """The data info of ``idx`` with ``smplx_mesh_cam`` (V, 3) read
        from its PLY (FileNotFoundError / :class:`PLYError` naming the
        file when it is missing or unreadable)."""
        info = super().get_data_info(idx)
        mesh = read_ply_vertices(info['mesh_path'])
        if self.num_vertices is not None and len(mesh) != self.num_vertices:
            raise PLYError(
                f'{info["mesh_path"]}: {len(mesh)} vertices, '
                f'expected {self.num_vertices} (SMPL-X)'
            )
        info['smplx_mesh_cam'] = mesh
        return info
