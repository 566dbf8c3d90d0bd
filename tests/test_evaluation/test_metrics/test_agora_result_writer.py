import io
import os
import pickle
import re
import zipfile

import numpy as np
import pytest
from mmengine.evaluator import Evaluator
from mmengine.registry import init_default_scope

import h4w.evaluation  # noqa: F401 (registers the metrics)
from h4w.evaluation.metrics import (
    dumps_numpy1_compatible,
    zip_agora_predictions,
)
from h4w.registry import METRICS

from tests.test_evaluation.eval_reference import make_sample

PARAM_SHAPES = {
    'transl': (1, 3),
    'global_orient': (1, 3),
    'body_pose': (1, 63),
    'left_hand_pose': (1, 45),
    'right_hand_pose': (1, 45),
    'reye_pose': (1, 3),
    'leye_pose': (1, 3),
    'jaw_pose': (1, 3),
    'expression': (1, 10),
    'betas': (1, 10),
}
PRED_KEYS = {
    'transl': 'cam_trans',
    'global_orient': 'smplx_root_pose',
    'body_pose': 'smplx_body_pose',
    'left_hand_pose': 'smplx_lhand_pose',
    'right_hand_pose': 'smplx_rhand_pose',
    'jaw_pose': 'smplx_jaw_pose',
    'expression': 'smplx_expr',
    'betas': 'smplx_shape',
}


def check_agora_smplx_prediction(pred):
    """The rules of AGORA's ``check_pred_format.py`` (``check_smplx``,
    pixelite1201/agora_evaluation@7998611, ``--modeltype SMPLX``) for a
    prediction with ``params``, restated: every SMPL-X parameter present
    as an ndarray; axis-angle shapes (``pose2rot`` defaults to True,
    ``num_betas`` to 10); optional ``gender`` / ``kid_flag`` /
    ``num_betas`` valid; ``joints`` an ndarray, 2-D (NOT squeezed, unlike
    the SMPL check), >= 24 rows, >= 2 columns."""
    assert 'params' in pred
    assert pred.get('gender', 'neutral') in ('male', 'female', 'neutral')
    assert pred.get('kid_flag', False) in (True, False)
    num_betas = pred.get('num_betas', 10)
    assert num_betas in range(10, 300)
    assert pred.get('pose2rot', True)  # h4w writes axis-angle vectors
    shapes = dict(PARAM_SHAPES, betas=(1, num_betas))
    for key, shape in shapes.items():
        assert isinstance(pred['params'][key], np.ndarray), key
        assert pred['params'][key].shape == shape, key
    joints = pred['joints']
    assert isinstance(joints, np.ndarray)
    assert joints.ndim == 2, f'joints {joints.shape}: not 2-D'
    assert joints.shape[0] >= 24 and joints.shape[1] >= 2, joints.shape


def agora_image_of(file_name):
    """The image a prediction file belongs to, as AGORA's evaluation
    derives it (``load_predictions.py``): the name without its last two
    ``_`` fields, ``.png`` appended; the ``_personId_<k>.pkl`` suffix is
    what its match check strips."""
    assert re.fullmatch(r'.+_personId_\d+\.pkl', file_name), file_name
    return '_'.join(file_name.split('_')[:-2]) + '.png'


def test_checker_rules_reject_the_reference_joints():
    """The restated rules are not vacuous: the reference's (1, J, 2)
    joints fail, (J, 2) with the same data passes."""
    rng = np.random.default_rng(4)
    pred = dict(
        params={k: np.zeros(v, np.float32) for k, v in PARAM_SHAPES.items()},
        joints=rng.normal(size=(1, 144, 2)).astype(np.float32),
    )
    with pytest.raises(AssertionError, match='not 2-D'):
        check_agora_smplx_prediction(pred)
    pred['joints'] = pred['joints'][0]
    check_agora_smplx_prediction(pred)
    assert agora_image_of('ag_val_img_1_personId_12.pkl') == 'ag_val_img_1.png'


class NumPy1Unpickler(pickle.Unpickler):
    """Loads like NumPy 1.x would: ``numpy._core`` does not exist there,
    so any reference to it fails; ``numpy.core`` names are served from
    NumPy 2's ``numpy._core`` here. Only the globals an array pickle needs
    are allowed."""

    allowed = {
        ('numpy.core.multiarray', '_reconstruct'),
        ('numpy', 'ndarray'),
        ('numpy', 'dtype'),
    }

    def find_class(self, module, name):
        if module == 'numpy._core' or module.startswith('numpy._core.'):
            raise pickle.UnpicklingError(
                f'{module}.{name}: no numpy._core in NumPy < 2'
            )
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f'unexpected global {module}.{name}')
        if module.startswith('numpy.core'):
            module = 'numpy._core' + module[len('numpy.core') :]
        return super().find_class(module, name)


