"""HumanData ``.npz`` files: the dataset format of mmhuman3d and of the
SMPLer-X / AiOS dataset conversions."""

import os.path as osp
import zipfile
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.logging import print_log

from h4w.body_models import GENDERS
from h4w.body_models.joint_sets import SMPLX_JOINTS, anchor_indices
from h4w.codecs import discretize_depth
from h4w.codecs.mesh_codec import PART_DEPTH
from h4w.registry import DATASETS
from h4w.structures.bbox import process_bbox, xywh_to_xyxy

from .base import AnnotationError, BaseMeshDataset
from .human_data_conventions import KEYPOINT_CONVENTIONS, convention_metainfo

__all__ = [
    'HumanDataDataset',
    'KEYPOINTS2D_KEYS',
    'KEYPOINTS3D_KEYS',
    'SMPLX_FIELDS',
]

#: 2D keypoint keys, in the order they are looked for (the dataset's own
#: annotations before the projections of the fit).
KEYPOINTS2D_KEYS = ('keypoints2d', 'keypoints2d_smplx')
#: 3D keypoint keys (camera frame, metres), in the order looked for.
KEYPOINTS3D_KEYS = ('keypoints3d_cam', 'keypoints3d', 'keypoints3d_smplx')
COMPRESSED_KEY = '__keypoints_compressed__'

#: ``smplx`` dict key -> (``gt_params`` field, values per row, required,
#: longer rows cut to the size). ``transl`` is checked with the camera.
SMPLX_FIELDS = (
    ('global_orient', 'root_pose', 3, True, False),
    ('body_pose', 'body_pose', 63, True, False),
    ('betas', 'shape', 10, True, True),
    ('left_hand_pose', 'lhand_pose', 45, False, False),
    ('right_hand_pose', 'rhand_pose', 45, False, False),
    ('jaw_pose', 'jaw_pose', 3, False, False),
    ('expression', 'expr', 10, False, True),
)
#: Part boxes: data-info key -> HumanData key.
PART_BOX_KEYS = dict(
    lhand_bbox='lhand_bbox_xywh',
    rhand_bbox='rhand_bbox_xywh',
    face_bbox='face_bbox_xywh',
)
#: ``meta['gender']`` spellings -> body-model gender.
GENDER_NAMES = dict(
    m='male', male='male', f='female', female='female', n='neutral'
)
GENDER_NAMES.update({g: g for g in GENDERS})


