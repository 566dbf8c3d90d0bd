"""ONNX export of the tensor path of the mesh estimators.

:class:`MeshOnnxWrapper` wraps a built estimator (Hand4Whole, Pose2Pose
body / hand / face) into a module whose only input is the batch of crops
and whose outputs are a fixed tuple of named tensors; :func:`export_onnx`
writes it with the TorchScript exporter (``dynamo=False``, opset >= 17)
with a dynamic batch dimension, so that a deployment needs neither torch
nor smplx (with ``with_body_model=True``).

Input ``imgs`` (N, 3, H, W) float32: the raw crops, RGB, values in
[0, 255], ``(H, W)`` = ``model.codec.input_size`` (512x384 Hand4Whole and
Pose2Pose body, 256x256 hand, 192x192 face). The data preprocessor's
normalisation (``(x - mean) / std``, default ``x / 255``, and its channel
swap if configured) is **inside** the graph.

Outputs, in this order (``P`` = the body model's parameter layout, see
:mod:`h4w.body_models.param_layouts`; all float32, batch N first):

* ``root_pose`` (N, 3), then one entry per pose block of ``P``, named by
  the block: SMPL-X ``body_pose`` (N, 63), ``lhand_pose`` (N, 45),
  ``rhand_pose`` (N, 45), ``jaw_pose`` (N, 3); SMPL ``body_pose``
  (N, 69); MANO ``hand_pose`` (N, 45); FLAME ``jaw_pose`` (N, 3). All
  axis-angle, exactly the ``<prefix>_*pose`` of ``predict``.
* ``shape`` (N, B); ``expr`` (N, E) for SMPL-X and FLAME.
* ``cam_trans`` (N, 3): camera translation in metres.
* ``joint_img`` (N, J_pos, 3) (models with a position head: Hand4Whole
  65 joints, body 25, hand 21): x, y in body heat-map units (Hand4Whole
  hand rows already mapped back from the hand boxes), z in heat-map depth
  units (hand rows: hand heat-map units).
* ``lhand_bbox``, ``rhand_bbox``, ``face_bbox`` (N, 4) (Hand4Whole):
  xyxy in crop pixels.
* with ``with_body_model=True``: ``vertices`` (N, V, 3) the mesh in the
  camera frame, metres, camera translation included (``<prefix>_mesh_cam``
  of ``predict``); ``joints`` (N, J, 3) the body-model joints that are
  projected, same frame; ``joint_proj`` (N, J, 2) their projection in body
  heat-map units (``<prefix>_joint_proj``). Hand4Whole: V = 10475,
  J = 137 (144 with ``predict_all_joints``).

The file's ``metadata_props`` hold the model type, the body-model layout,
the codec and the mesh triangles (:mod:`h4w.apis.onnx_mesh_model`), so
that :class:`~h4w.apis.ONNXMeshModel` (the ``onnxruntime`` backend of the
demo) runs steps 1-5 below with the PyTorch path's own NumPy functions.

Post-processing that reproduces :func:`~h4w.apis.inference_mesh` in
original-image pixels (``codec`` = the model's :class:`MeshCodec`; ``in_h,
in_w`` = ``codec.input_size``; ``body_h, body_w`` =
``codec.body_input_size``; ``_, hm_h, hm_w`` = ``codec.heatmap_size``):

1. Crop (before the model), per person box xyxy: ``crop_box =
   process_bbox(xywh, W_img, H_img, aspect_ratio=in_w / in_h)`` (x1.25,
   aspect fixed; a None result skips the box), then the affine crop
   :func:`~h4w.structures.image.affine_crop` (test mode: no rotation /
   flip) to (in_h, in_w), giving ``img2bb_trans`` and its inverse
   ``bb2img_trans`` (2, 3); the float32 RGB crop, HWC -> CHW, is
   ``imgs[i]`` (:func:`~h4w.apis.person_crops.crop_people`).
2. ``vertices``: used as is (``pred_instances.vertices``).
3. Camera in image pixels (``focal``, ``princpt``): with ``s =
   (in_w / body_w, in_h / body_h)``, ``focal = codec.focal * s *
   norm(bb2img[:, :2], axis=0)`` (column norms) and ``princpt = bb2img @
   (codec.princpt * s, 1)``; ``vertices`` project onto the person as
   ``x = focal * X / Z + princpt``.
4. Heat-map outputs to image pixels (``keypoints`` = ``joint_proj``,
   ``joint_img_orig`` = ``joint_img[..., :2]``): ``crop = xy * (in_w /
   hm_w, in_h / hm_h)``, then ``bb2img @ (crop, 1)``.
5. ``*_bbox_orig``: the four corners of each crop-pixel box through
   ``bb2img``, then their min / max (axis-aligned xyxy). Steps 3-5 are
   :meth:`MeshCodec.decode_to_image`.
6. Without the body model: run the body model on the parameters (the
   pose blocks of ``P`` in order, ``betas=shape``, ``expression=expr``,
   SMPL-X hands relative to the mean hand), add ``cam_trans`` and project
   as :meth:`MeshCodec.project_to_heatmap` (``z + 1e-4``).

Replaced ops (export path only, PyTorch numbers unchanged): h4w's
pure-PyTorch :func:`~h4w.models.task_modules.roi_align` has data-dependent
sampling-grid sizes that tracing would freeze; during the export it runs
inside :class:`RoIAlignFunction`, whose forward is the same function and
whose ONNX symbol is ``RoiAlign`` (opset 16,
``coordinate_transformation_mode='output_half_pixel'`` = torchvision's
``aligned=False``, adaptive ``sampling_ratio=0``, ``mode='avg'``).
"""

