"""Base class of every h4w dataset: cached parsing and bad-input policy."""

import contextlib
import hashlib
import json
import os
import os.path as osp
import pickle
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from h4w.datasets.transforms.loading import MissingImageError

__all__ = [
    'AnnotationError',
    'BaseMeshDataset',
    'annotation_context',
    'coco_data_info',
    'finite_array',
    'read_json',
    'require_file',
]

#: Bump when the parsed data-info layout changes (invalidates caches).
CACHE_VERSION = 5


class AnnotationError(ValueError):
    """A malformed annotation; the message names the file and the id."""


@contextlib.contextmanager
def annotation_context(ann_file: str, ann_id: Any) -> Iterator[None]:
    """Turn a KeyError / IndexError / TypeError / ValueError raised while
    parsing one annotation into an :class:`AnnotationError` naming
    ``ann_file`` and ``ann_id``."""
    try:
        yield
    except AnnotationError:
        raise
    except (
        KeyError,
        IndexError,
        TypeError,
        ValueError,
        AttributeError,
    ) as err:
        raise AnnotationError(
            f'{ann_file}: annotation {ann_id}: malformed '
            f'({type(err).__name__}: {err})'
        ) from err


def require_file(path: str, what: str) -> str:
    """``path`` if it exists, else FileNotFoundError naming it."""
    if not osp.exists(path):
        raise FileNotFoundError(
            f'{what} not found: {path} (see the data layout in README.md, '
            f'"Datasets")'
        )
    return path


def read_json(path: str, what: Optional[str] = None) -> Any:
    """The content of the JSON file ``path``.

    With ``what`` (e.g. ``'AGORA fit'``), a missing file is a
    FileNotFoundError and invalid JSON a ValueError, both naming ``what``
    and ``path``.
    """
    if what is not None:
        require_file(path, what)
    with open(path) as f:
        try:
            return json.load(f)
        except ValueError as err:
            if what is None:
                raise
            raise ValueError(
                f'{what} {path} is not valid JSON: {err}'
            ) from err


def coco_data_info(img: dict, ann: dict, img_path: str, **fields) -> dict:
    """Data info of annotation ``ann`` on image ``img`` of a COCO-style
    file: ``img_path``, ``img_id``, ``ann_id``, ``ori_shape`` (H, W),
    then ``fields``."""
    return dict(
        img_path=img_path,
        img_id=img['id'],
        ann_id=ann['id'],
        ori_shape=(img['height'], img['width']),
        **fields,
    )


def finite_array(value: Any, shape: Sequence[int], name: str) -> np.ndarray:
    """``value`` as a new float32 array of ``shape``; ValueError
    ``'non-finite <name>'`` when an entry is NaN or infinite (a wrong
    size raises the ValueError of :meth:`numpy.ndarray.reshape`)."""
    array = np.array(value, dtype=np.float32).reshape(shape)
    if not np.isfinite(array).all():
        raise ValueError(f'non-finite {name}')
    return array


