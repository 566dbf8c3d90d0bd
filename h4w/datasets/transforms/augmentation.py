"""Augmentation sampling (spec §5.1 ``get_aug_config``)."""

import random
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform

from h4w.registry import TRANSFORMS

__all__ = ['RandomMeshAugmentation']


@TRANSFORMS.register_module()
class RandomMeshAugmentation(BaseTransform):
    """Draw the scale, rotation, colour and flip of one training sample.

    The draws use the generators of the reference: NumPy's global RNG for
    scale and rotation, Python's ``random`` for the rotation switch, the
    colour and the flip. MMEngine seeds both per worker and rank
    (``randomness.seed``), so runs are reproducible under a seed and the
    workers differ (the reference's PyTorch 1.7 repeated NumPy draws
    across workers, §5.3).

    Adds ``aug_scale`` (float), ``rot`` (degrees), ``color_scale`` (3,)
    float32 and ``flip`` (bool). A sample with ``enforce_flip`` True or
    False (Pose2Pose hands, FreiHAND) gets that flip instead of a random
    one.

    Args:
        scale_factor (float): scale = 1 + clip(N(0,1), -1, 1) * factor.
        rot_factor (float): rot = clip(N(0,1), -2, 2) * factor degrees.
        rot_prob (float): Probability of a non-zero rotation.
        color_factor (float): colour scales ~ U(1 - f, 1 + f) per channel.
        flip_prob (float): Probability of a horizontal flip.
    """

    def __init__(
        self,
        scale_factor: float = 0.25,
        rot_factor: float = 30.0,
        rot_prob: float = 0.6,
        color_factor: float = 0.2,
        flip_prob: float = 0.5,
    ) -> None:
        self.scale_factor = scale_factor
        self.rot_factor = rot_factor
        self.rot_prob = rot_prob
        self.color_factor = color_factor
        self.flip_prob = flip_prob

    def transform(self, results: dict) -> dict:
        scale = np.clip(np.random.randn(), -1.0, 1.0) * self.scale_factor + 1
        rot = (
            np.clip(np.random.randn(), -2.0, 2.0) * self.rot_factor
            if random.random() <= self.rot_prob
            else 0.0
        )
        c_low, c_up = 1.0 - self.color_factor, 1.0 + self.color_factor
        color_scale = np.array(
            [random.uniform(c_low, c_up) for _ in range(3)], dtype=np.float32
        )
        enforce: Optional[bool] = results.get('enforce_flip')
        flip = (
            random.random() <= self.flip_prob
            if enforce is None
            else bool(enforce)
        )
        results.update(
            aug_scale=float(scale),
            rot=float(rot),
            color_scale=color_scale,
            flip=bool(flip),
        )
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(scale_factor={self.scale_factor}'
            f', rot_factor={self.rot_factor}, rot_prob={self.rot_prob}, '
            f'color_factor={self.color_factor}, '
            f'flip_prob={self.flip_prob})'
        )
