"""One person box: the whole image."""

from typing import Optional, Tuple

import numpy as np

from h4w.registry import PERSON_DETECTORS

from .base_person_detector import BasePersonDetector

__all__ = ['FullFramePersonDetector']


@PERSON_DETECTORS.register_module()
class FullFramePersonDetector(BasePersonDetector):
    """The whole image as one person box ``[0, 0, W, H]`` (score 1): for
    images cropped around one person.

    Examples:
        >>> import numpy as np
        >>> FullFramePersonDetector()(np.zeros((4, 6, 3), np.uint8))
        array([[0., 0., 6., 4.]])
    """

    def detect(
        self,
        img: np.ndarray,
        frame_index: Optional[int] = None,
        img_path: Optional[str] = None,
    ) -> Tuple[np.ndarray, np.ndarray]:
        """See :meth:`BasePersonDetector.detect`."""
        height, width = img.shape[:2]
        return np.array([[0.0, 0.0, width, height]]), np.ones(1)
