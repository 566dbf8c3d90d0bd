"""Reading the official SMPL / SMPL-X / MANO / FLAME model files.

The official ``.pkl`` files were pickled by Python 2 with chumpy objects
(``chumpy.ch.Ch``) and scipy sparse matrices inside. chumpy does not
install on current numpy, so h4w reads them with a restricted unpickler:
chumpy arrays and sparse matrices become plain numpy arrays, numpy arrays
load as usual, and any other class is refused (a model file has no reason
to hold one). The same reader is handed to the ``smplx`` package while it
builds a layer, so the files are used unchanged.
"""

import contextlib
import os.path as osp
import pickle
from typing import Any, Dict, Iterator, Optional

import numpy as np

#: Where users obtain each model, and the file layout h4w expects.
#: Genders of the SMPL / SMPL-X / FLAME files (lower case, as in configs).
GENDERS = ('neutral', 'male', 'female')

MODEL_SOURCES = dict(
    smplx='https://smpl-x.is.tue.mpg.de/ (SMPL-X v1.1; "MANO and FLAME '
    'vertex indices" on the same download page; SMPLX_to_J14.pkl from '
    'https://github.com/vchoutas/expose)',
    smpl='https://smpl.is.tue.mpg.de/',
    mano='https://mano.is.tue.mpg.de/',
    flame='https://flame.is.tue.mpg.de/',
)

EXPECTED_LAYOUT = """human_model_files/
  smpl/SMPL_NEUTRAL.pkl (and _MALE, _FEMALE)
  smplx/SMPLX_NEUTRAL.npz (or .pkl; and _MALE, _FEMALE)
  smplx/MANO_SMPLX_vertex_ids.pkl
  smplx/SMPL-X__FLAME_vertex_ids.npy
  smplx/SMPLX_to_J14.pkl
  mano/MANO_RIGHT.pkl, mano/MANO_LEFT.pkl
  flame/FLAME_NEUTRAL.pkl, flame/flame_static_embedding.pkl,
  flame/flame_dynamic_embedding.npy"""


class ModelFileError(ValueError):
    """A human-model file exists but cannot be used."""


def missing_model_file(
    path: str, model_type: str, what: Optional[str] = None
) -> FileNotFoundError:
    """Build the error raised for a missing human-model file."""
    what = what or f'{model_type.upper()} model file'
    return FileNotFoundError(
        f'{what} not found: {path}\n'
        f'h4w expects the official files in this layout (the root is the '
        f'`model_path` of the config):\n{EXPECTED_LAYOUT}\n'
        f'Obtain them from {MODEL_SOURCES[model_type]} (registration '
        'required), or write synthetic stand-ins for tests with '
        '`python tools/misc/make_synthetic_human_models.py`.'
    )


class _ChumpyArray:
    """Stand-in for ``chumpy.ch.Ch`` and its subclasses while unpickling."""

    def __init__(self, *args, **kwargs):
        self.state = None

    def __setstate__(self, state):
        self.state = state

    def to_numpy(self) -> np.ndarray:
        if not isinstance(self.state, dict) or 'x' not in self.state:
            raise pickle.UnpicklingError(
                'a chumpy object without a plain value (x) was found; only '
                'chumpy arrays are supported'
            )
        return np.asarray(self.state['x'])


class _SparseMatrix:
    """Stand-in for a scipy sparse matrix while unpickling."""

    compressed_axis = 1  # CSC: indptr runs over columns

    def __init__(self, *args, **kwargs):
        self.state = {}

    def __setstate__(self, state):
        self.state = state

    def to_numpy(self) -> np.ndarray:
        state = self.state
        shape = state.get('_shape', state.get('shape'))
        data, indices = np.asarray(state['data']), state['indices']
        counts = np.diff(state['indptr'])
        major = np.repeat(np.arange(len(counts)), counts)
        dense = np.zeros(shape, dtype=data.dtype)
        if self.compressed_axis == 1:
            dense[indices, major] = data
        else:
            dense[major, indices] = data
        return dense


class _CSRMatrix(_SparseMatrix):
    compressed_axis = 0  # CSR: indptr runs over rows