class _HumanDataFile:
    """One opened HumanData file; every error names the file, the key
    and, where one row is at fault, the row."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            # HumanData keeps dicts (``smplx``, ``meta``) as pickled
            # objects: only load files you trust (README "HumanData").
            self.npz = np.load(path, allow_pickle=True)
        except (OSError, ValueError, zipfile.BadZipFile) as err:
            raise AnnotationError(
                f'{path}: not a readable HumanData .npz ({err})'
            ) from err
        self.keys = set(self.npz.files)

    def __enter__(self) -> '_HumanDataFile':
        return self

    def __exit__(self, *exc) -> None:
        self.npz.close()

    def error(
        self, key: str, message: str, row: Optional[int] = None
    ) -> AnnotationError:
        # plain keys quoted ('bbox_xywh'), dict entries as written
        # (smplx['body_pose'])
        where = f'{self.path}: {key if "[" in key else repr(key)}'
        if row is not None:
            where += f' row {row}'
        return AnnotationError(f'{where}: {message}')

    def get(self, key: str) -> np.ndarray:
        if key not in self.keys:
            raise self.error(key, 'missing')
        try:
            return self.npz[key]
        except (OSError, ValueError, zipfile.BadZipFile) as err:
            raise self.error(key, f'unreadable ({err})') from err

    def flag(self, key: str) -> bool:
        """A 0-d boolean entry (False when absent)."""
        if key not in self.keys:
            return False
        value = np.asarray(self.get(key))
        if value.size != 1:
            raise self.error(
                key, f'expected one bool, got shape {value.shape}'
            )
        return bool(value.reshape(-1)[0])

    def mapping(self, key: str) -> Optional[dict]:
        """A dict stored as a 0-d object array (None when absent)."""
        if key not in self.keys:
            return None
        value = self.get(key)
        value = value.item() if value.shape == () else value
        if not isinstance(value, dict):
            raise self.error(key, f'expected a dict, got {type(value)}')
        return value

    def rows(
        self,
        key: str,
        value: Any,
        num: int,
        size: int,
        cut: bool = False,
    ) -> np.ndarray:
        """``value`` as (num, size) float32, one row per person.

        Trailing axes are flattened ((N, 21, 3) -> (N, 63)); with ``cut``
        longer rows keep their first ``size`` values (betas, expression).
        """
        try:
            array = np.asarray(value, dtype=np.float32)
        except (TypeError, ValueError) as err:
            raise self.error(key, f'not numeric ({err})') from err
        if array.ndim == 0 or len(array) != num:
            raise self.error(
                key,
                f'has shape {array.shape}: expected {num} rows (one per '
                'image_path entry)',
            )
        array = array.reshape(num, -1)
        width = array.shape[1]
        if width != size and not (cut and width > size):
            expected = f'at least {size}' if cut else str(size)
            raise self.error(
                key,
                f'has {width} values per row (shape {np.shape(value)}), '
                f'expected {expected}',
            )
        return array[:, :size].copy()

    def finite_rows(self, key: str, array: np.ndarray, used=None) -> None:
        """AnnotationError naming the first row (of ``used``) holding a
        NaN or an infinity."""
        bad = ~np.isfinite(array.reshape(len(array), -1)).all(1)
        if used is not None:
            bad &= used
        if bad.any():
            raise self.error(key, 'not finite', int(np.argmax(bad)))

    def keypoints(
        self,
        key: str,
        num: int,
        names: Sequence[str],
        channels: int,
        compressed: bool,
    ) -> Tuple[np.ndarray, np.ndarray]:
        """(num, K, channels) keypoints (invalid ones zeroed) and their
        validity (num, K) bool = mask > 0 and confidence > 0."""
        num_joints = len(names)
        mask_key = f'{key}_mask'
        mask = None
        if mask_key in self.keys:
            mask = np.asarray(self.get(mask_key), np.float32).reshape(-1)
            if len(mask) != num_joints or not np.isfinite(mask).all():
                raise self.error(
                    mask_key,
                    f'expected {num_joints} finite values, got shape '
                    f'{mask.shape}',
                )
        value = np.asarray(self.get(key), dtype=np.float32)
        if compressed:
            if mask is None:
                raise self.error(
                    key,
                    f'{COMPRESSED_KEY} is set but there is no {mask_key!r} '
                    'to decompress with',
                )
            kept = mask != 0
            shape = (num, int(kept.sum()), channels)
        else:
            shape = (num, num_joints, channels)
        if value.shape != shape:
            what = 'compressed ' if compressed else ''
            raise self.error(
                key, f'has shape {value.shape}, expected {what}{shape}'
            )
        if compressed:
            full = np.zeros((num, num_joints, channels), np.float32)
            full[:, kept] = value
            value = full
        if mask is None:
            mask = np.ones(num_joints, np.float32)
        used = np.broadcast_to(mask > 0, value.shape[:2])
        conf = value[..., -1]
        valid = used & (conf > 0)
        bad = (used & ~np.isfinite(conf)) | (
            valid & ~np.isfinite(value[..., :-1]).all(-1)
        )
        if bad.any():
            row, joint = (int(i) for i in np.argwhere(bad)[0])
            raise self.error(
                key, f'joint {joint} ({names[joint]}) is not finite', row
            )
        value = np.where(valid[..., None], value, 0).astype(np.float32)
        return value, valid

    def joint_count(self, key: str, compressed: bool) -> int:
        """Joints per row of a keypoint key: its mask length, else the
        second axis of its array (read from the .npy header only)."""
        mask_key = f'{key}_mask'
        if mask_key in self.keys:
            return int(np.asarray(self.get(mask_key)).size)
        if compressed:
            raise self.error(
                key,
                f'{COMPRESSED_KEY} is set but there is no {mask_key!r} '
                'to decompress with',
            )
        shape = _npy_shape(self.path, key)
        if shape is None:
            shape = self.get(key).shape
        if len(shape) != 3:
            raise self.error(key, f'expected (N, K, C), got shape {shape}')
        return int(shape[1])


def _npy_shape(path: str, key: str) -> Optional[Tuple[int, ...]]:
    """Shape of array ``key`` of an .npz read from its header (None when
    the header cannot be read this way)."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(f'{key}.npy') as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                header = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                header = np.lib.format.read_array_header_2_0(f)
            else:
                return None
        return tuple(header[0])
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def _per_row(
    source: _HumanDataFile,
    key: str,
    value: Any,
    num: int,
    size: int,
) -> np.ndarray:
    """A meta value given once or per row -> (num, size) float32: a
    scalar or a (size,) vector for every row, else (num,) or
    (num, size)."""
    try:
        array = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise source.error(key, f'not numeric ({err})') from err
    if array.size == 1:
        return np.full((num, size), array.reshape(-1)[0], np.float32)
    if array.shape == (size,):
        return np.tile(array, (num, 1))
    if array.shape in ((num,), (num, 1)):
        return np.repeat(array.reshape(num, 1), size, axis=1)
    return source.rows(key, array, num, size)


