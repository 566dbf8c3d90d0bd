"""Run an exported mesh estimator with onnxruntime: the ``onnxruntime``
backend of :class:`~h4w.apis.MeshInferencer` and ``tools/demo.py``.

NumPy, OpenCV and onnxruntime only: nothing on this path imports torch
(nor smplx), so a deployment installs neither. The pre- and
post-processing are the PyTorch path's own functions:
:func:`~h4w.apis.person_crops.crop_people` (boxes -> crops) and
:meth:`MeshCodec.decode_to_image <h4w.codecs.MeshCodec.decode_to_image>`
(crop outputs -> original-image pixels), fed NumPy arrays.

The ``.onnx`` file carries what the backend needs besides the graph, in
its ``metadata_props`` (written by :func:`~h4w.apis.export_onnx`):

* ``h4w``: JSON with ``format`` (1), ``model`` (estimator type),
  ``layout`` (body-model prefix: ``smplx``, ``smpl``, ``mano``,
  ``flame``), ``codec`` (:meth:`MeshCodec.to_config`),
  ``with_body_model`` and ``outputs`` (the output names in order);
* ``h4w_faces``: the body model's (F, 3) triangles, int32 little-endian,
  base64.
"""

import base64
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import numpy as np

from h4w.body_models.param_layouts import PARAM_LAYOUTS, ParamLayout
from h4w.codecs import MeshCodec

from .person_crops import crop_images, split_per_image

__all__ = [
    'METADATA_KEY',
    'FACES_KEY',
    'ONNXMeshModel',
    'decode_faces',
    'encode_faces',
]

#: ``metadata_props`` keys of an h4w export.
METADATA_KEY = 'h4w'
FACES_KEY = 'h4w_faces'
METADATA_FORMAT = 1


def encode_faces(faces: np.ndarray) -> str:
    """(F, 3) triangles -> base64 of their int32 little-endian bytes."""
    faces = np.ascontiguousarray(np.asarray(faces).reshape(-1, 3), '<i4')
    return base64.b64encode(faces.tobytes()).decode('ascii')


def decode_faces(text: str) -> np.ndarray:
    """Inverse of :func:`encode_faces`: (F, 3) int64."""
    flat = np.frombuffer(base64.b64decode(text), dtype='<i4')
    return flat.reshape(-1, 3).astype(np.int64)


def _providers(device: str) -> List[str]:
    import onnxruntime as ort

    if device == 'cpu':
        return ['CPUExecutionProvider']
    if device.startswith('cuda'):
        if 'CUDAExecutionProvider' not in ort.get_available_providers():
            raise ValueError(
                f'device {device!r}: this onnxruntime has no CUDA provider '
                '(install onnxruntime-gpu) ; use device="cpu"'
            )
        index = int(device.partition(':')[2] or 0)
        return [
            ('CUDAExecutionProvider', dict(device_id=index)),
            'CPUExecutionProvider',
        ]
    raise ValueError(f'device must be "cpu" or "cuda[:i]", got {device!r}')


