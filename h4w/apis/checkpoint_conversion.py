"""Reading, renaming, checking and writing checkpoints for the converters
of ``tools/model_converters/``.

The reference saves ``{'epoch', 'network', 'optimizer'}`` in a
``.pth.tar`` file, the network trained under ``DataParallel`` (every key
starts with ``module.``). h4w keeps the reference's sub-module names below
the top level, so renaming is the prefix table :data:`KEY_MAPS`. h4w
(mmengine) checkpoints hold ``{'meta', 'state_dict', ...}`` with h4w
names already. Every input goes through the trust policy
(:func:`~h4w.engine.checkpoint.load_checkpoint_file`, weights only) and
every output is written atomically (:func:`save_checkpoint_atomic`).
"""

import argparse
import os
import os.path as osp
import tempfile
import time
from collections import OrderedDict
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

import torch

from h4w.engine.checkpoint import load_checkpoint_file

#: Upstream prefix -> h4w prefix, per model (spec §2.17, §2.18, App. A).
KEY_MAPS = {
    'hand4whole': (
        ('module.backbone.', 'backbone.'),
        ('module.body_position_net.', 'body_position_head.'),
        ('module.box_net.', 'box_head.'),
        ('module.hand_roi_net.backbone.', 'hand_backbone.'),
        ('module.hand_position_net.', 'hand_position_head.'),
        ('module.hand_rotation_net.', 'hand_rotation_head.'),
        ('module.body_rotation_net.', 'body_rotation_head.'),
        ('module.face_roi_net.backbone.', 'face_backbone.'),
        ('module.face_regressor.', 'face_head.'),
    ),
    'pose2pose_body': (
        ('module.backbone.', 'backbone.'),
        ('module.position_net.', 'position_head.'),
        ('module.rotation_net.', 'head.'),
    ),
    'pose2pose_hand': (
        ('module.backbone.', 'backbone.'),
        ('module.position_net.', 'position_head.'),
        ('module.rotation_net.', 'head.'),
    ),
    'pose2pose_face': (
        ('module.backbone.', 'backbone.'),
        ('module.regressor.', 'head.'),
    ),
}

#: Body-model buffers: never weights; dropped if a file still has them.
SKIPPED_PREFIXES = ('module.smplx_layer.', 'module.human_model_layer.')

#: The base config of each model, relative to the repository root.
DEFAULT_CONFIGS = {
    'hand4whole': 'configs/_base_/models/hand4whole_res50.py',
    'pose2pose_body': 'configs/pose2pose/pose2pose_body_res50.py',
    'pose2pose_hand': 'configs/pose2pose/pose2pose_hand_res50.py',
    'pose2pose_face': 'configs/pose2pose/pose2pose_face_res50.py',
}

#: Config keys of the estimator that are not weights.
NON_WEIGHT_KEYS = (
    'type',
    'codec',
    'body_model',
    'target_generator',
    'hand_roi_extractor',
    'face_roi_extractor',
    'data_preprocessor',
    'init_cfg',
)

#: How many offending keys an error message lists.
MAX_LISTED = 20

StateDict = Dict[str, torch.Tensor]


class ConversionError(Exception):
    """The input cannot be converted; the message names the keys."""


class LoadedWeights(NamedTuple):
    """The weights of a checkpoint file under h4w names.

    Attributes:
        state_dict (dict): h4w key -> tensor.
        layout (str): ``'upstream'`` (reference ``.pth.tar``) or ``'h4w'``.
        epoch (int, optional): The epoch the file records, if any.
        skipped (list[str]): Upstream body-model buffers left out.
    """

    state_dict: StateDict
    layout: str
    epoch: Optional[int]
    skipped: List[str]


def list_keys(keys: Sequence[str]) -> str:
    """The first :data:`MAX_LISTED` keys, comma separated."""
    keys = list(keys)
    return ', '.join(keys[:MAX_LISTED]) + (
        ' ...' if len(keys) > MAX_LISTED else ''
    )


def map_key(key: str, model: str) -> str:
    """The h4w name of an upstream key.

    Args:
        key (str): Upstream key, ``module.`` prefix included.
        model (str): A key of :data:`KEY_MAPS`.

    Returns:
        str: The h4w key.

    Raises:
        ConversionError: No prefix of the model's map matches.
    """
    for src, dst in KEY_MAPS[model]:
        if key.startswith(src):
            return dst + key[len(src) :]
    raise ConversionError(f'no mapping for key "{key}" ({model})')


def _is_state_dict(obj: Any) -> bool:
    return isinstance(obj, dict) and all(
        isinstance(v, torch.Tensor) for v in obj.values()
    )


