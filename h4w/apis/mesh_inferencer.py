"""``MeshInferencer``: images, folders and videos in, meshes and renders
out (in the manner of mmpose's ``MMPoseInferencer``)."""

import os
import os.path as osp
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Callable,
    Dict,
    Iterator,
    List,
    Optional,
    Union,
)

import numpy as np

from h4w.structures import project_points
from h4w.utils.arrays import to_numpy
from h4w.utils.image_io import (
    IMAGE_EXTENSIONS,
    VIDEO_EXTENSIONS,
    VideoReader,
    read_image,
)

from .detectors import build_person_detector
from .tracking import BoxTracker

if TYPE_CHECKING:
    from .smoothing import ParamSmoother

__all__ = [
    'BACKENDS',
    'Frame',
    'MeshInferencer',
    'check_inputs',
    'count_frames',
]

#: Inference backends: ``pytorch`` runs a config + checkpoint
#: (:func:`~h4w.apis.init_model`); ``onnxruntime`` an exported ``.onnx``
#: file (:class:`~h4w.apis.ONNXMeshModel`) without importing torch.
BACKENDS = ('pytorch', 'onnxruntime')


@dataclass
class Frame:
    """One image or video frame and its people.

    Attributes:
        input (str): The input it belongs to: an image or video file, a
            folder, or ``'image_<i>'`` for an array.
        source (str): Its own file (the image, or the video), or the
            array's name.
        name (str): Output stem: the image's file stem, or
            ``<video stem>_<frame:06d>``.
        index (int): Frame index in its input (the images of a folder
            count as frames, by name order).
        image (np.ndarray): (H, W, 3) uint8 RGB.
        is_video (bool): Whether it is a video frame.
        fps (float): The video's frame rate (0 for images).
        predictions (list): One per person: a ``MeshDataSample``
            (:func:`~h4w.apis.inference_mesh` fields) with the ``pytorch``
            backend, a dict of NumPy arrays with the same names
            (:meth:`~h4w.apis.ONNXMeshModel.predict`) with
            ``onnxruntime``.
        track_ids (np.ndarray): (K,) int64 per person: stable across the
            frames of a video (box overlap), the person index otherwise.
        params (list[dict]): Per person, the body-model parameters
            (:func:`~h4w.apis.prediction_params`, smoothed when asked) plus
            ``focal``, ``princpt`` (2,) and ``keypoints`` (J, 2).
        visualization (np.ndarray, optional): (H, W or 2W, 3) uint8 RGB
            overlay.
    """

    input: str
    source: str
    name: str
    index: int
    image: np.ndarray
    is_video: bool = False
    fps: float = 0.0
    predictions: list = field(default_factory=list)
    track_ids: np.ndarray = field(
        default_factory=lambda: np.zeros(0, np.int64)
    )
    params: List[Dict[str, np.ndarray]] = field(default_factory=list)
    visualization: Optional[np.ndarray] = None


#: Person boxes: one (K, 4) xyxy array for every image, or a function of
#: the :class:`Frame` returning its boxes (None = the whole image).
BoxesType = Union[None, np.ndarray, Callable[[Frame], Optional[np.ndarray]]]


def _folder_images(folder: str) -> List[str]:
    images = sorted(
        osp.join(folder, f)
        for f in os.listdir(folder)
        if f.lower().endswith(IMAGE_EXTENSIONS)
    )
    if not images:
        raise FileNotFoundError(f'no images found in folder {folder}')
    return images


def check_inputs(inputs) -> list:
    """The inputs as a list, each an existing image, video or folder of
    images, or an array. Raises ``FileNotFoundError`` naming a missing
    path and ``ValueError`` for an unknown file type."""
    if isinstance(inputs, (str, np.ndarray)) or hasattr(inputs, '__fspath__'):
        inputs = [inputs]
    out = []
    for item in inputs:
        if isinstance(item, np.ndarray):
            out.append(item)
            continue
        item = os.fspath(item)
        if osp.isdir(item):
            _folder_images(item)
        elif not osp.exists(item):
            raise FileNotFoundError(f'input not found: {item}')
        elif not item.lower().endswith(IMAGE_EXTENSIONS + VIDEO_EXTENSIONS):
            raise ValueError(
                f'{item}: unknown input type (images: {IMAGE_EXTENSIONS}; '
                f'videos: {VIDEO_EXTENSIONS})'
            )
        out.append(item)
    return out