class BaseMeshDataset(BaseDataset):
    """A dataset of person instances read from an upstream layout.

    Subclasses implement :meth:`load_annotations` (returning one dict per
    instance, see below) and :meth:`source_files` (the annotation files it
    reads). The parsed list is cached in ``cache_dir`` under a key made of
    the class, the constructor arguments that change parsing, and the
    size and modification time of every source file, so a second start
    skips the parsing.

    Data-info keys a subclass fills (per instance; absent = not
    available): ``img_path``, ``ori_shape`` (H, W), ``bbox`` (4,) xywh
    already processed (§5.1 ``process_bbox``; instances whose box is
    skipped are left out), ``keypoints`` (J, 3), ``keypoints_cam``
    (J, 3) metres, ``keypoints_valid`` (J, 1) in the dataset's joint set
    (``METAINFO['joint_names']``), ``is_3d`` (float), ``gt_params`` (dict
    of the fit and camera, :class:`BodyModelTargetGenerator` contract),
    ``lhand_bbox`` / ``rhand_bbox`` / ``face_bbox`` (4,) xyxy,
    ``enforce_flip``, test-time GT (``smplx_mesh_cam``, ``keypoints_cam``
    ...) and ids (``ann_id``, ``img_id``, ``person_id``).

    :meth:`get_data_info` adds ``joint_names``, ``flip_pairs`` and
    ``dataset_name`` from the metainfo.

    Bad input: a missing or unreadable image raises during testing and is
    a logged, counted skip during training (another sample is drawn).

    Args:
        ann_file (str): Main annotation file, relative to ``data_root``.
        data_root (str): Dataset root (the upstream ``data/<Name>``).
        cache_dir (str, optional): Where parsed annotations are cached.
            Defaults to ``$H4W_CACHE_DIR`` or ``~/.cache/h4w/datasets``.
        use_cache (bool): Read and write the cache.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments
            (``pipeline``, ``test_mode``, ``metainfo``, ``indices``,
            ``lazy_init``, ``max_refetch``, ...).
    """

    METAINFO: dict = dict(joint_names=(), flip_pairs=())

    def __init__(
        self,
        ann_file: str = '',
        data_root: Optional[str] = None,
        cache_dir: Optional[str] = None,
        use_cache: bool = True,
        **kwargs,
    ) -> None:
        if data_root is None:
            raise ValueError(
                f'{type(self).__name__}: data_root is required '
                '(the upstream data/<Name> folder)'
            )
        self.cache_dir = cache_dir or os.environ.get(
            'H4W_CACHE_DIR',
            osp.join(osp.expanduser('~'), '.cache', 'h4w', 'datasets'),
        )
        self.use_cache = use_cache
        self.num_skipped = 0
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)

    # ---------------------------------------------------------- subclass
    def load_annotations(self) -> List[dict]:
        """Parse the upstream files into one dict per instance."""
        raise NotImplementedError

    def source_files(self) -> Sequence[str]:
        """Files whose content :meth:`load_annotations` depends on."""
        return [self.ann_file] if self.ann_file else []

    def cache_args(self) -> Dict[str, Any]:
        """Arguments that change the parsed list (part of the cache key).
        Subclasses add theirs (split, resolution, ...)."""
        return dict(test_mode=self.test_mode, data_root=self.data_root)

    @property
    def img_dir(self) -> str:
        """The image folder: ``data_prefix['img']``, else ``data_root``."""
        return self.data_prefix.get('img', self.data_root)

    def parse_coco(
        self,
        ann_file: str,
        parse: Callable[[dict, dict], Optional[dict]],
        gt_params: Optional[Callable[[Optional[dict]], dict]] = None,
        fit_file: Optional[str] = None,
    ) -> List[dict]:
        """Data infos of the annotations of a COCO-style file (``images``
        and ``annotations`` lists).

        ``parse(ann, img)`` gets each annotation with its image and returns
        its data info, or None to leave it out. Errors are
        :class:`AnnotationError` naming ``ann_file`` and the annotation id
        (``'images'`` / ``'annotations'`` for the lists themselves).

        With ``gt_params``, each kept info also gets ``gt_params`` =
        ``gt_params(fit)``, ``fit`` the entry of the annotation id (a
        string) in the JSON object ``fit_file`` (None when it has none, or
        when there is no ``fit_file``); its errors name ``fit_file`` and
        the id.
        """
        db = read_json(ann_file)
        fits = read_json(fit_file) if fit_file is not None else {}
        with annotation_context(ann_file, 'images'):
            images = {img['id']: img for img in db['images']}
        with annotation_context(ann_file, 'annotations'):
            annotations = db['annotations']
        data_list = []
        for ann in annotations:
            with annotation_context(ann_file, ann.get('id')):
                info = parse(ann, images[ann['image_id']])
            if info is None:
                continue
            if gt_params is not None:
                with annotation_context(fit_file, ann['id']):
                    info['gt_params'] = gt_params(fits.get(str(ann['id'])))
            data_list.append(info)
        return data_list

    # ------------------------------------------------------------ loading
    def _cache_path(self) -> str:
        stamp = [
            CACHE_VERSION,
            type(self).__module__,
            type(self).__name__,
            sorted((k, repr(v)) for k, v in self.cache_args().items()),
        ]
        for path in self.source_files():
            stat = os.stat(path) if osp.exists(path) else None
            stamp.append(
                (
                    osp.abspath(path),
                    stat and stat.st_size,
                    stat and stat.st_mtime_ns,
                )
            )
        digest = hashlib.sha1(repr(stamp).encode()).hexdigest()[:16]
        return osp.join(self.cache_dir, f'{type(self).__name__}_{digest}.pkl')

    def load_data_list(self) -> List[dict]:
        """Parse (or read from the cache) the data list."""
        for path in self.source_files():
            require_file(path, f'{type(self).__name__} annotation file')
        cache = self._cache_path() if self.use_cache else None
        if cache and osp.isfile(cache):
            with open(cache, 'rb') as f:
                # written by this class on this machine (see below)
                return pickle.load(f)
        data_list = self.load_annotations()
        if not data_list:
            raise ValueError(
                f'{type(self).__name__}: no usable instance in '
                f'{list(self.source_files())} (check the split arguments '
                'and the data layout)'
            )
        if cache:
            try:
                os.makedirs(osp.dirname(cache), exist_ok=True)
                tmp = f'{cache}.{os.getpid()}.tmp'
                with open(tmp, 'wb') as f:
                    pickle.dump(data_list, f, protocol=4)
                os.replace(tmp, cache)
            except OSError as err:
                print_log(
                    f'{type(self).__name__}: cannot write the '
                    f'annotation cache {cache}: {err}',
                    'current',
                )
        return data_list

    # ------------------------------------------------------------- access
    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        info.setdefault('joint_names', self.metainfo.get('joint_names', ()))
        info.setdefault('flip_pairs', self.metainfo.get('flip_pairs', ()))
        info.setdefault('dataset_name', type(self).__name__)
        return info  # a fresh copy already (mmengine)

    def prepare_data(self, idx: int) -> Any:
        try:
            return super().prepare_data(idx)
        except MissingImageError as err:
            if self.test_mode:
                raise
            self.num_skipped += 1
            print_log(
                f'{type(self).__name__}: skipped sample {idx} ({err}); '
                f'{self.num_skipped} skipped so far in this worker',
                'current',
                level=30,
            )
            return None