def load_numpy1(path):
    with open(path, 'rb') as f:
        return NumPy1Unpickler(f).load()


def prediction(rng, num_joints=144):
    pred = {
        key: rng.normal(size=PARAM_SHAPES[name][1])
        for name, key in PRED_KEYS.items()
    }
    pred['smplx_joint_proj_orig'] = rng.uniform(0, 500, size=(num_joints, 2))
    return {k: v.astype(np.float32) for k, v in pred.items()}


def test_plain_pickle_is_not_numpy1_readable():
    """Precondition of the check below: the test unpickler does reject a
    default NumPy 2 pickle."""
    data = pickle.dumps({'a': np.zeros(3, np.float32)}, protocol=3)
    if b'numpy._core' not in data:
        pytest.skip('NumPy < 2 writes numpy.core pickles anyway')
    with pytest.raises(pickle.UnpicklingError, match='numpy._core'):
        NumPy1Unpickler(io.BytesIO(data)).load()


def test_dumps_numpy1_compatible_keeps_data():
    value = {
        'a': np.arange(12, dtype=np.float32).reshape(3, 4),
        # Data that looks like a GLOBAL opcode must not be rewritten.
        'text': 'cnumpy._core.multiarray\n_reconstruct\n',
        'raw': b'numpy._core',
    }
    data = dumps_numpy1_compatible(value)
    assert b'cnumpy.core.multiarray\n_reconstruct\n' in data
    loaded = NumPy1Unpickler(io.BytesIO(data)).load()
    assert loaded['text'] == value['text'] and loaded['raw'] == value['raw']
    np.testing.assert_array_equal(loaded['a'], value['a'])
    assert loaded['a'].dtype == np.float32
    # Any NumPy still loads it with the plain unpickler.
    np.testing.assert_array_equal(pickle.loads(data)['a'], value['a'])


def test_writer(tmp_path):
    init_default_scope('h4w')
    out_dir = tmp_path / 'result' / 'AGORA'  # created by the writer
    zip_file = tmp_path / 'submission' / 'pred.zip'
    writer = METRICS.build(
        dict(
            type='AGORAResultWriter',
            out_dir=str(out_dir),
            zip_file=str(zip_file),
        )
    )
    rng = np.random.default_rng(0)
    preds = [prediction(rng) for _ in range(3)]
    # loaded-image px -> 3840x2160 px
    trans = np.array([[3.0, 0.1, 12.0], [-0.2, 2.5, -7.0]], np.float32)
    samples = [
        make_sample(
            pred=preds[0],
            img_name='ag_val_img_00001',
            person_id=0,
            img_to_full_trans=trans,
        ),
        make_sample(
            pred=preds[1],
            img_name='ag_val_img_00001',
            person_id=3,
            img_to_full_trans=trans,
        ),
        make_sample(
            pred=preds[2], img_name='ag_val_img_00002', person_id=np.int64(1)
        ),
    ]
    writer.process({}, samples[:2])
    writer.process({}, samples[2:])
    assert writer.evaluate(3) == {}

    names = [
        'ag_val_img_00001_personId_0.pkl',
        'ag_val_img_00001_personId_3.pkl',
        'ag_val_img_00002_personId_1.pkl',
    ]
    assert sorted(os.listdir(out_dir)) == names
    for name, pred, mapped in zip(names, preds, (True, True, False)):
        content = load_numpy1(out_dir / name)
        assert list(content) == ['params', 'joints']
        params = content['params']
        assert list(params) == list(PARAM_SHAPES)
        for key, shape in PARAM_SHAPES.items():
            assert params[key].shape == shape, key
            assert params[key].dtype == np.float32, key
            if key in PRED_KEYS:
                np.testing.assert_array_equal(
                    params[key][0], pred[PRED_KEYS[key]]
                )
            else:
                assert not params[key].any()
        joints = content['joints']
        assert joints.shape == (144, 2) and joints.dtype == np.float32
        expected = pred['smplx_joint_proj_orig'].astype(np.float64)
        if mapped:
            homogeneous = np.concatenate([expected, np.ones((144, 1))], axis=1)
            expected = homogeneous @ trans.astype(np.float64).T
        np.testing.assert_allclose(joints, expected, rtol=1e-6)
        check_agora_smplx_prediction(content)

    # The submission zip, read as the official checker does: extracted,
    # then every file of <root>/predictions/ loaded (latin1) and checked.
    extract = tmp_path / 'extract'
    with zipfile.ZipFile(zip_file) as zf:
        assert sorted(zf.namelist()) == [f'predictions/{n}' for n in names]
        zf.extractall(extract)
    files = sorted((extract / 'predictions').iterdir())
    assert [f.name for f in files] == names
    for path in files:
        with open(path, 'rb') as f:
            check_agora_smplx_prediction(pickle.load(f, encoding='latin1'))
    assert {agora_image_of(f.name) for f in files} == {
        'ag_val_img_00001.png',
        'ag_val_img_00002.png',
    }