import contextlib
import json
import warnings
from collections import OrderedDict
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor, nn

from h4w.models.task_modules import part_roi_extractor
from h4w.models.task_modules.roi_align import roi_align

from .onnx_mesh_model import (
    FACES_KEY,
    METADATA_FORMAT,
    METADATA_KEY,
    encode_faces,
)

__all__ = [
    'MeshOnnxWrapper',
    'RoIAlignFunction',
    'export_onnx',
    'make_session',
    'onnx_export_patches',
    'run_onnxruntime',
    'max_abs_differences',
]

#: Opset of the exported graph (``GridSample`` needs 16; default 17).
DEFAULT_OPSET = 17


class RoIAlignFunction(torch.autograd.Function):
    """:func:`roi_align` (``aligned=False``) as one ONNX ``RoiAlign`` node.

    The forward pass is h4w's :func:`roi_align` itself (bit-identical
    PyTorch numbers); only the traced symbol changes.
    """

    @staticmethod
    def forward(
        ctx,
        input: Tensor,
        boxes: Tensor,
        batch_index: Tensor,
        output_size: Tuple[int, int],
        spatial_scale: float,
        sampling_ratio: int,
    ) -> Tensor:
        rois = torch.cat((batch_index[:, None].to(boxes), boxes), 1)
        return roi_align(
            input,
            rois,
            output_size,
            spatial_scale=spatial_scale,
            sampling_ratio=sampling_ratio,
            aligned=False,
        )

    @staticmethod
    def symbolic(
        g,
        input,
        boxes,
        batch_index,
        output_size,
        spatial_scale,
        sampling_ratio,
    ):
        index = g.op('Cast', batch_index, to_i=7)  # int64
        return g.op(
            'RoiAlign',
            input,
            boxes,
            index,
            output_height_i=int(output_size[0]),
            output_width_i=int(output_size[1]),
            sampling_ratio_i=max(int(sampling_ratio), 0),
            spatial_scale_f=float(spatial_scale),
            mode_s='avg',
            coordinate_transformation_mode_s='output_half_pixel',
        )


def _exportable_roi_align(
    input: Tensor,
    boxes: Tensor,
    output_size,
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = False,
) -> Tensor:
    """:func:`roi_align` with the signature of the original, routed
    through :class:`RoIAlignFunction`."""
    if aligned:
        raise NotImplementedError(
            'ONNX export supports roi_align(aligned=False) only (what '
            'PartRoIExtractor uses)'
        )
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    return RoIAlignFunction.apply(
        input,
        boxes[:, 1:].to(input.dtype),
        boxes[:, 0],
        tuple(int(s) for s in output_size),
        float(spatial_scale),
        int(sampling_ratio),
    )


@contextlib.contextmanager
def onnx_export_patches() -> Iterator[None]:
    """Route :class:`PartRoIExtractor`'s ``roi_align`` through
    :class:`RoIAlignFunction` while the block runs (restored after)."""
    original = part_roi_extractor.roi_align
    part_roi_extractor.roi_align = _exportable_roi_align
    try:
        yield
    finally:
        part_roi_extractor.roi_align = original


