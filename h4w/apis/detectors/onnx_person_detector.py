"""Person boxes from a YOLOX / RTMDet-style detector exported to ONNX,
run with onnxruntime (an optional dependency, imported when a detector is
built)."""

import os.path as osp
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

from h4w.registry import PERSON_DETECTORS

from .base_person_detector import BasePersonDetector

__all__ = ['ONNXPersonDetector', 'letterbox', 'nms']

#: The output signatures :class:`ONNXPersonDetector` decodes.
SIGNATURES = ('dets_labels', 'yolox_raw')


def _import_onnxruntime():
    try:
        import onnxruntime
    except ImportError as err:
        raise ImportError(
            'ONNXPersonDetector needs onnxruntime: `pip install onnxruntime` '
            '(or onnxruntime-gpu), or install h4w with the `deploy` extra'
        ) from err
    return onnxruntime


def letterbox(
    img: np.ndarray, size: Sequence[int], pad_value: float = 114
) -> Tuple[np.ndarray, Tuple[float, float]]:
    """Resize keeping the aspect ratio to fit ``size`` and pad the right
    and bottom (YOLOX / mmdet ``Resize(keep_ratio=True)`` + ``Pad``).

    Args:
        img (np.ndarray): (H, W, 3) image.
        size (tuple): (h, w) of the model input.
        pad_value (float): Value of the padded pixels.

    Returns:
        tuple: The (h, w, 3) padded image (dtype of ``img``) and the
        (x, y) scale factors from image to model-input pixels.

    Examples:
        >>> import numpy as np
        >>> out, scale = letterbox(np.zeros((80, 160, 3), np.uint8), (64, 64))
        >>> out.shape, scale, int(out[40, 0, 0])
        ((64, 64, 3), (0.4, 0.4), 114)
    """
    height, width = img.shape[:2]
    ratio = min(size[0] / height, size[1] / width)
    new_w = max(1, int(round(width * ratio)))
    new_h = max(1, int(round(height * ratio)))
    if (new_h, new_w) != (height, width):
        img = cv2.resize(img, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    out = np.full((size[0], size[1], img.shape[2]), pad_value, img.dtype)
    out[:new_h, :new_w] = img
    return out, (new_w / width, new_h / height)


def nms(boxes: np.ndarray, scores: np.ndarray, iou_thr: float) -> np.ndarray:
    """Greedy non-maximum suppression.

    Args:
        boxes (np.ndarray): (K, 4) xyxy.
        scores (np.ndarray): (K,).
        iou_thr (float): Drop a box overlapping a better kept one by more
            than this IoU.

    Returns:
        np.ndarray: Indices of the kept boxes, best first.
    """
    x1, y1, x2, y2 = boxes.T
    areas = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    order = np.argsort(-scores, kind='stable')
    keep = []
    while order.size:
        best, rest = order[0], order[1:]
        keep.append(best)
        inter_w = np.minimum(x2[best], x2[rest]) - np.maximum(
            x1[best], x1[rest]
        )
        inter_h = np.minimum(y2[best], y2[rest]) - np.maximum(
            y1[best], y1[rest]
        )
        inter = np.clip(inter_w, 0, None) * np.clip(inter_h, 0, None)
        iou = inter / np.maximum(areas[best] + areas[rest] - inter, 1e-12)
        order = rest[iou <= iou_thr]
    return np.array(keep, dtype=np.int64)


@PERSON_DETECTORS.register_module()
class ONNXPersonDetector(BasePersonDetector):
    """A user-supplied YOLOX / RTMDet-style detector exported to ONNX.

    The image is letterboxed to the graph's input size (:func:`letterbox`:
    aspect kept, right / bottom padded with ``pad_value``), put in
    ``channel_order``, normalised as ``(x - mean) / std`` and fed as
    (1, 3, h, w). Supported output signatures (found by output names, else
    ranks):

    * ``'dets_labels'`` (mmdeploy's end2end export of mmdet YOLOX /
      RTMDet, rtmlib's models): ``dets`` (1, N, 5) ``[x1, y1, x2, y2,
      score]`` and ``labels`` (1, N) class ids, in model-input pixels;
    * ``'yolox_raw'`` (Megvii YOLOX ``tools/export_onnx.py``): one
      (1, N, 5 + C) output ``[cx, cy, w, h, objectness, C class
      scores]``; with ``raw_decode='grid'`` (that export's default,
      ``decode_in_inference=False``) the boxes are grid offsets and log
      sizes, decoded over ``strides`` (N = sum of (h / s) * (w / s));
      with ``'none'`` they are model-input pixels already. The score of
      a box is objectness times its person-class score.

    Boxes scoring below ``score_thr`` or of another class than
    ``person_class_id`` are dropped, the rest go through NMS (also for
    exports with in-graph NMS, which is harmless), are mapped back to
    image pixels and clipped to the image; boxes left empty are dropped.

    Args:
        model_file (str): The ``.onnx`` file.
        score_thr (float): Minimum score. Default 0.3.
        nms_thr (float): NMS IoU threshold. Default 0.45.
        person_class_id (int, optional): Class id of people (COCO-trained
            mmdet / YOLOX models: 0); None keeps every class. Default 0.
        input_size (tuple, optional): (h, w) for graphs with a dynamic
            input shape; by default read from the graph.
        channel_order (str): ``'bgr'`` (mmdet and YOLOX models, trained on
            OpenCV images; the default) or ``'rgb'``.
        mean (sequence, optional): Per-channel mean, in ``channel_order``;
            None = 0 (YOLOX). RTMDet: ``(103.53, 116.28, 123.675)``.
        std (sequence, optional): Per-channel std; None = 1 (YOLOX).
            RTMDet: ``(57.375, 57.12, 58.395)``.
        pad_value (float): Letterbox padding. Default 114.
        raw_decode (str): ``'grid'`` or ``'none'`` for ``'yolox_raw'``.
        strides (sequence): Strides of the ``'yolox_raw'`` grid. Default
            (8, 16, 32).
        max_per_img (int): Keep at most this many boxes. Default 100.
        providers (sequence, optional): onnxruntime execution providers;
            None = those available (CUDA first with onnxruntime-gpu).

    Raises:
        ImportError: Without onnxruntime.
        FileNotFoundError / ValueError: An absent file, or a graph whose
            inputs or outputs are not supported (naming them).

    Examples:
        >>> from h4w.registry import PERSON_DETECTORS
        >>> detector = PERSON_DETECTORS.build(  # doctest: +SKIP
        ...     dict(type='ONNXPersonDetector', model_file='yolox_m.onnx'))
        >>> boxes = detector(rgb_image)  # doctest: +SKIP
    """

    def __init__(
        self,
        model_file: str,
        score_thr: float = 0.3,
        nms_thr: float = 0.45,
        person_class_id: Optional[int] = 0,
        input_size: Optional[Sequence[int]] = None,
        channel_order: str = 'bgr',
        mean: Optional[Sequence[float]] = None,
        std: Optional[Sequence[float]] = None,
        pad_value: float = 114,
        raw_decode: str = 'grid',
        strides: Sequence[int] = (8, 16, 32),
        max_per_img: int = 100,
        providers: Optional[Sequence[str]] = None,
    ) -> None:
        ort = _import_onnxruntime()
        if channel_order not in ('bgr', 'rgb'):
            raise ValueError(
                f"channel_order must be 'bgr' or 'rgb', got {channel_order!r}"
            )
        if raw_decode not in ('grid', 'none'):
            raise ValueError(
                f"raw_decode must be 'grid' or 'none', got {raw_decode!r}"
            )
        if not osp.isfile(model_file):
            raise FileNotFoundError(f'ONNX detector not found: {model_file}')
        self.model_file = model_file
        self.session = ort.InferenceSession(
            model_file, providers=providers or ort.get_available_providers()
        )
        inputs = self.session.get_inputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4:
            raise ValueError(
                f'{model_file}: expected one (1, 3, H, W) input, got '
                f'{[(i.name, i.shape) for i in inputs]}'
            )
        self.input_name = inputs[0].name
        self.input_dtype = (
            np.float16 if inputs[0].type == 'tensor(float16)' else np.float32
        )
        self.input_size = self._input_size(inputs[0].shape, input_size)
        self.signature, self.output_names = self._signature()
        self.score_thr = score_thr
        self.nms_thr = nms_thr
        self.person_class_id = person_class_id
        self.channel_order = channel_order
        self.mean = np.zeros(3) if mean is None else np.asarray(mean, float)
        self.std = np.ones(3) if std is None else np.asarray(std, float)
        self.pad_value = pad_value
        self.raw_decode = raw_decode
        self.strides = tuple(strides)
        self.max_per_img = max_per_img

    def _input_size(self, shape, input_size) -> Tuple[int, int]:
        if input_size is not None:
            return int(input_size[0]), int(input_size[1])
        height, width = shape[2:]
        if not (isinstance(height, int) and isinstance(width, int)):
            raise ValueError(
                f'{self.model_file}: the input shape {shape} is dynamic; '
                'give input_size=(h, w)'
            )
        return height, width

    def _signature(self) -> Tuple[str, Tuple[str, ...]]:
        outputs = self.session.get_outputs()
        names = [o.name for o in outputs]
        ranks = [len(o.shape) for o in outputs]
        if len(outputs) == 2:
            if set(names) == {'dets', 'labels'}:
                return 'dets_labels', ('dets', 'labels')
            if sorted(ranks) == [2, 3]:
                dets = names[ranks.index(3)]
                return 'dets_labels', (dets, names[ranks.index(2)])
        if len(outputs) == 1 and ranks == [3]:
            return 'yolox_raw', (names[0],)
        raise ValueError(
            f'{self.model_file}: unsupported outputs '
            f'{[(o.name, o.shape) for o in outputs]}; supported: dets '
            '(1, N, 5) + labels (1, N) (mmdeploy), or one raw YOLOX '
            '(1, N, 5 + C)'
        )

    def preprocess(self, img: np.ndarray) -> Tuple[np.ndarray, tuple]:
        """The (1, 3, h, w) model input of an RGB image and the (x, y)
        scale factors from image to model-input pixels."""
        padded, scale = letterbox(img, self.input_size, self.pad_value)
        if self.channel_order == 'bgr':
            padded = padded[..., ::-1]
        x = (padded.astype(np.float32) - self.mean) / self.std
        x = x.transpose(2, 0, 1)[None].astype(self.input_dtype)
        return np.ascontiguousarray(x), scale

    def _decode(self, outputs) -> Tuple[np.ndarray, np.ndarray]:
        """(N, 4) xyxy model-input boxes and (N,) scores of the person
        class (every class when ``person_class_id`` is None)."""
        if self.signature == 'dets_labels':
            dets, labels = outputs
            dets = np.asarray(dets, np.float64).reshape(-1, 5)
            labels = np.asarray(labels).reshape(-1)
            if len(labels) != len(dets):
                raise ValueError(
                    f'{self.model_file}: {len(dets)} dets but '
                    f'{len(labels)} labels'
                )
            scores = dets[:, 4].copy()
            if self.person_class_id is not None:
                scores[labels != self.person_class_id] = -np.inf
            return dets[:, :4], scores
        (raw,) = outputs
        raw = np.asarray(raw, np.float64)
        raw = raw.reshape(-1, raw.shape[-1])
        if raw.shape[1] < 6:
            raise ValueError(
                f'{self.model_file}: a raw YOLOX output has 5 + C columns, '
                f'got {raw.shape[1]}'
            )
        centre, size = raw[:, :2], raw[:, 2:4]
        if self.raw_decode == 'grid':
            grids, strides = self._grid(len(raw))
            centre = (centre + grids) * strides
            size = np.exp(size) * strides
        boxes = np.concatenate([centre - size / 2, centre + size / 2], 1)
        classes = raw[:, 5:]
        if self.person_class_id is None:
            class_scores = classes.max(1)
        else:
            class_scores = classes[:, self.person_class_id]
        return boxes, raw[:, 4] * class_scores

    def _grid(self, num: int) -> Tuple[np.ndarray, np.ndarray]:
        """(N, 2) xy cell indices and (N, 1) strides of the raw YOLOX
        rows: per stride, row-major over the (h / s, w / s) feature
        map."""
        grids, strides = [], []
        height, width = self.input_size
        for stride in self.strides:
            ys, xs = np.mgrid[0 : height // stride, 0 : width // stride]
            grids.append(np.stack([xs.ravel(), ys.ravel()], 1))
            strides.append(np.full((xs.size, 1), stride))
        grids, strides = np.concatenate(grids), np.concatenate(strides)
        if len(grids) != num:
            raise ValueError(
                f'{self.model_file}: {num} raw YOLOX rows, but strides '
                f'{self.strides} on a {height}x{width} input give '
                f"{len(grids)}; set strides, or raw_decode='none'"
            )
        return grids, strides

    def detect(
        self,
        img: np.ndarray,
        frame_index: Optional[int] = None,
        img_path: Optional[str] = None,
    ) -> Tuple[np.ndarray, np.ndarray]:
        """See :meth:`BasePersonDetector.detect`."""
        x, (scale_x, scale_y) = self.preprocess(img)
        outputs = self.session.run(
            list(self.output_names), {self.input_name: x}
        )
        boxes, scores = self._decode(outputs)
        keep = scores >= self.score_thr
        boxes, scores = boxes[keep], scores[keep]
        keep = nms(boxes, scores, self.nms_thr)[: self.max_per_img]
        boxes, scores = boxes[keep], scores[keep]
        height, width = img.shape[:2]
        boxes = boxes / [scale_x, scale_y, scale_x, scale_y]
        boxes = np.clip(boxes, 0, [width, height, width, height])
        keep = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
        return boxes[keep].reshape(-1, 4), scores[keep]
