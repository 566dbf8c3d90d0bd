"""Checkpoint trust policy: the one place where h4w calls ``torch.load``.

* A checkpoint this run wrote itself (``--resume``, auto-resume from the
  work dir) is trusted and unpickled in full: mmengine stores optimizer,
  scheduler and message-hub state in it, which ``weights_only=True``
  rejects on torch >= 2.6.
* Every other file (``load_from``, ``tools/test.py CHECKPOINT``,
  ``init_cfg=dict(type='Pretrained')``, converter inputs) is loaded with
  ``weights_only=True``. numpy arrays and scalars are allowed; mmengine's
  log history (``HistoryBuffer``, which pickles bound methods through
  ``getattr``) loads as inert placeholders, since only weights are read
  from such files. A file holding any other pickled object is refused with
  an :class:`UntrustedCheckpointError` naming the file and the objects.

Importing this module installs the policy as mmengine's loader for local
paths, so every mmengine loading path goes through it.
"""

import contextlib
import contextvars
import os.path as osp
import pickle
from typing import Any, Iterator, List, Optional

import numpy as np
import torch
from mmengine.runner.checkpoint import CheckpointLoader

_trusted = contextvars.ContextVar('h4w_trusted_checkpoints', default=False)


class UntrustedCheckpointError(pickle.UnpicklingError):
    """An external checkpoint holds pickled objects that are not weights."""


def _numpy_safe_globals() -> List[Any]:
    """Types needed to unpickle numpy arrays and scalars, under both module
    spellings (files written with numpy 1 name ``numpy.core``, with numpy 2
    ``numpy._core``)."""
    safe = [np.ndarray, np.dtype, type(np.dtype('float64'))]
    multiarray = (getattr(np, '_core', None) or np.core).multiarray
    for name in ('_reconstruct', 'scalar'):
        function = getattr(multiarray, name)
        safe += [
            (function, f'numpy.core.multiarray.{name}'),
            (function, f'numpy._core.multiarray.{name}'),
        ]
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        safe += [
            getattr(dtypes, name)
            for name in dir(dtypes)
            if name.endswith('DType')
        ]
    return safe


class InertObject:
    """Placeholder for mmengine log history in an external checkpoint."""

    def __setstate__(self, state):
        self.state = state


def _inert_getattr(obj, name):
    """Stands in for ``getattr`` while loading: calls nothing."""
    return None


SAFE_GLOBALS = _numpy_safe_globals() + [
    (InertObject, 'mmengine.logging.history_buffer.HistoryBuffer'),
    (_inert_getattr, 'builtins.getattr'),
]


@contextlib.contextmanager
def trusted_checkpoints() -> Iterator[None]:
    """Within this context, local checkpoints are unpickled in full.

    Use it only around files this run wrote (the runner's resume does).
    """
    token = _trusted.set(True)
    try:
        yield
    finally:
        _trusted.reset(token)


def _unsafe_globals(filename: str) -> List[str]:
    try:
        return torch.serialization.get_unsafe_globals_in_checkpoint(filename)
    except Exception:  # not a zip checkpoint (legacy format)
        return []


def load_checkpoint_file(
    filename: str,
    map_location: Optional[Any] = None,
    trusted: Optional[bool] = None,
) -> Any:
    """Load a local checkpoint under the trust policy.

    Args:
        filename (str): Path of the file.
        map_location: Passed to :func:`torch.load`.
        trusted (bool, optional): Unpickle in full. Defaults to whether
            the call runs inside :func:`trusted_checkpoints`.

    Returns:
        The loaded object (usually a dict).

    Raises:
        FileNotFoundError: The file does not exist.
        UntrustedCheckpointError: An external file holds pickled objects
            other than tensors, containers and numpy values.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'Checkpoint file not found: {filename}')
    if trusted is None:
        trusted = _trusted.get()
    if trusted:
        return torch.load(
            filename, map_location=map_location, weights_only=False
        )
    try:
        with torch.serialization.safe_globals(SAFE_GLOBALS):
            return torch.load(
                filename, map_location=map_location, weights_only=True
            )
    except pickle.UnpicklingError as err:
        found = _unsafe_globals(filename)
        detail = (
            f' It holds: {", ".join(found)}.'
            if found
            else f' torch says: {str(err).splitlines()[0]}'
        )
        raise UntrustedCheckpointError(
            f'Refusing to load {filename}: it is an external checkpoint '
            'and contains pickled Python objects besides weights, which '
            'could run arbitrary code when loaded (h4w loads external '
            'files with torch.load(weights_only=True)).'
            + detail
            + ' If you trust this file, extract its weights once with '
            '`python tools/misc/publish_model.py IN OUT` (it loads the '
            'file in full and writes only the state dict), or resume '
            'from it with --resume if this run wrote it.'
        ) from err


def _load_local(filename: str, map_location: Optional[Any]) -> Any:
    return load_checkpoint_file(filename, map_location)


CheckpointLoader.register_scheme(prefixes='', force=True)(_load_local)

__all__ = [
    'InertObject',
    'UntrustedCheckpointError',
    'load_checkpoint_file',
    'trusted_checkpoints',
    'SAFE_GLOBALS',
]
