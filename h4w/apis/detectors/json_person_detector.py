"""Person boxes read from a COCO-style json file."""

from typing import Optional, Tuple

import numpy as np

from h4w.registry import PERSON_DETECTORS

from ..person_boxes import BoxJson
from .base_person_detector import BasePersonDetector, as_boxes_scores

__all__ = ['JSONPersonDetector']


@PERSON_DETECTORS.register_module()
class JSONPersonDetector(BasePersonDetector):
    """The boxes of a COCO-style detection or annotation file
    (:class:`~h4w.apis.BoxJson`: file layouts and how images are matched).

    Still images are matched by file name, else by a numeric file stem;
    video frames by file name, else by frame index (``image_id``).

    Args:
        path (str): The json file.
        score_thr (float): Minimum detection score.
        category_id (int, optional): Keep this category only (COCO
            person: 1); None keeps all.
    """

    def __init__(
        self,
        path: str,
        score_thr: float = 0.0,
        category_id: Optional[int] = 1,
    ) -> None:
        self.boxes = BoxJson(
            path, score_thr=score_thr, category_id=category_id
        )

    def detect(
        self,
        img: np.ndarray,
        frame_index: Optional[int] = None,
        img_path: Optional[str] = None,
    ) -> Tuple[np.ndarray, np.ndarray]:
        """See :meth:`BasePersonDetector.detect` (scores are ones)."""
        return as_boxes_scores(self.boxes.lookup(img_path, frame_index))
