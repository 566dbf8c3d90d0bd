"""Affine crop of the person box (spec §5.1 ``generate_patch_image``)."""

from typing import Union

import numpy as np
from mmcv.transforms import BaseTransform

from h4w.codecs import MeshCodec, build_codec
from h4w.registry import TRANSFORMS
from h4w.structures.image import affine_crop

__all__ = ['MeshTopdownAffine']


@TRANSFORMS.register_module()
class MeshTopdownAffine(BaseTransform):
    """Crop ``results['bbox']`` to the codec's ``input_size`` (H, W) with the
    augmentation.

    Reads ``img`` (H, W, 3), ``bbox`` (x, y, w, h) and the augmentation
    of :class:`RandomMeshAugmentation` (``aug_scale``, ``rot``, ``flip``,
    ``color_scale``; identity when absent, except that ``enforce_flip``
    sets the flip of test samples). When flipped, the whole image is
    mirrored and the box centre becomes ``W - 1 - c_x``; the colour scale
    is applied after the warp and clipped to [0, 255]. The warp samples as
    the reference's OpenCV 4 (:func:`~h4w.structures.warp_affine`).

    Writes ``img`` (H_in, W_in, 3) float32, ``img2bb_trans`` (2, 3)
    (original, flipped pixels -> crop), ``bb2img_trans`` (2, 3), ``flip``,
    ``rot``, ``aug_scale`` and ``img_shape`` (H_in, W_in), the crop
    size of the codec.

    Args:
        codec (dict | MeshCodec): The crop geometry (``MeshCodec``).
    """

    def __init__(self, codec: Union[dict, MeshCodec]) -> None:
        self.codec = build_codec(codec)

    def transform(self, results: dict) -> dict:
        scale = float(results.get('aug_scale', 1.0))
        rot = float(results.get('rot', 0.0))
        flip = bool(results.get('flip', bool(results.get('enforce_flip'))))
        patch, trans, inv_trans = affine_crop(
            results['img'],
            results['bbox'],
            self.codec.input_size,
            scale=scale,
            rot=rot,
            flip=flip,
        )
        out_h, out_w = self.codec.input_size
        color = results.get('color_scale')
        if color is not None:
            patch = np.clip(
                patch * np.asarray(color)[None, None, :], 0, 255
            ).astype(np.float32)
        results.update(
            img=patch,
            img2bb_trans=trans,
            bb2img_trans=inv_trans,
            flip=flip,
            rot=rot,
            aug_scale=scale,
            img_shape=(out_h, out_w),
        )
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(codec={self.codec!r})'
