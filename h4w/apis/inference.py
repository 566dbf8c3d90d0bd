"""Build a model from a config and run it on the people of an image.

``init_model`` + ``inference_mesh`` are the whole inference path: the
demo, :class:`~h4w.apis.MeshInferencer`, the benchmarks and user code call
them. Images are RGB (h4w's order everywhere); every output is in the
pixels of the ORIGINAL image.
"""

import logging
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.logging import print_log
from mmengine.registry import init_default_scope

from h4w.structures import MeshDataSample
from h4w.utils.arrays import to_numpy

from .person_crops import crop_images, split_per_image

__all__ = [
    'CheckpointMismatchError',
    'init_model',
    'inference_mesh',
    'inference_mesh_batch',
    'load_model_weights',
    'prediction_params',
]


class CheckpointMismatchError(ValueError):
    """A checkpoint's weights do not fit the model of the config."""


def _load_config(
    config: Union[str, Config], cfg_options: Optional[dict]
) -> Config:
    if isinstance(config, (str, bytes)) or hasattr(config, '__fspath__'):
        config = Config.fromfile(str(config))
    elif not isinstance(config, Config):
        raise TypeError(
            f'config must be a file path or a Config, got {type(config)}'
        )
    else:
        config = config.copy()
    if cfg_options:
        config.merge_from_dict(cfg_options)
    return config


def load_model_weights(model: torch.nn.Module, checkpoint: str) -> None:
    """Load an h4w checkpoint into ``model`` under the trust policy
    (external files: ``torch.load(weights_only=True)``).

    The weights must fit exactly: a missing, unexpected or differently
    shaped key raises :class:`CheckpointMismatchError` listing them.
    A ``module.`` prefix (DDP) is removed.

    Args:
        model (nn.Module): The model built from the config.
        checkpoint (str): Path of an mmengine checkpoint (``state_dict``
            inside) or of a bare state dict.
    """
    from h4w.engine.checkpoint import load_checkpoint_file

    loaded = load_checkpoint_file(checkpoint, map_location='cpu')
    if isinstance(loaded, dict) and 'network' in loaded:
        raise CheckpointMismatchError(
            f'{checkpoint} is an upstream Hand4Whole_RELEASE checkpoint '
            "(weights under 'network'); convert it first with "
            'tools/model_converters/hand4whole_release_to_h4w.py'
        )
    state = (
        loaded.get('state_dict', loaded) if isinstance(loaded, dict) else None
    )
    if not isinstance(state, dict):
        raise CheckpointMismatchError(
            f'{checkpoint} holds no state dict (got {type(loaded).__name__})'
        )
    if state and all(k.startswith('module.') for k in state):
        state = {k[len('module.') :]: v for k, v in state.items()}
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    shapes = sorted(
        f'{key}: checkpoint {tuple(state[key].shape)}, model '
        f'{tuple(expected[key].shape)}'
        for key in set(state) & set(expected)
        if tuple(state[key].shape) != tuple(expected[key].shape)
    )
    if missing or unexpected or shapes:
        lines = [
            f'the checkpoint {checkpoint} does not fit the model '
            f'{type(model).__name__}:'
        ]
        for title, keys in (
            ('missing in the checkpoint', missing),
            ('unexpected in the checkpoint', unexpected),
            ('shape mismatch', shapes),
        ):
            if keys:
                shown = ', '.join(keys[:10])
                more = (
                    f' ... and {len(keys) - 10} more' if len(keys) > 10 else ''
                )
                lines.append(f'  {title} ({len(keys)}): {shown}{more}')
        if any(k.startswith('module.') for k in unexpected):
            lines.append(
                '  (an upstream Hand4Whole_RELEASE file? convert it with '
                'tools/model_converters/hand4whole_release_to_h4w.py)'
            )
        raise CheckpointMismatchError('\n'.join(lines))
    model.load_state_dict(state, strict=True)


def init_model(
    config: Union[str, Config],
    checkpoint: Optional[str] = None,
    device: str = 'cpu',
    cfg_options: Optional[dict] = None,
) -> torch.nn.Module:
    """Build a mesh estimator from a config and load its weights.

    Works for every estimator config (Hand4Whole, Pose2Pose body / hand /
    face, and plugins that a config loads with ``custom_imports``).

    Args:
        config (str | Config): Config file or object.
        checkpoint (str, optional): h4w checkpoint (converted reference
            weights or a training checkpoint); loaded under the trust
            policy (:mod:`h4w.engine.checkpoint`). None keeps the random
            initialisation (with a warning).
        device (str): ``'cpu'``, ``'cuda'``, ``'cuda:1'`` ...
        cfg_options (dict, optional): Overrides, e.g.
            ``{'model.body_model.model_path': 'data/human_model_files'}``.

    Returns:
        nn.Module: The model in eval mode on ``device``, with ``cfg`` set.

    Raises:
        CheckpointMismatchError: The checkpoint does not fit the config
            (the message lists the keys).
    """
    cfg = _load_config(config, cfg_options)
    init_default_scope(cfg.get('default_scope', 'h4w'))
    from h4w.registry import MODELS

    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        load_model_weights(model, checkpoint)
    else:
        print_log(
            'init_model: no checkpoint given, the weights are random',
            logger='current',
            level=logging.WARNING,
        )
    model.cfg = cfg
    return model.to(device).eval()