def extract_state_dict(checkpoint: Any) -> StateDict:
    """The network weights of a checkpoint.

    Args:
        checkpoint: A reference ``.pth.tar`` (``network``), an mmengine
            checkpoint (``state_dict``) or a bare state dict.

    Returns:
        dict: The state dict, keys unchanged.

    Raises:
        ConversionError: None of these forms.
    """
    if isinstance(checkpoint, dict) and 'network' in checkpoint:
        checkpoint = checkpoint['network']
    elif isinstance(checkpoint, dict) and 'state_dict' in checkpoint:
        checkpoint = checkpoint['state_dict']
    if not _is_state_dict(checkpoint):
        raise ConversionError(
            'expected a dict with a "network" state dict (reference '
            '.pth.tar) or a state dict of tensors'
        )
    return checkpoint


def convert_state_dict(
    state_dict: StateDict, model: str
) -> Tuple[StateDict, List[str]]:
    """Rename every upstream key to its h4w name.

    Args:
        state_dict (dict): Upstream weights (with or without ``module.``).
        model (str): A key of :data:`KEY_MAPS`.

    Returns:
        tuple: The renamed dict and the skipped body-model keys.

    Raises:
        ConversionError: Listing every key without a mapping.
    """
    out, skipped, unmapped = OrderedDict(), [], []
    for key, value in state_dict.items():
        if not key.startswith('module.'):
            key = 'module.' + key  # saved without DataParallel
        if key.startswith(SKIPPED_PREFIXES):
            skipped.append(key)
            continue
        try:
            out[map_key(key, model)] = value
        except ConversionError:
            unmapped.append(key)
    if unmapped:
        raise ConversionError(
            f'{len(unmapped)} key(s) have no mapping for --model {model}: '
            + list_keys(unmapped)
        )
    return out, skipped


def rename_prefixes(
    state_dict: StateDict, renames: Sequence[Tuple[str, str]]
) -> StateDict:
    """Replace the first matching ``(old, new)`` prefix of every key."""
    out = OrderedDict()
    for key, value in state_dict.items():
        for old, new in renames:
            if key.startswith(old):
                key = new + key[len(old) :]
                break
        out[key] = value
    return out


def _epoch(checkpoint: Any) -> Optional[int]:
    if not isinstance(checkpoint, dict):
        return None
    epoch = checkpoint.get('epoch')
    if epoch is None and isinstance(checkpoint.get('meta'), dict):
        epoch = checkpoint['meta'].get('epoch')
    return int(epoch) if isinstance(epoch, int) else None


def load_weights(
    filename: str,
    model: str,
    renames: Sequence[Tuple[str, str]] = (),
) -> LoadedWeights:
    """Read any checkpoint file and return its weights under h4w names.

    A reference ``.pth.tar`` (``{'network', 'epoch', 'optimizer'}``) or a
    bare state dict whose keys start with ``module.`` is renamed with
    ``KEY_MAPS[model]``; an h4w / mmengine checkpoint (``{'meta',
    'state_dict', ...}``) or a bare state dict without ``module.`` keeps
    its names. The file is loaded weights-only (trust policy).

    Args:
        filename (str): The checkpoint file.
        model (str): A key of :data:`KEY_MAPS`, for upstream files.
        renames (sequence): Upstream ``(old, new)`` key prefixes applied
            before the mapping (other namings of the same network).

    Returns:
        LoadedWeights: The weights, the layout and the recorded epoch.

    Raises:
        FileNotFoundError: The file does not exist.
        UntrustedCheckpointError: It holds pickled objects.
        ConversionError: It holds no state dict, or an upstream key has
            no mapping.
    """
    checkpoint = load_checkpoint_file(
        filename, map_location='cpu', trusted=False
    )
    state_dict = extract_state_dict(checkpoint)
    upstream = 'network' in checkpoint or (
        'state_dict' not in checkpoint
        and any(key.startswith('module.') for key in state_dict)
    )
    if not upstream:
        return LoadedWeights(
            OrderedDict(state_dict), 'h4w', _epoch(checkpoint), []
        )
    state_dict, skipped = convert_state_dict(
        rename_prefixes(state_dict, renames), model
    )
    return LoadedWeights(state_dict, 'upstream', _epoch(checkpoint), skipped)


