"""Random network crops for export checks and benchmarks."""

import cv2
import numpy as np

__all__ = ['smooth_crops']


def smooth_crops(
    rng: np.random.Generator, count: int, height: int, width: int
) -> np.ndarray:
    """Smooth random RGB crops in [0, 255], photo-like rather than white
    noise (white-noise crops turn float-epsilon box differences into
    large crop differences through RoIAlign).

    Args:
        rng (np.random.Generator): Source of the pixels.
        count (int): N.
        height (int): H (a multiple of 16).
        width (int): W (a multiple of 16).

    Returns:
        np.ndarray: (N, 3, H, W) float32, C-contiguous.
    """
    crops = [
        cv2.resize(
            rng.integers(0, 255, (height // 16, width // 16, 3), np.uint8),
            (width, height),
            interpolation=cv2.INTER_CUBIC,
        )
        for _ in range(count)
    ]
    return np.ascontiguousarray(
        np.stack(crops).astype(np.float32).transpose(0, 3, 1, 2)
    )
