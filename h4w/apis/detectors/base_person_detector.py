"""The interface every person-box source follows."""

from abc import ABCMeta, abstractmethod
from typing import Optional, Tuple

import numpy as np

__all__ = ['BasePersonDetector', 'as_boxes_scores']


class BasePersonDetector(metaclass=ABCMeta):
    """A source of person boxes for inference (registered in
    ``h4w.registry.PERSON_DETECTORS``).

    A subclass implements :meth:`detect`; calling the detector returns the
    boxes alone, which is what
    :class:`~h4w.apis.MeshInferencer` needs. Any callable with the
    signature of :meth:`__call__` works as a detector too.

    Note:
        K: number of people found in the image (may be 0).
    """

    @abstractmethod
    def detect(
        self,
        img: np.ndarray,
        frame_index: Optional[int] = None,
        img_path: Optional[str] = None,
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Person boxes and scores of one image.

        Args:
            img (np.ndarray): (H, W, 3) uint8 RGB image.
            frame_index (int, optional): Index of the frame in its video
                (from 0); None for a still image.
            img_path (str, optional): The image's file (a video's file
                for a video frame; an array's name for an array).

        Returns:
            tuple[np.ndarray, np.ndarray]: (K, 4) float64 xyxy boxes in
            image pixels, best first, and their (K,) float64 scores.
        """

    def __call__(
        self,
        img: np.ndarray,
        frame_index: Optional[int] = None,
        img_path: Optional[str] = None,
    ) -> np.ndarray:
        """(K, 4) float64 xyxy boxes of :meth:`detect`."""
        return self.detect(img, frame_index, img_path)[0]


def as_boxes_scores(boxes, scores=None) -> Tuple[np.ndarray, np.ndarray]:
    """Boxes as (K, 4) float64 and scores as (K,) float64 (ones when
    None)."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if scores is None:
        scores = np.ones(len(boxes))
    return boxes, np.asarray(scores, dtype=np.float64).reshape(-1)