class MeshOnnxWrapper(nn.Module):
    """The estimator's tensor path as ``imgs -> tuple of named tensors``.

    Runs the data preprocessor's normalisation, ``model._forward`` and
    ``model.collect_preds`` (what ``predict`` computes before the
    original-image outputs), and returns the outputs listed in the module
    docstring, in that order. :meth:`named_outputs` gives them as a dict.

    Args:
        model (nn.Module): A built estimator (``init_model``) with
            ``collect_preds`` and ``projected_joints``; put in eval mode
            (``train()`` on the wrapper keeps it there).
        with_body_model (bool): Also output ``vertices``, ``joints`` and
            ``joint_proj`` (the body model runs inside the graph).

    Note:
        N: batch; (H, W) = ``model.codec.input_size``.
        ``imgs`` (N, 3, H, W) float32 RGB in [0, 255].

    Examples:
        >>> # wrapper = MeshOnnxWrapper(init_model(cfg, ckpt))
        >>> # outputs = wrapper.named_outputs(imgs)  # name -> (N, ...)
    """

    def __init__(self, model: nn.Module, with_body_model: bool = False):
        super().__init__()
        for name in ('collect_preds', 'projected_joints', 'codec'):
            if not hasattr(model, name):
                raise TypeError(
                    f'{type(model).__name__} has no {name!r}: only the h4w '
                    'mesh estimators (Hand4Whole, Pose2Pose) can be exported'
                )
        self.model = model
        self.with_body_model = with_body_model
        self.layout = model.body_model.param_layout
        self.eval()

    def train(self, mode: bool = True) -> 'MeshOnnxWrapper':
        """Always eval mode: the exporter restores the mode it found,
        which must not switch the wrapped model's BN layers to training."""
        return super().train(False)

    @property
    def input_size(self) -> Tuple[int, int]:
        """(H, W) of the crops."""
        return tuple(self.model.codec.input_size)

    def normalize(self, imgs: Tensor) -> Tensor:
        """The data preprocessor's ``(x - mean) / std`` (and channel swap
        when it has one) on (N, 3, H, W) [0, 255] crops."""
        pre = self.model.data_preprocessor
        x = imgs.float()
        if getattr(pre, '_channel_conversion', False):
            x = x[:, [2, 1, 0], ...]
        if getattr(pre, '_enable_normalize', False):
            x = (x - pre.mean) / pre.std
        return x

    def named_outputs(self, imgs: Tensor) -> Dict[str, Tensor]:
        """The outputs by name, in the export order.

        Args:
            imgs (Tensor): (N, 3, H, W) RGB crops in [0, 255].

        Returns:
            OrderedDict: name -> (N, ...) tensor (see the module docstring).
        """
        if imgs.dim() != 4 or tuple(imgs.shape[1:]) != (3, *self.input_size):
            raise ValueError(
                f'imgs must be (N, 3, {self.input_size[0]}, '
                f'{self.input_size[1]}), got {tuple(imgs.shape)}'
            )
        model = self.model
        inputs = self.normalize(imgs)
        out = model._forward(inputs)
        preds = model.collect_preds(out)
        p = self.layout.prefix
        named = OrderedDict()
        if f'{p}_pose' in preds:
            pose = preds[f'{p}_pose']
            named['root_pose'] = pose[:, :3]
            start = 3
            for block in self.layout.pose_blocks:
                named[block.key] = pose[:, start : start + block.dim]
                start += block.dim
        else:
            named['root_pose'] = preds[f'{p}_root_pose']
            for block in self.layout.pose_blocks:
                named[block.key] = preds[f'{p}_{block.key}']
        named['shape'] = preds[f'{p}_shape']
        if self.layout.expression:
            named['expr'] = preds[f'{p}_expr']
        named['cam_trans'] = preds['cam_trans']
        if 'joint_img' in preds:
            named['joint_img'] = preds['joint_img']
        for part in ('lhand', 'rhand', 'face'):
            if f'{part}_bbox' in preds:
                named[f'{part}_bbox'] = preds[f'{part}_bbox']
        if self.with_body_model:
            named['vertices'] = preds[f'{p}_mesh_cam']
            named['joints'] = (
                model.projected_joints(out) + preds['cam_trans'][:, None]
            )
            named['joint_proj'] = preds[f'{p}_joint_proj']
        return named

    def forward(self, imgs: Tensor) -> Tuple[Tensor, ...]:
        """:meth:`named_outputs` as a tuple (the ONNX outputs)."""
        return tuple(self.named_outputs(imgs).values())