@DATASETS.register_module()
class HumanDataDataset(BaseMeshDataset):
    """One HumanData ``.npz`` file (mmhuman3d, SMPLer-X, AiOS).

    Layout: ``data_root`` holds the file (``ann_file``) and the images
    (``data_prefix['img']``, else ``data_root``), named by the file's
    ``image_path`` relative to that folder.

    Keys read (N rows, one per person; K joints of the keypoint
    convention):

    * ``image_path`` (N,) str; ``bbox_xywh`` (N, 5) x, y, w, h, score (or
      (N, 4)); optional ``lhand_bbox_xywh``, ``rhand_bbox_xywh``,
      ``face_bbox_xywh`` (N, 5), score 0 = no box.
    * 2D keypoints: the first of :data:`KEYPOINTS2D_KEYS` (or
      ``keypoints2d_key``), (N, K, 3) x, y, confidence, with its
      ``<key>_mask`` (K,) (0: the source dataset has no such joint).
      With ``use_keypoints3d``, 3D keypoints: the first of
      :data:`KEYPOINTS3D_KEYS` (or ``keypoints3d_key``), (N, K, 4)
      camera-frame metres and confidence, with its mask. When
      ``__keypoints_compressed__`` is true the keypoint arrays hold only
      the joints whose mask is non-zero and are decompressed with it.
    * ``smplx``: a dict (pickled) of ``global_orient`` (N, 3),
      ``body_pose`` (N, 21, 3) or (N, 63), ``betas`` (N, >= 10; the
      first 10 are kept), ``transl`` (N, 3) and, optional per part,
      ``left_hand_pose`` / ``right_hand_pose`` (N, 15, 3) or (N, 45),
      ``jaw_pose`` (N, 3), ``expression`` (N, >= 10); eye poses are not
      used (zero, as the reference). A camera-frame fit.
    * ``meta``: a dict (pickled) of ``focal_length`` and
      ``principal_point`` (pixels; (N, 2), (2,), (N,) or a scalar),
      ``height``, ``width`` (N,) or scalars, ``gender`` (N,) or one str
      (``male`` / ``female`` / ``neutral``, or ``m`` / ``f`` / ``n``).
      Other keys (``config``, ``misc``, ``smpl`` ...) are ignored.

    Keypoint convention (``keypoint_convention``): ``'smplx'`` (144) or
    ``'human_data'`` (190) of :mod:`.human_data_conventions`; None reads
    it from the file (the joint count of the 2D keypoints: 144 or 190;
    ``'smplx'`` when there are none). ``METAINFO['joint_names']`` are
    h4w's SMPL-X names where the joints correspond, so
    ``KeypointTargets`` re-indexes them into ``smplx_137``; the others
    are dropped there. The metainfo also keeps mmhuman3d's names
    (``source_joint_names``).

    Per row: ``bbox`` = ``process_bbox(bbox_xywh)`` (aspect
    ``bbox_aspect_ratio``); rows with box score <= 0 or a box that
    ``process_bbox`` rejects are left out (counted in the log). Part
    boxes become xyxy, None when the key is absent, the score is <= 0 or
    the box is empty. ``keypoints`` (K, 3) x, y pixels and z = 0,
    ``keypoints_valid`` (K, 1) = mask * (confidence > 0), ``is_3d`` 0.
    With ``use_keypoints3d`` (3D set, as :class:`Human36MDataset`):
    ``keypoints_cam`` (K, 3) metres relative to the pelvis, hand joints
    to their wrist and face joints to the neck (the model's
    ``joint_cam``), ``keypoints`` z = that depth discretised with
    ``depth_sizes`` (body / hand / face) over ``depth_bins``, validity
    times the 3D validity of the joint, its anchor and the pelvis;
    ``is_3d`` 1.

    Fits: ``gt_params`` with the :class:`BodyModelTargetGenerator`
    field names, the camera (``focal``, ``princpt``), ``gender``
    (``gt_gender='file'``) and ``mask_trunc`` (the truncation of a part
    whose fit is absent is not supervised). A part whose parameters are
    absent (no ``left_hand_pose`` ...) has zero, invalid targets. A file
    without ``smplx`` gives every row ``gt_params=dict(param_valid=False)``
    (2D keypoints only). A fit needs the camera and ``transl``: without
    them the targets that need a camera (every joint target of the fit,
    and the GT mesh position) cannot be computed, and the target
    contract has no "parameters only" mode, so the file is refused with
    an error naming it and the missing key; ``missing_camera='drop_fit'``
    keeps its rows without fits instead. ``keypoints_from_fit`` (as
    AGORA) makes the fit's joints the keypoint targets of the rows with a
    fit (``is_3d`` 1 there).

    Test mode: rows with a fit, with ``bbox`` and ``gt_params`` only
    (the data preprocessor computes the GT mesh ``smplx_mesh_cam`` for
    :class:`WholeBodyMeshMetric`); rows without a fit are left out.

    Bad input: a missing key, a key with a wrong shape or a row count
    other than ``len(image_path)``, a NaN in a used entry, an unknown
    gender or convention raise :class:`AnnotationError` naming the file,
    the key and, where one row is at fault, the row.

    Data info: ``img_path``, ``ori_shape``, ``img_id`` (the
    ``image_path`` entry), ``ann_id`` (the row), ``bbox`` and, in
    training, ``keypoints``, ``keypoints_valid``, ``is_3d``, the three
    part boxes and ``gt_params``.

    Args:
        ann_file (str): The ``.npz``, relative to ``data_root``.
        keypoint_convention (str, optional): ``'smplx'`` or
            ``'human_data'``; None: from the file.
        keypoints2d_key (str, optional): Key of the 2D keypoints.
            Defaults to the first of :data:`KEYPOINTS2D_KEYS` present.
        use_keypoints3d (bool): Use the 3D keypoints (3D set).
        keypoints3d_key (str, optional): Key of the 3D keypoints.
            Defaults to the first of :data:`KEYPOINTS3D_KEYS` present.
        keypoints_from_fit (bool): The fit's joints are the keypoint
            targets (rows with a fit).
        gt_gender (str): ``'file'`` (``meta['gender']``, neutral when
            absent) or ``'neutral'`` (then ``smplx['betas_neutral']``
            replaces ``betas`` when present).
        missing_camera (str): ``'raise'`` or ``'drop_fit'`` (see above).
        img_shape (Sequence[int], optional): (H, W) of every image, for
            files whose ``meta`` has no ``height`` / ``width``.
        bbox_aspect_ratio (float): Crop W / H of ``process_bbox``.
        depth_sizes (dict): Metres spanned by the depth bins of the body,
            hand and face joints (the model codec's ``depth_sizes``).
        depth_bins (int): Heat-map depth D (the codec's).
        **kwargs: :class:`BaseMeshDataset` arguments.
    """

    METAINFO = convention_metainfo('smplx')

    def __init__(
        self,
        ann_file: str = '',
        keypoint_convention: Optional[str] = None,
        keypoints2d_key: Optional[str] = None,
        use_keypoints3d: bool = False,
        keypoints3d_key: Optional[str] = None,
        keypoints_from_fit: bool = False,
        gt_gender: str = 'file',
        missing_camera: str = 'raise',
        img_shape: Optional[Sequence[int]] = None,
        bbox_aspect_ratio: float = 0.75,
        depth_sizes: Optional[Dict[str, float]] = None,
        depth_bins: int = 8,
        **kwargs,
    ) -> None:
        if not ann_file:
            raise ValueError(
                'HumanDataDataset: ann_file (the .npz, relative to '
                'data_root) is required'
            )
        if gt_gender not in ('file', 'neutral'):
            raise ValueError(
                f"gt_gender must be 'file' or 'neutral', got {gt_gender!r}"
            )
        if missing_camera not in ('raise', 'drop_fit'):
            raise ValueError(
                "missing_camera must be 'raise' or 'drop_fit', got "
                f'{missing_camera!r}'
            )
        if img_shape is not None:
            img_shape = tuple(int(v) for v in img_shape)
            if len(img_shape) != 2 or min(img_shape) <= 0:
                raise ValueError(f'img_shape must be (H, W), got {img_shape}')
        self.keypoints2d_key = keypoints2d_key
        self.use_keypoints3d = use_keypoints3d
        self.keypoints3d_key = keypoints3d_key
        self.keypoints_from_fit = keypoints_from_fit
        self.gt_gender = gt_gender
        self.missing_camera = missing_camera
        self.img_shape = img_shape
        self.bbox_aspect_ratio = float(bbox_aspect_ratio)
        self.depth_sizes = dict(
            depth_sizes or dict(body=2.0, hand=0.3, face=0.3)
        )
        self.depth_bins = depth_bins
        data_root = kwargs.get('data_root')
        path = ann_file
        if data_root is not None and not osp.isabs(path):
            path = osp.join(data_root, path)
        convention = keypoint_convention or self._file_convention(path)
        if convention not in KEYPOINT_CONVENTIONS:
            raise ValueError(
                f'{path}: unknown keypoint_convention {convention!r}; one '
                f'of {sorted(KEYPOINT_CONVENTIONS)}'
            )
        self.keypoint_convention = convention
        kwargs['metainfo'] = dict(
            convention_metainfo(convention), **(kwargs.get('metainfo') or {})
        )
        super().__init__(ann_file=ann_file, **kwargs)

    # ------------------------------------------------------------ helpers
    def cache_args(self) -> Dict[str, Any]:
        return dict(
            super().cache_args(),
            convention=self.keypoint_convention,
            keys=(self.keypoints2d_key, self.keypoints3d_key),
            use_3d=self.use_keypoints3d,
            from_fit=self.keypoints_from_fit,
            gender=self.gt_gender,
            missing_camera=self.missing_camera,
            img_shape=self.img_shape,
            aspect=self.bbox_aspect_ratio,
            depth=(sorted(self.depth_sizes.items()), self.depth_bins),
            img_dir=self.img_dir,
        )

    def _keypoint_key(
        self, source: _HumanDataFile, given: Optional[str], keys
    ) -> Optional[str]:
        """The keypoint key to read: ``given`` (must exist), else the
        first of ``keys`` present, else None."""
        if given is not None:
            if given not in source.keys:
                raise source.error(given, 'missing (keypoint key asked for)')
            return given
        return next((k for k in keys if k in source.keys), None)

    def _file_convention(self, path: str) -> str:
        """The convention of the file's 2D keypoints, from their joint
        count (``'smplx'`` when it has none or does not exist yet)."""
        if not osp.isfile(path):
            return 'smplx'  # load_data_list names the missing file
        with _HumanDataFile(path) as source:
            key = self._keypoint_key(
                source, self.keypoints2d_key, KEYPOINTS2D_KEYS
            )
            if key is None:
                return 'smplx'
            count = source.joint_count(key, source.flag(COMPRESSED_KEY))
        for name, names in KEYPOINT_CONVENTIONS.items():
            if len(names) == count:
                return name
        known = {n: len(v) for n, v in KEYPOINT_CONVENTIONS.items()}
        raise source.error(
            key,
            f'{count} joints per row is no known keypoint convention '
            f'({known}); set keypoint_convention',
        )

    # ------------------------------------------------------------ parsing
    def load_annotations(self) -> List[dict]:
        with _HumanDataFile(self.ann_file) as source:
            return self._parse_file(source)

    def _parse_file(self, source: _HumanDataFile) -> List[dict]:
        """The data infos of an opened file (class docstring)."""
        image_path = [
            item.decode() if isinstance(item, bytes) else str(item)
            for item in np.asarray(source.get('image_path')).reshape(-1)
        ]
        num = len(image_path)
        meta = source.mapping('meta') or {}
        heights, widths = self._image_shapes(source, meta, num)
        bbox, bbox_used = self._boxes(source, 'bbox_xywh', num)
        fits = self._fits(source, meta, num)
        parts, keypoints = {}, None
        if not self.test_mode:
            parts = {
                name: self._boxes(source, key, num)
                for name, key in PART_BOX_KEYS.items()
                if key in source.keys
            }
            keypoints = self._keypoints(source, num)
        img_dir = self.img_dir
        data_list, skipped = [], 0
        for row in range(num):
            box = None
            if bbox_used[row]:
                box = process_bbox(
                    bbox[row],
                    widths[row],
                    heights[row],
                    aspect_ratio=self.bbox_aspect_ratio,
                )
            params = fits[row]
            if box is None or (self.test_mode and params is None):
                skipped += 1
                continue
            info = dict(
                img_path=osp.join(img_dir, image_path[row]),
                img_id=image_path[row],
                ann_id=row,
                ori_shape=(int(heights[row]), int(widths[row])),
                bbox=box,
                gt_params=(
                    dict(param_valid=False) if params is None else params
                ),
            )
            if not self.test_mode:
                self._add_targets(info, row, parts, keypoints)
            data_list.append(info)
        if skipped:
            why = 'box score <= 0 or box rejected by process_bbox'
            if self.test_mode:
                why += ', or no fit'
            print_log(
                f'HumanDataDataset: {self.ann_file}: {skipped} of {num} '
                f'rows left out ({why})',
                'current',
            )
        return data_list

    def _image_shapes(
        self, source: _HumanDataFile, meta: dict, num: int
    ) -> Tuple[np.ndarray, np.ndarray]:
        """(num,) heights and widths: ``meta['height']`` / ``['width']``,
        else ``img_shape``."""
        if 'height' in meta and 'width' in meta:
            shapes = [
                _per_row(source, f"meta['{key}']", meta[key], num, 1)[:, 0]
                for key in ('height', 'width')
            ]
            for key, value in zip(('height', 'width'), shapes):
                bad = ~(np.isfinite(value) & (value > 0))
                if bad.any():
                    raise source.error(
                        f"meta['{key}']",
                        'not a positive size',
                        int(np.argmax(bad)),
                    )
            return shapes[0], shapes[1]
        if self.img_shape is None:
            raise source.error(
                'meta',
                "has no 'height' and 'width' (the image sizes): set "
                'img_shape=(H, W) of the dataset',
            )
        return (
            np.full(num, self.img_shape[0], np.float32),
            np.full(num, self.img_shape[1], np.float32),
        )

    @staticmethod
    def _boxes(
        source: _HumanDataFile, key: str, num: int
    ) -> Tuple[np.ndarray, np.ndarray]:
        """(num, 4) xywh boxes and which rows have one ((num,) bool:
        score > 0 (no score column: all), width and height > 0); a used
        box must be finite."""
        value = np.asarray(source.get(key))
        columns = 5 if value.ndim == 2 and value.shape[1:] == (5,) else 4
        boxes = source.rows(key, value, num, columns)
        score = boxes[:, 4] if columns == 5 else np.ones(num, np.float32)
        if not np.isfinite(score).all():
            raise source.error(
                key, 'score is not finite', int(np.argmax(~np.isfinite(score)))
            )
        used = score > 0
        boxes = boxes[:, :4]
        source.finite_rows(key, boxes, used)
        used &= (boxes[:, 2] > 0) & (boxes[:, 3] > 0)
        return boxes, used

    def _add_targets(
        self,
        info: dict,
        row: int,
        parts: Dict[str, Tuple[np.ndarray, np.ndarray]],
        keypoints: Optional[Dict[str, np.ndarray]],
    ) -> None:
        """Training fields of one row: part boxes, keypoints, is_3d."""
        for name in PART_BOX_KEYS:
            box = None
            if name in parts and parts[name][1][row]:
                box = xywh_to_xyxy(parts[name][0][row])
            info[name] = box
        is_3d = 0.0
        if keypoints is not None:
            info['keypoints'] = keypoints['keypoints'][row].copy()
            info['keypoints_valid'] = keypoints['valid'][row, :, None].astype(
                np.float32
            )
            if 'keypoints_cam' in keypoints:
                info['keypoints_cam'] = keypoints['keypoints_cam'][row].copy()
                is_3d = 1.0
        params = info['gt_params']
        if self.keypoints_from_fit and params.get('param_valid', True):
            params['keypoints_from_fit'] = True
            is_3d = 1.0
        info['is_3d'] = is_3d

    # ---------------------------------------------------------- keypoints
    def _keypoints(
        self, source: _HumanDataFile, num: int
    ) -> Optional[Dict[str, np.ndarray]]:
        """``keypoints`` (num, K, 3), ``valid`` (num, K) bool and, with
        3D keypoints, ``keypoints_cam`` (num, K, 3); None without 2D
        keypoints."""
        key = self._keypoint_key(
            source, self.keypoints2d_key, KEYPOINTS2D_KEYS
        )
        if key is None:
            if self.use_keypoints3d:
                raise source.error(
                    'keypoints2d',
                    'missing: use_keypoints3d needs 2D keypoints too (the '
                    f'file has none of {KEYPOINTS2D_KEYS})',
                )
            return None
        names = self.metainfo['joint_names']
        compressed = source.flag(COMPRESSED_KEY)
        points, valid = source.keypoints(key, num, names, 3, compressed)
        points[..., 2] = 0  # no depth
        out = dict(keypoints=points, valid=valid)
        if not self.use_keypoints3d:
            return out
        key3d = self._keypoint_key(
            source, self.keypoints3d_key, KEYPOINTS3D_KEYS
        )
        if key3d is None:
            raise source.error(
                'keypoints3d',
                f'missing: use_keypoints3d needs one of {KEYPOINTS3D_KEYS}',
            )
        points3d, valid3d = source.keypoints(key3d, num, names, 4, compressed)
        root = self.metainfo['root_idx']
        anchors, sizes, anchored = self._joint_anchors(names, root)
        xyz = points3d[..., :3]
        rel = xyz - xyz[:, root : root + 1]
        cam = rel - rel[:, anchors]
        valid3d = (
            valid3d & valid3d[:, anchors] & valid3d[:, root : root + 1]
        ) & anchored
        points[..., 2] = discretize_depth(cam[..., 2], sizes, self.depth_bins)
        both = valid & valid3d
        out.update(
            keypoints=np.where(both[..., None], points, 0).astype(np.float32),
            keypoints_cam=np.where(both[..., None], cam, 0).astype(np.float32),
            valid=both,
        )
        return out

    def _joint_anchors(
        self, names: Sequence[str], root: int
    ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per joint: the row it is made relative to (hands: their wrist,
        face: the neck, others: the root, as the model's ``joint_cam``),
        its depth size in metres and whether the anchor exists."""
        index = {name: i for i, name in enumerate(names)}
        target_anchor = anchor_indices(SMPLX_JOINTS)
        part_of = {}
        for part, (start, end) in SMPLX_JOINTS.parts.items():
            if part in PART_DEPTH:
                for i in range(start, end):
                    part_of[i] = PART_DEPTH[part]
        anchors = np.full(len(names), root, np.int64)
        sizes = np.full(len(names), self.depth_sizes['body'], np.float32)
        anchored = np.ones(len(names), bool)
        for i, name in enumerate(names):
            if name not in SMPLX_JOINTS.joint_names:
                continue
            target = SMPLX_JOINTS.index(name)
            anchor = SMPLX_JOINTS.joint_names[target_anchor[target]]
            if anchor in index:
                anchors[i] = index[anchor]
            else:
                anchored[i] = False
            if target in part_of:
                sizes[i] = self.depth_sizes[part_of[target]]
        return anchors, sizes, anchored

    # --------------------------------------------------------------- fits
    def _fits(
        self, source: _HumanDataFile, meta: dict, num: int
    ) -> List[Optional[dict]]:
        """``gt_params`` of every row (None: no fit)."""
        smplx = source.mapping('smplx')
        if not smplx:
            return [None] * num
        fields = {}
        for src, dst, size, required, cut in SMPLX_FIELDS:
            if src == 'betas' and self.gt_gender == 'neutral':
                src = 'betas_neutral' if 'betas_neutral' in smplx else src
            key = f"smplx['{src}']"
            if src not in smplx:
                if required:
                    raise source.error(key, 'missing')
                continue
            fields[dst] = source.rows(key, smplx[src], num, size, cut)
            source.finite_rows(key, fields[dst])
        camera = self._camera(source, smplx, meta, num)
        if camera is None:
            return [None] * num
        fields.update(camera)
        genders = self._genders(source, meta, num)
        fits = []
        for row in range(num):
            params = {k: v[row].copy() for k, v in fields.items()}
            params['mask_trunc'] = True
            if genders is not None and genders[row] != 'neutral':
                params['gender'] = genders[row]
            fits.append(params)
        return fits

    def _camera(
        self, source: _HumanDataFile, smplx: dict, meta: dict, num: int
    ) -> Optional[Dict[str, np.ndarray]]:
        """``trans``, ``focal``, ``princpt`` (num, ...) of the fits; None
        (``missing_camera='drop_fit'``) or an error when one is absent."""
        needed = {
            "smplx['transl']": ('transl', smplx),
            "meta['focal_length']": ('focal_length', meta),
            "meta['principal_point']": ('principal_point', meta),
        }
        for key, (name, holder) in needed.items():
            if name in holder:
                continue
            if self.missing_camera == 'drop_fit':
                print_log(
                    f'HumanDataDataset: {self.ann_file}: no {key}: the '
                    'SMPL-X fits are not used (missing_camera=drop_fit)',
                    'current',
                    level=30,
                )
                return None
            raise source.error(
                key,
                'missing: the SMPL-X fit targets need the camera-frame '
                'translation and the camera (focal_length, '
                "principal_point in pixels); set missing_camera='drop_fit' "
                'to train on the rows without their fits',
            )
        camera = dict(
            trans=source.rows("smplx['transl']", smplx['transl'], num, 3),
            focal=_per_row(
                source, "meta['focal_length']", meta['focal_length'], num, 2
            ),
            princpt=_per_row(
                source,
                "meta['principal_point']",
                meta['principal_point'],
                num,
                2,
            ),
        )
        names = dict(
            trans="smplx['transl']",
            focal="meta['focal_length']",
            princpt="meta['principal_point']",
        )
        for field, value in camera.items():
            source.finite_rows(names[field], value)
        bad = ~(camera['focal'] > 0).all(1)
        if bad.any():
            raise source.error(
                "meta['focal_length']", 'not positive', int(np.argmax(bad))
            )
        return camera

    def _genders(
        self, source: _HumanDataFile, meta: dict, num: int
    ) -> Optional[List[str]]:
        """Body-model gender per row (None: neutral for all)."""
        if self.gt_gender != 'file' or 'gender' not in meta:
            return None
        value = meta['gender']
        if isinstance(value, (str, bytes)):
            value = [value] * num
        value = np.asarray(value).reshape(-1)
        if len(value) == 1:
            value = np.repeat(value, num)
        if len(value) != num:
            raise source.error(
                "meta['gender']",
                f'has {len(value)} entries, expected {num} (one per '
                'image_path entry)',
            )
        genders = []
        for row, item in enumerate(value):
            item = item.decode() if isinstance(item, bytes) else str(item)
            gender = GENDER_NAMES.get(item.strip().lower())
            if gender is None:
                raise source.error(
                    "meta['gender']",
                    f'unknown gender {item!r} (one of {sorted(GENDER_NAMES)})',
                    row,
                )
            genders.append(gender)
        return genders
