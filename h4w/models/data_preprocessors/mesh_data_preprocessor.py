"""Image batching and normalisation of the mesh estimators."""

from typing import Optional, Sequence

from mmengine.model import ImgDataPreprocessor

from h4w.registry import MODELS

__all__ = ['MeshDataPreprocessor']


@MODELS.register_module()
class MeshDataPreprocessor(ImgDataPreprocessor):
    """Stack and normalise the crops (mmpose ``PoseDataPreprocessor``
    shape).

    ``data['inputs']`` is a list of float32 (3, H, W) RGB crops with values
    in [0, 255] (or an (N, 3, H, W) tensor); the output ``inputs`` is the
    (N, 3, H, W) batch ``(x - mean) / std`` on the model's device (default
    ``x / 255`` as the reference, spec §10.1 item 2; no channel
    reordering). ``data_samples`` pass through. The body-model targets are
    computed by the estimator's :class:`BodyModelTargetGenerator`, so a
    plugin subclass of this class only has to batch images.

    Args:
        mean (Sequence[float]): Per-channel mean, RGB. Defaults to 0.
        std (Sequence[float]): Per-channel std. Defaults to 255.
        non_blocking (bool): Non-blocking host-to-device copies.
    """

    def __init__(
        self,
        mean: Optional[Sequence[float]] = (0.0, 0.0, 0.0),
        std: Optional[Sequence[float]] = (255.0, 255.0, 255.0),
        non_blocking: bool = False,
    ) -> None:
        super().__init__(
            mean=mean, std=std, bgr_to_rgb=False, non_blocking=non_blocking
        )