class ONNXMeshModel:
    """An exported estimator (``tools/deployment/export_onnx.py
    --with-body-model``) with the inference API of the PyTorch path.

    Args:
        onnx_file (str): The exported ``.onnx`` file.
        device (str): ``'cpu'``, or ``'cuda[:i]'`` with onnxruntime-gpu.
        threads (int, optional): onnxruntime intra-op threads (default:
            its own choice, one per core).

    Attributes:
        codec (MeshCodec): The crop geometry of the exported model.
        layout (ParamLayout): Its body model's parameter layout.
        faces (np.ndarray): (F, 3) int64 triangles of the body model.
        output_names (list[str]): The graph's outputs, in order.

    Examples:
        >>> model = ONNXMeshModel('hand4whole.onnx')  # doctest: +SKIP
        >>> people = model.predict(['demo.jpg'], [None])[0]  # doctest: +SKIP
        >>> people[0]['vertices'].shape  # doctest: +SKIP
        (10475, 3)
    """

    def __init__(
        self,
        onnx_file: str,
        device: str = 'cpu',
        threads: Optional[int] = None,
    ) -> None:
        if not osp.isfile(onnx_file):
            raise FileNotFoundError(f'ONNX model not found: {onnx_file}')
        try:
            import onnxruntime as ort
        except ImportError as err:
            raise ImportError(
                'the onnxruntime backend needs onnxruntime: pip install -e '
                '".[deploy]"'
            ) from err
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = int(threads)
        self.onnx_file = onnx_file
        self.session = ort.InferenceSession(
            onnx_file, options, providers=_providers(device)
        )
        meta = self.session.get_modelmeta().custom_metadata_map
        info = self._read_metadata(meta)
        self.model_type = info['model']
        self.layout: ParamLayout = PARAM_LAYOUTS[info['layout']]
        codec = dict(info['codec'])
        codec.pop('type', None)
        self.codec = MeshCodec(**codec)
        self.faces = decode_faces(meta[FACES_KEY])
        self.output_names = [o.name for o in self.session.get_outputs()]

    def _read_metadata(self, meta: Dict[str, str]) -> dict:
        """The ``h4w`` metadata, checked."""
        name = self.onnx_file
        if METADATA_KEY not in meta or FACES_KEY not in meta:
            raise ValueError(
                f'{name} has no h4w metadata: export the model with '
                'tools/deployment/export_onnx.py CONFIG CHECKPOINT '
                '--with-body-model'
            )
        info = json.loads(meta[METADATA_KEY])
        if info.get('format') != METADATA_FORMAT:
            raise ValueError(
                f'{name}: h4w metadata format {info.get("format")!r}, this '
                f'h4w reads format {METADATA_FORMAT}; re-export the model'
            )
        if info.get('layout') not in PARAM_LAYOUTS:
            raise ValueError(
                f'{name}: unknown body-model layout {info.get("layout")!r}'
            )
        if not info.get('with_body_model'):
            raise ValueError(
                f'{name} was exported without the body model; the '
                'onnxruntime backend needs its vertices: re-export with '
                'tools/deployment/export_onnx.py ... --with-body-model'
            )
        return info

    @property
    def input_size(self):
        """(H, W) of the crops."""
        return tuple(self.codec.input_size)

    def check_config(self, config) -> None:
        """Raise ``ValueError`` when a config's estimator is not the
        exported one (estimator type or crop size differ).

        Args:
            config (str | Config): The config the model was exported from
                (read without importing its ``custom_imports``).
        """
        from mmengine.config import Config

        if not isinstance(config, Config):
            config = Config.fromfile(str(config), import_custom_modules=False)
        model = config.get('model', {})
        found = dict(
            type=model.get('type'),
            input_size=tuple(model.get('codec', {}).get('input_size', ())),
        )
        exported = dict(type=self.model_type, input_size=self.input_size)
        wrong = [k for k in found if found[k] != exported[k]]
        if wrong:
            details = ', '.join(
                f'{k}: config {found[k]}, ONNX {exported[k]}' for k in wrong
            )
            raise ValueError(
                f'{self.onnx_file} was not exported from this config '
                f'({details})'
            )

    def param_keys(self) -> List[str]:
        """The body-model parameters among the outputs, in the order of
        :func:`~h4w.apis.prediction_params`."""
        return [*self.layout.param_names, 'cam_trans']

    def run(self, crops: np.ndarray) -> Dict[str, np.ndarray]:
        """The graph on (N, 3, H, W) float32 RGB crops in [0, 255]: output
        name -> (N, ...) array."""
        feed = {'imgs': np.ascontiguousarray(crops, dtype=np.float32)}
        values = self.session.run(self.output_names, feed)
        return dict(zip(self.output_names, values))

    def predict(
        self,
        imgs: Sequence[Union[str, np.ndarray]],
        bboxes: Sequence[Optional[np.ndarray]],
    ) -> List[List[Dict[str, np.ndarray]]]:
        """Every person of every image in ONE onnxruntime call.

        Args:
            imgs (list): Image files or (H, W, 3) RGB arrays.
            bboxes (list): Per image, (K_i, 4) xyxy person boxes or None
                (the whole image).

        Returns:
            list[list[dict]]: Per image, per kept box: the graph's outputs
            of that person (no batch axis), the decoded ones of
            :meth:`MeshCodec.decode_to_image` (``focal``, ``princpt``,
            ``*_orig``), ``keypoints`` (J, 2) (= ``joint_proj_orig``),
            ``bboxes`` / ``crop_bboxes`` (4,) xyxy and the crop maps
            ``img2bb_trans`` / ``bb2img_trans`` (2, 3); the names of the
            PyTorch path's ``pred_instances``.
        """
        crops, counts = crop_images(imgs, bboxes, self.input_size)
        if not crops:
            return [[] for _ in imgs]
        batch = np.stack([c['img'] for c in crops]).transpose(0, 3, 1, 2)
        bb2img = np.stack([c['bb2img_trans'] for c in crops])
        outputs = self.codec.decode_to_image(self.run(batch), bb2img)
        people = []
        for i, crop in enumerate(crops):
            person = {key: value[i] for key, value in outputs.items()}
            person.update(
                keypoints=person['joint_proj_orig'],
                bboxes=crop['bbox'].astype(np.float32),
                crop_bboxes=crop['crop_bbox'].astype(np.float32),
                img2bb_trans=crop['img2bb_trans'],
                bb2img_trans=crop['bb2img_trans'],
            )
            people.append(person)
        return split_per_image(people, counts)

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}({self.onnx_file!r}, model='
            f'{self.model_type}, layout={self.layout.prefix}, '
            f'input_size={self.input_size})'
        )
