"""Image loading (spec §5.1 ``load_img``)."""

import numpy as np
from mmcv.transforms import BaseTransform

from h4w.registry import TRANSFORMS
from h4w.utils.image_io import MissingImageError, read_image

__all__ = ['LoadImage', 'MissingImageError', 'load_image']


def load_image(path: str) -> np.ndarray:
    """Read an image as the reference does: BGR read ignoring the EXIF
    orientation, reversed to RGB, float32 in [0, 255].

    Args:
        path (str): Image file.

    Returns:
        np.ndarray: (H, W, 3) float32 RGB.

    Raises:
        MissingImageError: The file is missing or unreadable (the message
            names it).
    """
    return read_image(path).astype(np.float32)


@TRANSFORMS.register_module()
class LoadImage(BaseTransform):
    """Load ``results['img_path']`` into ``results['img']``.

    Adds ``img`` (H, W, 3) float32 RGB in [0, 255] and, when the dataset
    did not give it, ``ori_shape`` (H, W). A missing file raises
    :class:`MissingImageError`; the dataset turns it into a logged skip
    during training (see :class:`BaseMeshDataset`).
    """

    def transform(self, results: dict) -> dict:
        img = load_image(results['img_path'])
        results['img'] = img
        results.setdefault('ori_shape', img.shape[:2])
        return results
