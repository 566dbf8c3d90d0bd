"""Hand and face crops for the part branches of Hand4Whole."""

from typing import Tuple, Union

import torch
from torch import Tensor, nn

from h4w.registry import MODELS

from .roi_align import roi_align

__all__ = ['PartRoIExtractor']


@MODELS.register_module()
class PartRoIExtractor(nn.Module):
    """Crop one hand or face patch per sample from the network input image.

    Hand4Whole (§2.7) predicts the hand and face boxes from the body branch,
    whose backbone sees the input image resized to ``input_body_shape``
    (256x192), but cuts the crops for the hand and face branches from the
    full-resolution network input (``input_img_shape``, 512x384) so that the
    small parts keep their detail. The body-input image is a plain resize of
    the network input, so a box is mapped by scaling x by ``W_img / W_body``
    and y by ``H_img / H_body`` (x2 on both axes for the defaults).

    Coordinates are pixel coordinates in which pixel ``(row i, column j)``
    is the point ``(x, y) = (j, i)``, the convention of
    :func:`~h4w.models.task_modules.roi_align` with ``aligned=False``
    (torchvision's default, used by the reference implementation):
    ``spatial_scale=1``, adaptive ``sampling_ratio`` and width/height
    clamped to at least one pixel.

    The boxes are constants here (they are detached); the crops are
    differentiable w.r.t. the image.

    Args:
        output_size (int | Tuple[int, int]): Crop size ``(H, W)``, e.g.
            ``(256, 256)`` for the hands and ``(192, 192)`` for the face.
        input_img_shape (Tuple[int, int]): ``(H, W)`` of the network input
            image that is cropped. Default: ``(512, 384)``.
        input_body_shape (Tuple[int, int]): ``(H, W)`` of the body-branch
            input, the space of the predicted boxes. Default: ``(256, 192)``.
    """

    def __init__(
        self,
        output_size: Union[int, Tuple[int, int]],
        input_img_shape: Tuple[int, int] = (512, 384),
        input_body_shape: Tuple[int, int] = (256, 192),
    ) -> None:
        super().__init__()
        if isinstance(output_size, int):
            output_size = (output_size, output_size)
        self.output_size = tuple(int(s) for s in output_size)
        self.input_img_shape = tuple(int(s) for s in input_img_shape)
        self.input_body_shape = tuple(int(s) for s in input_body_shape)
        if (
            len(self.output_size) != 2
            or len(self.input_img_shape) != 2
            or len(self.input_body_shape) != 2
        ):
            raise ValueError(
                'output_size, input_img_shape and '
                'input_body_shape must be (H, W) pairs'
            )

    def forward(
        self, img: Tensor, bboxes: Tensor, flip: bool = False
    ) -> Tensor:
        """Crop ``img[i]`` inside ``bboxes[i]`` for every sample ``i``.

        Args:
            img (Tensor): Network input images ``(N, 3, H_img, W_img)``;
                their size must be ``input_img_shape``.
            bboxes (Tensor): One box per image ``(N, 4)``, ``x1, y1, x2, y2``
                in body-input pixels (``input_body_shape`` space).
            flip (bool): Flip the crops horizontally, as Hand4Whole does for
                the left hand so that both hands look like right hands.

        Returns:
            Tensor: Crops ``(N, 3, out_h, out_w)``, dtype of ``img``.
        """
        n = img.shape[0]
        if tuple(img.shape[-2:]) != self.input_img_shape:
            raise ValueError(
                f'img is {tuple(img.shape[-2:])} but input_img_shape is '
                f'{self.input_img_shape}'
            )
        if bboxes.shape != (n, 4):
            raise ValueError(
                f'bboxes must be ({n}, 4), got {tuple(bboxes.shape)}'
            )
        img_h, img_w = self.input_img_shape
        body_h, body_w = self.input_body_shape
        scale = img.new_tensor(
            [img_w / body_w, img_h / body_h, img_w / body_w, img_h / body_h]
        )
        index = torch.arange(n, dtype=img.dtype, device=img.device)
        rois = torch.cat(
            [index[:, None], bboxes.detach().to(img) * scale], dim=1
        )
        crops = roi_align(
            img,
            rois,
            self.output_size,
            spatial_scale=1.0,
            sampling_ratio=-1,
            aligned=False,
        )
        if flip:
            crops = torch.flip(crops, dims=[3])
        return crops

    def extra_repr(self) -> str:
        return (
            f'output_size={self.output_size}, '
            f'input_img_shape={self.input_img_shape}, '
            f'input_body_shape={self.input_body_shape}'
        )