def count_frames(inputs) -> int:
    """Number of frames :meth:`MeshInferencer.frames` yields (a video's
    count is its container's)."""
    total = 0
    for item in check_inputs(inputs):
        if isinstance(item, np.ndarray):
            total += 1
        elif osp.isdir(item):
            total += len(_folder_images(item))
        elif item.lower().endswith(VIDEO_EXTENSIONS):
            total += len(VideoReader(item))
        else:
            total += 1
    return total


class MeshInferencer:
    """Run a mesh estimator on images, folders and videos.

    Args:
        model (str | Config, optional): Config file of any estimator
            (``pytorch``); with ``onnxruntime`` optional, and when given
            checked against the exported model (estimator type and crop
            size).
        weights (str, optional): Checkpoint (trust policy) for
            ``pytorch``; the ``.onnx`` file of
            ``tools/deployment/export_onnx.py --with-body-model`` for
            ``onnxruntime``.
        device (str): Torch device (``cpu``, ``cuda:1``); onnxruntime:
            ``cpu`` or ``cuda[:i]`` (onnxruntime-gpu).
        cfg_options (dict, optional): Config overrides (e.g. the
            ``model.body_model.model_path`` of the human-model files).
        batch_size (int): Images / frames per batched forward (all their
            people together).
        renderer (str): ``'auto'`` (pyrender + EGL, else the OpenCV
            fallback), ``'pyrender'`` or ``'opencv'``.
        side_view (bool): Add a side view to the renders.
        smooth (bool): Smooth the parameters of each video track over time
            (One-Euro filter, :class:`~h4w.apis.ParamSmoother`); meshes and
            keypoints are recomputed from the smoothed parameters.
        smooth_cfg (dict, optional): ``min_cutoff`` (Hz; lower = smoother,
            more lag, default 1.0), ``beta`` (speed coefficient; higher =
            less lag on fast motion, default 0.0), ``d_cutoff`` (default
            1.0).
        track_iou_thr (float): Minimum box IoU to continue a video track.
        detector (dict | callable, optional): Person boxes of the frames
            given no ``bboxes``: a ``PERSON_DETECTORS`` config (e.g.
            ``dict(type='ONNXPersonDetector', model_file='det.onnx')``) or
            a built detector, any callable ``f(img_rgb, frame_index,
            img_path) -> (K, 4) xyxy`` (:class:`~h4w.apis.detectors.
            BasePersonDetector`); None = the whole image.
        backend (str): ``'pytorch'`` or ``'onnxruntime'`` (no torch
            import; same crops, decoding and outputs; no ``smooth``,
            which re-runs the body model).

    Examples:
        >>> inferencer = MeshInferencer(  # doctest: +SKIP
        ...     'configs/hand4whole/hand4whole_res50.py', 'h4w.pth')
        >>> for frame in inferencer('video.mp4'):  # doctest: +SKIP
        ...     print(frame.index, frame.track_ids)
        >>> onnx = MeshInferencer(None, 'h4w.onnx',  # doctest: +SKIP
        ...                       backend='onnxruntime')
    """

    def __init__(
        self,
        model,
        weights: Optional[str] = None,
        device: str = 'cpu',
        cfg_options: Optional[dict] = None,
        batch_size: int = 1,
        renderer: str = 'auto',
        side_view: bool = False,
        smooth: bool = False,
        smooth_cfg: Optional[dict] = None,
        track_iou_thr: float = 0.3,
        detector: Union[None, dict, Callable] = None,
        backend: str = 'pytorch',
    ) -> None:
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        if backend not in BACKENDS:
            raise ValueError(
                f'backend must be one of {BACKENDS}, got {backend!r}'
            )
        self.backend = backend
        if backend == 'onnxruntime':
            if smooth:
                raise ValueError(
                    'smooth=True re-runs the body model on the smoothed '
                    'parameters, which the onnxruntime backend cannot do: '
                    "use backend='pytorch' to smooth"
                )
            from .onnx_mesh_model import ONNXMeshModel

            if weights is None:
                raise ValueError(
                    'the onnxruntime backend needs the exported .onnx file '
                    'as weights'
                )
            self.model = ONNXMeshModel(weights, device=device)
            if model is not None:
                self.model.check_config(model)
            self.layout = self.model.layout
            self.faces = self.model.faces
        else:
            from .inference import init_model

            self.model = init_model(model, weights, device, cfg_options)
            self.layout = self.model.body_model.param_layout
            self.faces = self.model.body_model.faces.cpu().numpy()
        self.batch_size = batch_size
        self.renderer_backend = renderer
        self.side_view = side_view
        self.smooth = smooth
        self.smooth_cfg = dict(smooth_cfg or {})
        self.track_iou_thr = track_iou_thr
        self.detector = build_person_detector(detector)
        self._renderer = None

    @property
    def renderer(self):
        """The :class:`~h4w.visualization.MeshRenderer` (built lazily)."""
        if self._renderer is None:
            from h4w.visualization import MeshRenderer

            self._renderer = MeshRenderer(self.renderer_backend)
        return self._renderer

    # ------------------------------------------------------------ inputs
    def frames(self, inputs) -> Iterator[Frame]:
        """Frames of every input (images, folders' images, video frames),
        in order, without predictions."""
        for i, item in enumerate(check_inputs(inputs)):
            if isinstance(item, np.ndarray):
                name = f'image_{i:06d}'
                yield Frame(name, name, name, 0, item)
            elif osp.isdir(item):
                for index, path in enumerate(_folder_images(item)):
                    name = osp.splitext(osp.basename(path))[0]
                    yield Frame(item, path, name, index, read_image(path))
            elif item.lower().endswith(VIDEO_EXTENSIONS):
                video = VideoReader(item)
                stem = osp.splitext(osp.basename(item))[0]
                for index, image in enumerate(video):
                    yield Frame(
                        item,
                        item,
                        f'{stem}_{index:06d}',
                        index,
                        image,
                        is_video=True,
                        fps=video.fps,
                    )
            else:
                name = osp.splitext(osp.basename(item))[0]
                yield Frame(item, item, name, 0, read_image(item))

    # --------------------------------------------------------- inference
    def __call__(
        self,
        inputs,
        bboxes: BoxesType = None,
        return_vis: bool = True,
    ) -> Iterator[Frame]:
        """Estimate, track, smooth and render, frame by frame.

        Args:
            inputs: An image file, a folder of images, a video file, an
                (H, W, 3) RGB array, or a list of these.
            bboxes: Person boxes (``BoxesType``): one (K, 4) xyxy array
                for every image, or ``f(frame)`` returning the boxes of a
                :class:`Frame` (e.g. from its ``source`` file or its video
                frame ``index``); None = the inferencer's ``detector``
                (the whole image without one).
            return_vis (bool): Render the overlays.

        Yields:
            Frame: Each image / frame with its predictions.
        """
        if bboxes is None and self.detector is not None:
            bboxes = self._detect
        trackers: Dict[str, BoxTracker] = {}
        smoothers: Dict[str, 'ParamSmoother'] = {}
        batch: List[Frame] = []
        for frame in self.frames(inputs):
            batch.append(frame)
            if len(batch) == self.batch_size:
                yield from self._run(
                    batch, bboxes, return_vis, trackers, smoothers
                )
                batch = []
        if batch:
            yield from self._run(
                batch, bboxes, return_vis, trackers, smoothers
            )

    def _detect(self, frame: Frame) -> np.ndarray:
        """The detector's boxes of a frame."""
        return self.detector(
            frame.image, frame.index if frame.is_video else None, frame.source
        )

    @staticmethod
    def _boxes_of(frame: Frame, bboxes: BoxesType):
        if bboxes is None or isinstance(bboxes, np.ndarray):
            return bboxes
        return bboxes(frame)

    def _predict(self, batch: List[Frame], bboxes: BoxesType) -> list:
        """Per frame, its people's predictions, with the backend."""
        images = [frame.image for frame in batch]
        boxes = [self._boxes_of(frame, bboxes) for frame in batch]
        if self.backend == 'onnxruntime':
            return self.model.predict(images, boxes)
        from .inference import inference_mesh_batch

        return inference_mesh_batch(self.model, images, boxes)

    def _run(self, batch, bboxes, return_vis, trackers, smoothers):
        for frame, samples in zip(batch, self._predict(batch, bboxes)):
            frame.predictions = samples
            frame.params = [self._params(s) for s in samples]
            if frame.is_video:
                tracker = trackers.setdefault(
                    frame.source, BoxTracker(iou_thr=self.track_iou_thr)
                )
                boxes = np.array(
                    [p['bbox'] for p in frame.params], dtype=np.float64
                ).reshape(-1, 4)
                frame.track_ids = tracker.update(boxes)
                if self.smooth and frame.params:
                    if frame.source not in smoothers:
                        from .smoothing import ParamSmoother

                        smoothers[frame.source] = ParamSmoother(
                            fps=frame.fps, **self.smooth_cfg
                        )
                    self._smooth(frame, smoothers[frame.source])
            else:
                frame.track_ids = np.arange(len(samples), dtype=np.int64)
            if return_vis:
                frame.visualization = self.visualize(frame)
            yield frame

    #: ``Frame.params`` entries besides the body-model parameters, by the
    #: name of the prediction field they come from.
    _IMAGE_FIELDS = (
        ('focal', 'focal'),
        ('princpt', 'princpt'),
        ('keypoints', 'keypoints'),
        ('bbox', 'bboxes'),
        ('crop_bbox', 'crop_bboxes'),
        ('vertices', 'vertices'),
    )

    def _params(self, prediction) -> Dict[str, np.ndarray]:
        """The documented per-person entries of :attr:`Frame.params`."""
        if self.backend == 'onnxruntime':
            keys = self.model.param_keys()
            fields = {k: prediction[k] for k in keys}
            fields.update((k, prediction[n]) for k, n in self._IMAGE_FIELDS)
            return {k: to_numpy(v, np.float32) for k, v in fields.items()}
        from .inference import prediction_params

        pred = prediction.pred_instances
        params = prediction_params(prediction, self.layout)
        for key, name in self._IMAGE_FIELDS:
            params[key] = to_numpy(pred.get(name)[0], np.float32)
        return params

    #: Parameters the smoother filters (besides the body-model ones).
    _SMOOTHED_CAMERA = ('cam_trans', 'focal', 'princpt')

    def _smooth(self, frame: Frame, smoother: 'ParamSmoother') -> None:
        """Smooth each track's parameters, then recompute the meshes and
        the projected keypoints in one body-model forward."""
        body_keys = list(self.layout.param_names)
        keys = body_keys + list(self._SMOOTHED_CAMERA)
        for params, track_id in zip(frame.params, frame.track_ids):
            smoothed = smoother(
                int(track_id), {k: params[k] for k in keys}, frame.index
            )
            params.update(smoothed)
        import torch

        device = next(self.model.parameters()).device
        batch = {
            key: torch.as_tensor(
                np.stack([p[key] for p in frame.params]), device=device
            ).float()
            for key in body_keys
        }
        with torch.no_grad():
            out = self.model.body_model_forward(batch)
        vertices = out['vertices'].cpu().numpy()
        joints = out['joints'].cpu().numpy()
        for i, params in enumerate(frame.params):
            trans = params['cam_trans'][None]
            params['vertices'] = (vertices[i] + trans).astype(np.float32)
            params['keypoints'] = project_points(
                joints[i] + trans, params['focal'], params['princpt']
            ).astype(np.float32)

    # ------------------------------------------------------ visualization
    def visualize(self, frame: Frame) -> np.ndarray:
        """The overlay of the frame's meshes (nearer people in front; one
        colour per track), or the unchanged frame without people."""
        from h4w.visualization import track_color

        params = frame.params
        return self.renderer.render(
            frame.image,
            [p['vertices'] for p in params],
            self.faces,
            np.array([p['focal'] for p in params]).reshape(-1, 2),
            np.array([p['princpt'] for p in params]).reshape(-1, 2),
            colors=[track_color(int(t)) for t in frame.track_ids] or None,
            side_view=self.side_view,
        )
