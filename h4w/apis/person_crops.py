"""Person boxes -> network crops: the pre-processing of both inference
backends (PyTorch and onnxruntime). NumPy and OpenCV only."""

import logging
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.logging import print_log

from h4w.structures.bbox import process_bbox
from h4w.structures.image import affine_crop
from h4w.utils.image_io import read_image

__all__ = [
    'crop_images',
    'crop_people',
    'read_rgb',
    'split_per_image',
    'valid_person_boxes',
]


def read_rgb(img: Union[str, np.ndarray]):
    """(RGB array, path or None) of an image file or an (H, W, 3) array."""
    img_path = None
    if isinstance(img, str):
        img_path = img
        img = read_image(img)
    img = np.asarray(img)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(
            f'img must be an (H, W, 3) RGB array, got shape {img.shape}'
        )
    return img, img_path


def valid_person_boxes(
    bboxes: Optional[np.ndarray],
    image_size: Sequence[int],
    source: str = 'image',
) -> np.ndarray:
    """Check (K, 4) xyxy person boxes; the whole image when None.

    Degenerate (zero or negative area, NaN / inf) boxes and boxes fully
    outside the image are dropped with a warning that names them.

    Args:
        bboxes (np.ndarray, optional): (K, 4) xyxy in image pixels.
        image_size (tuple): (H, W) of the image.
        source (str): Name of the image, for the warnings.

    Returns:
        np.ndarray: (K', 4) float64 xyxy of the kept boxes.
    """
    height, width = image_size[:2]
    if bboxes is None:
        return np.array([[0.0, 0.0, width, height]])
    boxes = np.asarray(bboxes, dtype=np.float64)
    if boxes.size == 0:
        return boxes.reshape(0, 4)
    if boxes.ndim == 1:
        boxes = boxes[None]
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(
            f'bboxes must be (K, 4) xyxy, got shape {boxes.shape} for {source}'
        )
    keep = []
    for box in boxes:
        x1, y1, x2, y2 = box
        if not np.isfinite(box).all():
            reason = 'not finite'
        elif x2 <= x1 or y2 <= y1:
            reason = 'zero or negative area'
        elif x2 <= 0 or y2 <= 0 or x1 >= width or y1 >= height:
            reason = f'outside the {width}x{height} image'
        else:
            keep.append(box)
            continue
        print_log(
            f'{source}: skipping the box {box.tolist()} ({reason})',
            logger='current',
            level=logging.WARNING,
        )
    return np.array(keep, dtype=np.float64).reshape(-1, 4)


def crop_people(
    img: np.ndarray,
    bboxes: Optional[np.ndarray],
    input_size: Sequence[int],
    source: str = 'image',
) -> List[dict]:
    """Test-mode top-down crops (spec §5.1) of the people of one image.

    Each kept box (:func:`valid_person_boxes`) is enlarged to the crop's
    aspect ratio and by 1.25 (:func:`~h4w.structures.bbox.process_bbox`;
    a box empty after clipping to the image is skipped with a warning)
    and cropped with :func:`~h4w.structures.image.affine_crop`.

    Args:
        img (np.ndarray): (H, W, 3) RGB image.
        bboxes (np.ndarray, optional): (K, 4) xyxy person boxes; None =
            the whole image.
        input_size (Sequence[int]): Crop (H, W) (``codec.input_size``).
        source (str): Name of the image, for the warnings.

    Returns:
        list[dict]: One per kept box, in box order: ``img`` (H_in, W_in,
        3) float32 RGB crop in [0, 255], ``img2bb_trans`` /
        ``bb2img_trans`` (2, 3) float32 (image <-> crop pixels),
        ``bbox`` (4,) the given box and ``crop_bbox`` (4,) the cropped
        one, both xyxy float64.
    """
    height, width = img.shape[:2]
    in_h, in_w = input_size
    boxes = valid_person_boxes(bboxes, (height, width), source)
    image = img.astype(np.float32)
    crops = []
    for box in boxes:
        xywh = (box[0], box[1], box[2] - box[0], box[3] - box[1])
        crop_box = process_bbox(xywh, width, height, aspect_ratio=in_w / in_h)
        if crop_box is None:
            print_log(
                f'{source}: skipping the box {box.tolist()} (empty after '
                'clipping to the image)',
                logger='current',
                level=logging.WARNING,
            )
            continue
        patch, img2bb, bb2img = affine_crop(image, crop_box, input_size)
        x, y, w, h = (float(v) for v in crop_box)
        crops.append(
            dict(
                img=patch,
                img2bb_trans=img2bb,
                bb2img_trans=bb2img,
                bbox=box.copy(),
                crop_bbox=np.array([x, y, x + w, y + h]),
            )
        )
    return crops


def crop_images(
    imgs: Sequence[Union[str, np.ndarray]],
    bboxes: Sequence[Optional[np.ndarray]],
    input_size: Sequence[int],
) -> Tuple[List[dict], List[int]]:
    """:func:`crop_people` of several images, for one batched forward.

    Args:
        imgs (list): Image files or (H, W, 3) RGB arrays.
        bboxes (list): Per image, (K_i, 4) xyxy boxes or None.
        input_size (Sequence[int]): Crop (H, W).

    Returns:
        tuple: every person's crop, in image then box order (the
        :func:`crop_people` entries plus ``ori_shape`` (H, W) and
        ``img_path``, None for an array), and the number of people of
        each image (:func:`split_per_image`).
    """
    if len(imgs) != len(bboxes):
        raise ValueError(
            f'{len(imgs)} images but {len(bboxes)} box arrays were given'
        )
    crops, counts = [], []
    for img, boxes in zip(imgs, bboxes):
        img, img_path = read_rgb(img)
        people = crop_people(img, boxes, input_size, img_path or 'image')
        for crop in people:
            crop.update(ori_shape=img.shape[:2], img_path=img_path)
        crops.extend(people)
        counts.append(len(people))
    return crops, counts


def split_per_image(items: Sequence, counts: Sequence[int]) -> List[list]:
    """Per-person results back into one list per image (``counts`` from
    :func:`crop_images`)."""
    out, start = [], 0
    for count in counts:
        out.append(list(items[start : start + count]))
        start += count
    return out
