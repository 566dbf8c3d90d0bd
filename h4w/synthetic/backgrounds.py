"""Procedural image backgrounds (NumPy and OpenCV only, no downloads):
a colour gradient, sometimes stripes, random shapes, blur and noise."""

from typing import Tuple

import cv2
import numpy as np

__all__ = ['procedural_background']

#: Number of random shapes (circles, boxes, triangles, thick lines).
NUM_SHAPES = (3, 14)
STRIPE_PROB = 0.4
BLUR_PROB = 0.5
#: Standard deviation of the pixel noise (0-255 scale).
NOISE_STD = (1.0, 10.0)


def _color(rng: np.random.Generator) -> Tuple[int, int, int]:
    return tuple(int(c) for c in rng.integers(0, 256, 3))


def _gradient(rng: np.random.Generator, height: int, width: int):
    """(H, W, 3) float32 linear gradient between two random colours in a
    random direction."""
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    t = xs * np.cos(angle) + ys * np.sin(angle)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1.0)
    start, end = (np.asarray(_color(rng), np.float32) for _ in range(2))
    return start + t[..., None] * (end - start)


def _stripes(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """Blend sine stripes of a random colour, period and direction."""
    height, width = img.shape[:2]
    angle = rng.uniform(0, np.pi)
    period = rng.uniform(0.03, 0.25) * width
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    phase = (xs * np.cos(angle) + ys * np.sin(angle)) / period * 2 * np.pi
    weight = rng.uniform(0.3, 0.7) * (0.5 + 0.5 * np.sin(phase))[..., None]
    return img * (1 - weight) + np.asarray(_color(rng), np.float32) * weight


def _shape(rng: np.random.Generator, img: np.ndarray) -> None:
    """Draw one random filled circle, box, triangle or thick line."""
    height, width = img.shape[:2]
    size = max(height, width)
    color = _color(rng)
    kind = rng.integers(4)
    point = (int(rng.integers(width)), int(rng.integers(height)))
    if kind == 0:
        radius = int(rng.uniform(0.02, 0.2) * size)
        cv2.circle(img, point, radius, color, -1, cv2.LINE_AA)
    elif kind == 1:
        corner = (
            point[0] + int(rng.uniform(-0.3, 0.3) * size),
            point[1] + int(rng.uniform(-0.3, 0.3) * size),
        )
        cv2.rectangle(img, point, corner, color, -1)
    elif kind == 2:
        points = rng.uniform(-0.2, 0.2, (3, 2)) * size + point
        cv2.fillPoly(img, [points.astype(np.int32)], color, cv2.LINE_AA)
    else:
        end = rng.uniform(0, 1, 2) * (width, height)
        thickness = int(rng.uniform(0.005, 0.04) * size) + 1
        cv2.line(
            img,
            point,
            tuple(int(v) for v in end),
            color,
            thickness,
            cv2.LINE_AA,
        )


def procedural_background(
    rng: np.random.Generator, shape: Tuple[int, int]
) -> np.ndarray:
    """A random background image.

    Args:
        rng (np.random.Generator): Source of randomness (the image is a
            function of its state).
        shape (tuple): (H, W).

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB.
    """
    height, width = (int(s) for s in shape)
    img = _gradient(rng, height, width)
    if rng.random() < STRIPE_PROB:
        img = _stripes(rng, img)
    img = np.clip(img, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(*NUM_SHAPES))):
        _shape(rng, img)
    if rng.random() < BLUR_PROB:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 2.0))
    noise = rng.normal(0, rng.uniform(*NOISE_STD), img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)