def test_zip_agora_predictions(tmp_path):
    """Only the prediction pickles go into the zip (a stray file in
    predictions/ would fail the checker); an empty folder is an error."""
    pred_dir = tmp_path / 'AGORA'
    pred_dir.mkdir()
    with pytest.raises(FileNotFoundError, match='personId'):
        zip_agora_predictions(str(pred_dir), str(tmp_path / 'a.zip'))
    for name in ('b_personId_0.pkl', 'a_personId_1.pkl', 'notes.txt'):
        (pred_dir / name).write_bytes(b'x')
    out = zip_agora_predictions(str(pred_dir), str(tmp_path / 'a.zip'))
    with zipfile.ZipFile(out) as zf:
        assert zf.namelist() == [
            'predictions/a_personId_1.pkl',
            'predictions/b_personId_0.pkl',
        ]


def test_writer_names_do_not_depend_on_existing_files(tmp_path):
    out_dir = tmp_path / 'AGORA'
    out_dir.mkdir()
    (out_dir / 'ag_img_personId_0.pkl').write_bytes(b'stale')
    writer = METRICS.build(
        dict(type='AGORAResultWriter', out_dir=str(out_dir))
    )
    rng = np.random.default_rng(1)
    sample = make_sample(pred=prediction(rng), img_name='ag_img', person_id=0)
    for _ in range(2):  # twice: same file, overwritten
        writer.process({}, [sample])
        writer.evaluate(1)
    assert os.listdir(out_dir) == ['ag_img_personId_0.pkl']
    joints = load_numpy1(out_dir / 'ag_img_personId_0.pkl')['joints']
    assert joints.shape == (144, 2)


def test_writer_errors(tmp_path):
    with pytest.raises(ValueError, match='out_dir'):
        METRICS.build(dict(type='AGORAResultWriter', out_dir=None))
    writer = METRICS.build(
        dict(type='AGORAResultWriter', out_dir=str(tmp_path))
    )
    pred = prediction(np.random.default_rng(2))
    with pytest.raises(KeyError, match='person_id'):
        writer.process({}, [make_sample(pred=pred, img_name='x')])
    del pred['smplx_jaw_pose']
    with pytest.raises(KeyError, match='smplx_jaw_pose'):
        writer.process({}, [make_sample(pred=pred, img_name='x', person_id=0)])


def test_next_to_a_metric_in_an_evaluator(tmp_path, human_model_root):
    """AGORA val: the writer only writes; the metrics come from
    WholeBodyMeshMetric next to it in the evaluator."""
    init_default_scope('h4w')
    evaluator = Evaluator(
        [
            dict(
                type='WholeBodyMeshMetric',
                prefix='AGORA',
                body_model=dict(
                    type='SMPLXModel', model_path=human_model_root
                ),
                parts=('all',),
                alignments=('procrustes',),
            ),
            dict(type='AGORAResultWriter', out_dir=str(tmp_path / 'AGORA')),
        ]
    )
    rng = np.random.default_rng(3)
    mesh = rng.normal(size=(10475, 3)).astype(np.float32)
    pred = prediction(rng)
    pred['smplx_mesh_cam'] = mesh
    sample = make_sample(
        gt=dict(smplx_mesh_cam=mesh), pred=pred, img_name='img', person_id=2
    )
    evaluator.process([sample])
    metrics = evaluator.evaluate(1)
    assert list(metrics) == ['AGORA/PA-MPVPE_all']
    assert metrics['AGORA/PA-MPVPE_all'] < 1e-6
    assert os.listdir(tmp_path / 'AGORA') == ['img_personId_2.pkl']
