"""The chumpy-free reader of official model pickles."""

import contextlib
import io
import pickle
import sys
import types

import numpy as np
import pytest

from h4w.body_models.model_files import (
    ModelFileError,
    load_model_data,
    load_pickle,
)


@contextlib.contextmanager
def fake_modules(**classes):
    """Register classes under module paths like chumpy.ch while pickling."""
    added = []
    for dotted, cls in classes.items():
        module_name, _, class_name = dotted.replace('__', '.').rpartition('.')
        parts = module_name.split('.')
        for i in range(1, len(parts) + 1):
            name = '.'.join(parts[:i])
            if name not in sys.modules:
                sys.modules[name] = types.ModuleType(name)
                added.append(name)
        cls.__module__ = module_name
        cls.__qualname__ = cls.__name__ = class_name
        setattr(sys.modules[module_name], class_name, cls)
    try:
        yield
    finally:
        for name in added:
            del sys.modules[name]


class Ch:
    """Pickles like chumpy.ch.Ch: class + state dict with 'x'."""

    def __init__(self, x):
        self.x = x
        self._dirty_vars = set()

    def __getstate__(self):  # protocol 2: NEWOBJ Ch, BUILD {'x': ...}
        return dict(self.__dict__)


class OldCsc:
    """Pickles like a Python 2 era scipy.sparse.csc.csc_matrix."""

    def __init__(self, dense):
        rows, cols = dense.shape
        data, indices, indptr = [], [], [0]
        for c in range(cols):
            nz = np.nonzero(dense[:, c])[0]
            indices += list(nz)
            data += list(dense[nz, c])
            indptr.append(len(indices))
        self.state = dict(
            _shape=(rows, cols),
            maxprint=50,
            format='csc',
            data=np.array(data),
            indices=np.array(indices),
            indptr=np.array(indptr),
        )

    def __getstate__(self):
        return self.state


def official_style_pickle(shapedirs, regressor) -> bytes:
    with fake_modules(
        chumpy__ch__Ch=Ch, scipy__sparse__csc__csc_matrix=OldCsc
    ):
        return pickle.dumps(
            dict(
                shapedirs=Ch(shapedirs),
                J_regressor=OldCsc(regressor),
                v_template=np.ones((4, 3)),
                bs_style='lbs',
            ),
            protocol=2,
        )


def test_chumpy_and_sparse_become_numpy():
    rng = np.random.default_rng(0)
    shapedirs = rng.normal(size=(4, 3, 2))
    regressor = np.where(rng.random((2, 4)) > 0.5, rng.random((2, 4)), 0)
    blob = official_style_pickle(shapedirs, regressor)
    assert 'chumpy' not in sys.modules
    with pytest.raises(ModuleNotFoundError, match='chumpy'):
        pickle.loads(blob, encoding='latin1')
    data = load_pickle(io.BytesIO(blob))
    np.testing.assert_array_equal(data['shapedirs'], shapedirs)
    np.testing.assert_array_equal(data['J_regressor'], regressor)
    assert data['bs_style'] == 'lbs'


def test_modern_scipy_sparse_matrices():
    sparse = pytest.importorskip('scipy.sparse')
    dense = np.array([[0, 1.5, 0], [2.0, 0, 3.0]])
    for matrix in (sparse.csc_matrix(dense), sparse.csr_matrix(dense)):
        out = load_pickle(io.BytesIO(pickle.dumps(dict(J=matrix))))
        np.testing.assert_array_equal(out['J'], dense)


class Sneaky:
    def __reduce__(self):
        return (print, ('should not run',))


def test_other_classes_are_refused(tmp_path, capsys):
    path = tmp_path / 'SMPL_NEUTRAL.pkl'
    path.write_bytes(pickle.dumps(dict(v_template=Sneaky())))
    with pytest.raises(ModelFileError, match='SMPL_NEUTRAL.pkl.*refusing'):
        load_model_data(str(path))
    assert 'should not run' not in capsys.readouterr().out


def test_garbage_and_non_dict_files(tmp_path):
    garbage = tmp_path / 'garbage.pkl'
    garbage.write_bytes(b'not a pickle at all')
    with pytest.raises(ModelFileError, match='garbage.pkl'):
        load_model_data(str(garbage))
    listing = tmp_path / 'list.pkl'
    listing.write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(ModelFileError, match='dict of arrays'):
        load_model_data(str(listing))
    with pytest.raises(FileNotFoundError, match='missing.pkl'):
        load_model_data(str(tmp_path / 'missing.pkl'))


def test_npz_round_trip(tmp_path):
    path = str(tmp_path / 'm.npz')
    np.savez(path, v_template=np.zeros((3, 3)), f=np.ones((1, 3), np.uint32))
    data = load_model_data(path)
    assert data['f'].dtype == np.uint32 and data['v_template'].shape == (3, 3)
