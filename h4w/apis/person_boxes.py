"""Person boxes for inference from COCO-style json files."""

import json
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Optional

import numpy as np

__all__ = ['BoxJson']


class BoxJson:
    """Person boxes of a COCO-style detection or annotation file.

    Accepted layouts:

    * a detection list ``[{"image_id", "bbox", "score", "category_id"},
      ...]`` (mmdet / COCO results); an entry may name its image with
      ``"file_name"`` instead of ``"image_id"``;
    * an annotation file ``{"images": [{"id", "file_name"}],
      "annotations": [{"image_id", "bbox", ...}]}``.

    ``bbox`` is COCO xywh in image pixels. Entries with ``iscrowd`` set,
    with a ``category_id`` other than ``category_id`` (when given) or a
    ``score`` below ``score_thr`` are dropped.

    Images are matched by file name (the base name, with or without its
    extension, via the ``images`` table or the entries' ``file_name``),
    else by image id: the ``image_id`` an :meth:`lookup` call gives (the
    frame index, from 0, for a video), else a numeric file stem
    (``000123.jpg`` -> 123).

    Args:
        path (str): The json file.
        score_thr (float): Minimum detection score.
        category_id (int, optional): Keep this category only (COCO
            person: 1); None keeps all.

    Raises:
        FileNotFoundError / ValueError: naming the file and the problem.
    """

    def __init__(
        self, path: str, score_thr: float = 0.0, category_id: Optional[int] = 1
    ) -> None:
        if not osp.isfile(path):
            raise FileNotFoundError(f'box json not found: {path}')
        try:
            with open(path) as f:
                data = json.load(f)
        except json.JSONDecodeError as err:
            raise ValueError(f'{path} is not valid json: {err}') from err
        if isinstance(data, dict):
            entries = data.get('annotations')
            images = data.get('images', [])
        else:
            entries, images = data, []
        if not isinstance(entries, list):
            raise ValueError(
                f'{path}: expected a list of detections or a COCO file with '
                '"annotations"'
            )
        id_to_name = {img['id']: img['file_name'] for img in images}
        self.path = path
        self._by_name: Dict[str, List] = defaultdict(list)
        self._by_id: Dict[int, List] = defaultdict(list)
        for index, entry in enumerate(entries):
            if 'bbox' not in entry:
                raise ValueError(f'{path}: entry {index} has no "bbox"')
            if entry.get('iscrowd'):
                continue
            if (
                category_id is not None
                and entry.get('category_id', category_id) != category_id
            ):
                continue
            if float(entry.get('score', 1.0)) < score_thr:
                continue
            x, y, w, h = (float(v) for v in entry['bbox'][:4])
            box = [x, y, x + w, y + h]
            name = entry.get('file_name') or id_to_name.get(
                entry.get('image_id')
            )
            if name is not None:
                self._by_name[osp.basename(name)].append(box)
                self._by_name[osp.splitext(osp.basename(name))[0]].append(box)
            elif 'image_id' in entry:
                self._by_id[_as_int(entry['image_id'])].append(box)
            else:
                raise ValueError(
                    f'{path}: entry {index} names no "image_id" or "file_name"'
                )

    def lookup(
        self, name: Optional[str] = None, image_id: Optional[int] = None
    ) -> np.ndarray:
        """(K, 4) xyxy boxes of an image (K may be 0).

        Args:
            name (str, optional): The image's file name or path.
            image_id (int, optional): Its id (a video's frame index).
        """
        if name is not None:
            base = osp.basename(name)
            for key in (base, osp.splitext(base)[0]):
                if key in self._by_name:
                    return np.array(self._by_name[key], dtype=np.float64)
            if image_id is None:
                image_id = _as_int(osp.splitext(base)[0])
        boxes = self._by_id.get(image_id, []) if image_id is not None else []
        return np.array(boxes, dtype=np.float64).reshape(-1, 4)


def _as_int(value) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