def export_onnx(
    model: nn.Module,
    out_file: str,
    with_body_model: bool = False,
    opset: int = DEFAULT_OPSET,
    batch_size: int = 2,
    seed: int = 0,
) -> Tuple[List[str], Dict[str, np.ndarray], np.ndarray]:
    """Export ``model`` to ``out_file`` with a dynamic batch dimension.

    The graph is traced on a random batch of ``batch_size`` crops in
    [0, 255] (TorchScript exporter, ``dynamo=False``).

    Args:
        model (nn.Module): From :func:`~h4w.apis.init_model` (CPU).
        out_file (str): The ``.onnx`` file to write.
        with_body_model (bool): See :class:`MeshOnnxWrapper`.
        opset (int): ONNX opset, at least 17.
        batch_size (int): Batch of the tracing input.
        seed (int): Seed of the tracing input.

    Returns:
        tuple: the output names, the PyTorch outputs on the tracing batch
        (name -> np.ndarray) and that batch (N, 3, H, W) float32.
    """
    if opset < 17:
        raise ValueError(f'opset must be >= 17, got {opset}')
    wrapper = MeshOnnxWrapper(model, with_body_model=with_body_model)
    height, width = wrapper.input_size
    gen = torch.Generator().manual_seed(seed)
    imgs = torch.rand(batch_size, 3, height, width, generator=gen) * 255
    with torch.no_grad():
        reference = wrapper.named_outputs(imgs)
    names = list(reference)
    dynamic = {name: {0: 'batch'} for name in ['imgs'] + names}
    with torch.no_grad(), onnx_export_patches(), warnings.catch_warnings():
        # shape checks and smplx's Python batch-size arithmetic are
        # traced as constants; the dynamic batch is verified numerically
        # by the tests (batch 1 and 3 against a batch-2 trace)
        warnings.simplefilter('ignore', torch.jit.TracerWarning)
        # reversed slices (smplx's kinematic chain) stay Slice nodes
        warnings.filterwarnings(
            'ignore', message='Constant folding - Only steps=1'
        )
        torch.onnx.export(
            wrapper,
            (imgs,),
            out_file,
            input_names=['imgs'],
            output_names=names,
            dynamic_axes=dynamic,
            opset_version=opset,
            do_constant_folding=True,
            dynamo=False,
        )
    _finish_file(out_file, reference, wrapper)
    return (
        names,
        {k: v.numpy() for k, v in reference.items()},
        imgs.numpy(),
    )


def _finish_file(
    onnx_file: str, outputs: Dict[str, Tensor], wrapper: MeshOnnxWrapper
) -> None:
    """Write the static sizes of every output (all but the batch) into
    the graph, where the exporter's shape inference left symbols, and the
    h4w metadata that the onnxruntime backend reads
    (:mod:`h4w.apis.onnx_mesh_model`)."""
    import onnx

    model = onnx.load(onnx_file)
    for value in model.graph.output:
        dims = value.type.tensor_type.shape.dim
        for dim, size in zip(dims[1:], outputs[value.name].shape[1:]):
            dim.Clear()
            dim.dim_value = int(size)
    estimator = wrapper.model
    info = dict(
        format=METADATA_FORMAT,
        model=type(estimator).__name__,
        layout=wrapper.layout.prefix,
        codec=estimator.codec.to_config(),
        with_body_model=wrapper.with_body_model,
        outputs=list(outputs),
    )
    faces = estimator.body_model.faces.cpu().numpy()
    onnx.helper.set_model_props(
        model,
        {METADATA_KEY: json.dumps(info), FACES_KEY: encode_faces(faces)},
    )
    onnx.save(model, onnx_file)


def run_onnxruntime(
    onnx_file: str,
    imgs: np.ndarray,
    session=None,
    threads: Optional[int] = None,
) -> Dict[str, np.ndarray]:
    """Run an exported file with onnxruntime on the CPU.

    Args:
        onnx_file (str): The exported model.
        imgs (np.ndarray): (N, 3, H, W) float32 RGB crops in [0, 255].
        session (onnxruntime.InferenceSession, optional): Reused if given.
        threads (int, optional): Intra-op threads of a new session.

    Returns:
        dict: output name -> (N, ...) array.
    """
    if session is None:
        session = make_session(onnx_file, threads)
    names = [o.name for o in session.get_outputs()]
    values = session.run(names, {'imgs': np.ascontiguousarray(imgs, 'f4')})
    return dict(zip(names, values))


def make_session(onnx_file: str, threads: Optional[int] = None):
    """An onnxruntime CPU ``InferenceSession`` of ``onnx_file``."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    return ort.InferenceSession(
        onnx_file, options, providers=['CPUExecutionProvider']
    )


def max_abs_differences(
    expected: Dict[str, np.ndarray],
    actual: Dict[str, np.ndarray],
    names: Optional[Sequence[str]] = None,
) -> Dict[str, float]:
    """Per-output max absolute difference (shapes must match)."""
    out = {}
    for name in names or list(expected):
        a, b = np.asarray(expected[name]), np.asarray(actual[name])
        if a.shape != b.shape:
            raise ValueError(
                f'output {name}: shape {b.shape}, expected {a.shape}'
            )
        out[name] = float(np.abs(a - b).max()) if a.size else 0.0
    return out