_SPARSE_CLASSES = dict(csc_matrix=_SparseMatrix, csr_matrix=_CSRMatrix)

_ALLOWED_GLOBALS = {
    ('builtins', 'object'),
    ('builtins', 'dict'),
    ('builtins', 'list'),
    ('builtins', 'tuple'),
    ('builtins', 'set'),
    ('builtins', 'frozenset'),
    ('builtins', 'str'),
    ('builtins', 'bytes'),
    ('builtins', 'bytearray'),
    ('builtins', 'slice'),
    ('builtins', 'complex'),
    ('copyreg', '_reconstructor'),
    ('collections', 'OrderedDict'),
    ('_codecs', 'encode'),
}
_PY2_MODULES = {'__builtin__': 'builtins', 'copy_reg': 'copyreg'}
_NUMPY_NAMES = {'_reconstruct', 'scalar', 'ndarray', 'dtype', '_frombuffer'}


class _ModelUnpickler(pickle.Unpickler):
    """Unpickler that admits numpy, chumpy arrays and sparse matrices."""

    def find_class(self, module: str, name: str) -> Any:
        module = _PY2_MODULES.get(module, module)
        root = module.split('.')[0]
        if root == 'chumpy':
            return _ChumpyArray
        if module.startswith('scipy.sparse') and name in _SPARSE_CLASSES:
            return _SPARSE_CLASSES[name]
        if root == 'numpy' and (
            name in _NUMPY_NAMES or name.endswith('DType')
        ):
            if module.startswith('numpy.core') and hasattr(np, '_core'):
                module = 'numpy._core' + module[len('numpy.core') :]
            return super().find_class(module, name)
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f'refusing to unpickle {module}.{name}: a human-model file '
            'holds only arrays'
        )


def _to_numpy(obj: Any) -> Any:
    if isinstance(obj, (_ChumpyArray, _SparseMatrix)):
        return obj.to_numpy()
    if isinstance(obj, dict):
        return {key: _to_numpy(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_numpy(value) for value in obj)
    return obj


def load_pickle(file: Any, encoding: str = 'latin1', **kwargs) -> Any:
    """Read a human-model pickle without chumpy or scipy.

    Args:
        file: A path or an open binary file.
        encoding (str): For Python 2 pickles. Defaults to ``'latin1'``.

    Returns:
        The unpickled object with chumpy arrays and sparse matrices turned
        into numpy arrays.
    """
    if isinstance(file, (str, bytes)) or hasattr(file, '__fspath__'):
        with open(file, 'rb') as f:
            return load_pickle(f, encoding=encoding)
    return _to_numpy(_ModelUnpickler(file, encoding=encoding).load())


def load_model_data(path: str) -> Dict[str, Any]:
    """Read a model file (``.pkl`` or ``.npz``) into a dict of arrays.

    Raises:
        FileNotFoundError: No file at ``path``.
        ModelFileError: The file is not a readable model file.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'Model file not found: {path}')
    try:
        if path.endswith('.npz'):
            with np.load(path, allow_pickle=True) as npz:
                return {key: npz[key] for key in npz.files}
        data = load_pickle(path)
    except (
        pickle.UnpicklingError,
        EOFError,
        ValueError,
        OSError,
        AttributeError,
        ImportError,
        IndexError,
        KeyError,
    ) as err:
        raise ModelFileError(
            f'{path} is not a readable human-model file: {err}'
        ) from err
    if not isinstance(data, dict):
        raise ModelFileError(
            f'{path} should hold a dict of arrays, got {type(data).__name__}'
        )
    return data


class _PickleShim:
    """What ``smplx.body_models`` sees as its ``pickle`` module."""

    load = staticmethod(load_pickle)


@contextlib.contextmanager
def chumpy_free_smplx() -> Iterator[None]:
    """Let the ``smplx`` package read official pkl files without chumpy."""
    import smplx.body_models as body_models

    original = body_models.pickle
    body_models.pickle = _PickleShim
    try:
        yield
    finally:
        body_models.pickle = original


__all__ = [
    'ModelFileError',
    'missing_model_file',
    'load_pickle',
    'load_model_data',
    'chumpy_free_smplx',
    'MODEL_SOURCES',
    'EXPECTED_LAYOUT',
]