def _pack(crop: dict, pack) -> dict:
    """One person's crop (:func:`crop_images`) as the model's input
    (``pack``: a ``PackMeshInputs``)."""
    item = pack(
        dict(
            img=crop['img'],
            img2bb_trans=crop['img2bb_trans'],
            bb2img_trans=crop['bb2img_trans'],
            ori_shape=crop['ori_shape'],
            img_shape=crop['img'].shape[:2],
            img_path=crop['img_path'],
            flip=False,
            rot=0.0,
        )
    )
    item['data_samples'].set_metainfo(
        dict(bbox=crop['bbox'], crop_bbox=crop['crop_bbox'])
    )
    return item


def inference_mesh(
    model: torch.nn.Module,
    img: Union[str, np.ndarray],
    bboxes: Optional[np.ndarray] = None,
) -> List[MeshDataSample]:
    """Estimate the mesh of every person box of one image.

    All K people go through ONE batched forward: each box is cropped as
    the reference's test mode (``process_bbox`` to the crop aspect, x1.25,
    affine crop, spec §5.1), and the crops are batched.

    Args:
        model (nn.Module): From :func:`init_model`.
        img (str | np.ndarray): Image file, or an (H, W, 3) **RGB** array
            (uint8 or float in [0, 255]). Convert OpenCV (BGR) frames with
            ``img[..., ::-1]``.
        bboxes (np.ndarray, optional): (K, 4) person boxes, xyxy in image
            pixels (mmpose convention); None = the whole image. Degenerate
            or outside boxes are skipped with a warning.

    Returns:
        list[MeshDataSample]: One per kept box, in box order, with
        ``pred_instances`` (length 1) holding the model's outputs (e.g.
        Hand4Whole's ``smplx_*_pose`` axis-angle, ``smplx_shape``,
        ``smplx_expr``, ``cam_trans``, ``smplx_mesh_cam``) and, in
        original-image pixels:

        * ``vertices`` (1, V, 3): the camera-frame mesh (metres, camera
          translation included),
        * ``focal``, ``princpt`` (1, 2): the camera under which
          ``vertices`` project onto the person
          (:func:`h4w.structures.project_points`),
        * ``keypoints`` (1, J, 2): the body-model joints projected by the
          network, mapped from the crop to the image,
        * ``bboxes`` (1, 4): the given box; ``crop_bboxes`` (1, 4): the
          enlarged box that was cropped (both xyxy),
        * ``*_bbox_orig`` (1, 4): hand and face boxes (Hand4Whole).

        ``metainfo`` holds ``ori_shape`` (H, W), ``img_path`` and the
        crop maps ``img2bb_trans`` / ``bb2img_trans``.
    """
    return inference_mesh_batch(model, [img], [bboxes])[0]


def inference_mesh_batch(
    model: torch.nn.Module,
    imgs: Sequence[Union[str, np.ndarray]],
    bboxes: Sequence[Optional[np.ndarray]],
) -> List[List[MeshDataSample]]:
    """:func:`inference_mesh` of several images in ONE batched forward
    (every person of every image).

    Args:
        model (nn.Module): From :func:`init_model`.
        imgs (list): Image files or (H, W, 3) RGB arrays.
        bboxes (list): Per image, (K_i, 4) xyxy boxes or None.

    Returns:
        list[list[MeshDataSample]]: Per image, its people.
    """
    crops, counts = crop_images(imgs, bboxes, model.codec.input_size)
    if not crops:
        return [[] for _ in imgs]
    from h4w.datasets.transforms import PackMeshInputs

    pack = PackMeshInputs()
    packed = [_pack(crop, pack) for crop in crops]
    with torch.no_grad():
        samples = model.test_step(pseudo_collate(packed))
    prefix = model.body_model.param_layout.prefix
    for sample in samples:
        pred = sample.pred_instances
        pred.vertices = pred.get(f'{prefix}_mesh_cam')
        pred.keypoints = pred.get(f'{prefix}_joint_proj_orig')
        device = pred.vertices.device
        for key, meta in (('bboxes', 'bbox'), ('crop_bboxes', 'crop_bbox')):
            pred.set_field(
                torch.as_tensor(
                    sample.metainfo[meta][None], dtype=torch.float32
                ).to(device),
                key,
            )
    return split_per_image(samples, counts)


def prediction_params(sample: MeshDataSample, layout) -> Dict[str, np.ndarray]:
    """The body-model parameters of one prediction, named by the
    model's :class:`~h4w.body_models.ParamLayout`.

    Args:
        sample (MeshDataSample): One person from :func:`inference_mesh`.
        layout (ParamLayout): ``model.body_model.param_layout``.

    Returns:
        dict: ``root_pose`` (3,), one entry per pose block (e.g. SMPL-X
        ``body_pose`` (63,), ``lhand_pose`` (45,), ``rhand_pose`` (45,),
        ``jaw_pose`` (3,)), ``shape`` (B,), ``expr`` (E,) when the model
        has one, and ``cam_trans`` (3,); float32 NumPy, axis-angle.
    """
    pred = sample.pred_instances
    p = layout.prefix

    def get(key):
        return to_numpy(pred.get(key)[0], np.float32)

    out = {}
    if f'{p}_pose' in pred:
        pose = get(f'{p}_pose')
        out['root_pose'] = pose[:3]
        start = 3
        for block in layout.pose_blocks:
            out[block.key] = pose[start : start + block.dim]
            start += block.dim
    else:
        out['root_pose'] = get(f'{p}_root_pose')
        for block in layout.pose_blocks:
            out[block.key] = get(f'{p}_{block.key}')
    out['shape'] = get(f'{p}_shape')
    if layout.expression:
        out['expr'] = get(f'{p}_expr')
    out['cam_trans'] = get('cam_trans')
    return out