def expected_shapes(config_file: str) -> Dict[str, torch.Size]:
    """Shapes of every weight of the estimator in ``config_file``.

    The sub-modules are built one by one, without the body model (no
    model files needed).

    Args:
        config_file (str): An h4w config with a ``model``.

    Returns:
        dict: h4w key -> shape.
    """
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import h4w.models  # noqa: F401  (registers the modules)
    from h4w.registry import MODELS

    init_default_scope('h4w')
    cfg = Config.fromfile(config_file)
    shapes = {}
    for name, sub_cfg in cfg.model.items():
        if (
            name in NON_WEIGHT_KEYS
            or name.startswith('loss_')
            or not isinstance(sub_cfg, dict)
            or 'type' not in sub_cfg
        ):
            continue
        module = MODELS.build(sub_cfg)
        for key, value in module.state_dict().items():
            shapes[f'{name}.{key}'] = value.shape
    return shapes


def check_shapes(state_dict: StateDict, shapes: Dict[str, torch.Size]) -> None:
    """Check that ``state_dict`` has exactly the keys and shapes given.

    Args:
        state_dict (dict): Weights to check.
        shapes (dict): Expected key -> shape.

    Raises:
        ConversionError: Naming the missing, unexpected and mis-shaped
            keys (the first :data:`MAX_LISTED` of each kind).
    """
    missing = [
        f'missing {key}' for key in sorted(set(shapes) - set(state_dict))
    ]
    unexpected = [
        f'unexpected {key}' for key in state_dict if key not in shapes
    ]
    misshaped = [
        f'shape of {key}: file {tuple(value.shape)}, '
        f'model {tuple(shapes[key])}'
        for key, value in state_dict.items()
        if key in shapes and tuple(value.shape) != tuple(shapes[key])
    ]
    kinds = [kind for kind in (missing, unexpected, misshaped) if kind]
    if kinds:
        raise ConversionError(
            f'{sum(map(len, kinds))} problem(s) ({len(missing)} missing, '
            f'{len(unexpected)} unexpected, {len(misshaped)} mis-shaped): '
            + '; '.join(
                '; '.join(kind[:MAX_LISTED])
                + (' ...' if len(kind) > MAX_LISTED else '')
                for kind in kinds
            )
        )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_checkpoint_atomic(checkpoint: Dict[str, Any], filename: str) -> None:
    """Write ``checkpoint`` so that ``filename`` is complete or absent.

    The file is saved to a temporary file in the destination folder,
    then moved over ``filename`` with :func:`os.replace`.

    Args:
        checkpoint (dict): What :func:`torch.save` writes.
        filename (str): The destination; its folder is created.
    """
    folder = osp.dirname(osp.abspath(filename))
    os.makedirs(folder, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f'.{osp.basename(filename)}.', suffix='.tmp', dir=folder
    )
    try:
        with os.fdopen(fd, 'wb') as f:
            torch.save(checkpoint, f)
        os.chmod(tmp_name, 0o666 & ~_umask())
        os.replace(tmp_name, filename)
    except BaseException:
        if osp.exists(tmp_name):
            os.remove(tmp_name)
        raise


def save_weights(
    state_dict: Dict[str, torch.Tensor],
    filename: str,
    converted_by: str,
    **meta: Any,
) -> None:
    """Write a weights-only h4w checkpoint ``{'meta', 'state_dict'}``
    atomically (:func:`save_checkpoint_atomic`).

    Args:
        state_dict (dict): h4w-named weights.
        filename (str): The destination.
        converted_by (str): The tool that wrote it (recorded in meta).
        **meta: More meta entries (sources, epochs, ...).
    """
    save_checkpoint_atomic(
        dict(
            meta=dict(
                meta,
                converted_by=converted_by,
                time=time.strftime('%Y-%m-%d %H:%M:%S'),
            ),
            state_dict=state_dict,
        ),
        filename,
    )


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``--model`` / ``--config`` options of the converters that read
    one network: which upstream key map, and which config's shapes."""
    parser.add_argument(
        '--model',
        choices=sorted(KEY_MAPS),
        default='hand4whole',
        help='which network the file holds (default: hand4whole)',
    )
    parser.add_argument(
        '--config',
        default=None,
        help='h4w config whose model defines the expected shapes '
        '(default: the base config of --model)',
    )


__all__ = [
    'DEFAULT_CONFIGS',
    'KEY_MAPS',
    'NON_WEIGHT_KEYS',
    'SKIPPED_PREFIXES',
    'ConversionError',
    'LoadedWeights',
    'check_shapes',
    'convert_state_dict',
    'expected_shapes',
    'extract_state_dict',
    'list_keys',
    'load_weights',
    'map_key',
    'rename_prefixes',
    'save_checkpoint_atomic',
    'save_weights',
    'add_model_arguments',
]
