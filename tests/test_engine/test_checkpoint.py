import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import _load_checkpoint

from h4w.engine.checkpoint import (
    InertObject,
    UntrustedCheckpointError,
    load_checkpoint_file,
    trusted_checkpoints,
)

from tests.conftest import load_tool

CALLED = []


def _side_effect(*args):
    CALLED.append(args)
    return args


class Payload:
    """Stands for a malicious object: unpickling it calls a function."""

    def __reduce__(self):
        return (_side_effect, ('payload ran',))


@pytest.fixture
def weights_file(tmp_path):
    path = str(tmp_path / 'weights.pth')
    torch.save(
        dict(state_dict=dict(w=torch.ones(2, 3)), meta=dict(epoch=1)), path
    )
    return path


@pytest.fixture
def mmengine_style_file(tmp_path):
    """What an h4w run writes: numpy values and mmengine log history."""
    path = str(tmp_path / 'epoch_1.pth')
    buffer = HistoryBuffer()
    buffer.update(0.5)
    torch.save(
        dict(
            state_dict=dict(w=torch.ones(2)),
            meta=dict(seed=np.int64(3), hist=np.arange(3.0)),
            message_hub=dict(log_scalars=dict(loss=buffer)),
        ),
        path,
    )
    return path


@pytest.fixture
def evil_file(tmp_path):
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict=dict(w=torch.ones(1)), extra=Payload()), path)
    CALLED.clear()
    return path


def test_weights_load(weights_file):
    ckpt = load_checkpoint_file(weights_file)
    torch.testing.assert_close(ckpt['state_dict']['w'], torch.ones(2, 3))


def test_run_checkpoint_loads_weights_only(mmengine_style_file):
    ckpt = load_checkpoint_file(mmengine_style_file)
    torch.testing.assert_close(ckpt['state_dict']['w'], torch.ones(2))
    np.testing.assert_array_equal(ckpt['meta']['hist'], np.arange(3.0))
    # log history comes back inert: no mmengine object, no bound methods
    assert isinstance(ckpt['message_hub']['log_scalars']['loss'], InertObject)


def test_trusted_context_loads_in_full(mmengine_style_file):
    with trusted_checkpoints():
        ckpt = load_checkpoint_file(mmengine_style_file)
    assert ckpt['message_hub']['log_scalars']['loss'].current() == 0.5
    # and the trust ends with the context
    ckpt = load_checkpoint_file(mmengine_style_file)
    assert isinstance(ckpt['message_hub']['log_scalars']['loss'], InertObject)


def test_external_pickled_object_is_refused(evil_file):
    with pytest.raises(UntrustedCheckpointError) as info:
        load_checkpoint_file(evil_file)
    message = str(info.value)
    assert evil_file in message
    assert '_side_effect' in message  # names the offending object
    assert 'weights_only' in message
    assert CALLED == []


def test_mmengine_loading_goes_through_the_policy(evil_file, weights_file):
    """load_from / init_cfg Pretrained use mmengine's _load_checkpoint."""
    with pytest.raises(UntrustedCheckpointError):
        _load_checkpoint(evil_file, map_location='cpu')
    assert CALLED == []
    assert 'state_dict' in _load_checkpoint(weights_file, map_location='cpu')


def test_missing_file_names_the_path(tmp_path):
    path = str(tmp_path / 'nope.pth')
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        load_checkpoint_file(path)


def test_legacy_pickle_file_is_refused(tmp_path):
    """A plain (non-zip) pickle with objects is refused as well."""
    path = str(tmp_path / 'legacy.pth')
    with open(path, 'wb') as f:
        pickle.dump(dict(state_dict={}, extra=Payload()), f)
    CALLED.clear()
    with pytest.raises(UntrustedCheckpointError, match=osp.basename(path)):
        load_checkpoint_file(path)
    assert CALLED == []


def test_publish_model_makes_a_loadable_file(
    mmengine_style_file, evil_file, tmp_path
):
    module = load_tool('misc/publish_model.py')
    out = module.publish(mmengine_style_file, str(tmp_path / 'pub.pth'))
    assert osp.basename(out).startswith('pub-') and out.endswith('.pth')
    ckpt = load_checkpoint_file(out)
    assert set(ckpt) == {'state_dict', 'meta'}
    torch.testing.assert_close(ckpt['state_dict']['w'], torch.ones(2))


def test_numpy1_checkpoint_loads_under_weights_only(tmp_path):
    """Files written with numpy 1 name ``numpy.core.multiarray``."""
    import zipfile

    src, dst = str(tmp_path / 'np2.pth'), str(tmp_path / 'np1.pth')
    torch.save(dict(meta=dict(hist=np.arange(3.0), seed=np.int64(3))), src)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w') as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.endswith('data.pkl'):
                data = data.replace(
                    b'numpy._core.multiarray', b'numpy.core.multiarray'
                )
            zout.writestr(item, data)
    meta = load_checkpoint_file(dst)['meta']
    np.testing.assert_array_equal(meta['hist'], np.arange(3.0))
    assert meta['seed'] == 3
