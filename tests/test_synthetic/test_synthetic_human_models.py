"""Tests of the synthetic human_model_files tree (h4w.synthetic).

The expected layout below is written from the official file formats, not
from the generator.
"""

import hashlib
import os
import os.path as osp
import pickle
import sys

import numpy as np
import pytest
import smplx
import torch

from h4w.body_models import chumpy_free_smplx, load_model_data
from h4w.synthetic import make_synthetic_human_models

F8, U4, I8, OBJ = 'float64', 'uint32', 'int64', 'object'
SMPLX = {
    'v_template': ((10475, 3), F8),
    'f': ((20908, 3), U4),
    'shapedirs': ((10475, 3, 400), F8),
    'posedirs': ((10475, 3, 486), F8),
    'J_regressor': ((55, 10475), F8),
    'weights': ((10475, 55), F8),
    'kintree_table': ((2, 55), I8),
    'hands_componentsl': ((45, 45), F8),
    'hands_componentsr': ((45, 45), F8),
    'hands_meanl': ((45,), F8),
    'hands_meanr': ((45,), F8),
    'hands_coeffsl': ((1554, 45), F8),
    'hands_coeffsr': ((1554, 45), F8),
    'lmk_faces_idx': ((51,), U4),
    'lmk_bary_coords': ((51, 3), F8),
    'dynamic_lmk_faces_idx': ((79, 17), I8),
    'dynamic_lmk_bary_coords': ((79, 17, 3), F8),
    'vt': ((11313, 2), F8),
    'ft': ((20908, 3), U4),
    'joint2num': ((), OBJ),
    'part2num': ((), OBJ),
}
# kind: 'ch' chumpy.ch.Ch, 'csc' scipy.sparse.csc.csc_matrix, 'str'.
SMPL = {
    'v_template': ((6890, 3), F8),
    'f': ((13776, 3), U4),
    'shapedirs': ((6890, 3, 10), F8, 'ch'),
    'posedirs': ((6890, 3, 207), F8),
    'J_regressor': ((24, 6890), F8, 'csc'),
    'J_regressor_prior': ((24, 6890), F8, 'csc'),
    'weights': ((6890, 24), F8),
    'weights_prior': ((6890, 24), F8),
    'kintree_table': ((2, 24), I8),
    'J': ((24, 3), F8),
    'vert_sym_idxs': ((6890,), I8),
    'bs_style': 'lbs',
    'bs_type': 'lrotmin',
}
MANO = {
    'v_template': ((778, 3), F8),
    'f': ((1538, 3), U4),
    'shapedirs': ((778, 3, 10), F8, 'ch'),
    'posedirs': ((778, 3, 135), F8),
    'J_regressor': ((16, 778), F8, 'csc'),
    'weights': ((778, 16), F8),
    'kintree_table': ((2, 16), I8),
    'J': ((16, 3), F8),
    'hands_components': ((45, 45), F8),
    'hands_coeffs': ((1554, 45), F8),
    'hands_mean': ((45,), F8),
    'bs_style': 'lbs',
    'bs_type': 'lrotmin',
}
FLAME = {
    'v_template': ((5023, 3), F8),
    'f': ((9976, 3), U4),
    'shapedirs': ((5023, 3, 400), F8, 'ch'),
    'posedirs': ((5023, 3, 36), F8),
    'J_regressor': ((5, 5023), F8, 'csc'),
    'weights': ((5023, 5), F8),
    'kintree_table': ((2, 5), I8),
    'J': ((5, 3), F8),
    'bs_style': 'lbs',
    'bs_type': 'lrotmin',
}
SMPLX_PKL = dict(
    SMPLX,
    shapedirs=SMPLX['shapedirs'] + ('ch',),
    posedirs=SMPLX['posedirs'] + ('ch',),
    joint2num=dict,
    part2num=dict,
)
SMPLX_PARENTS = [
    -1,
    0,
    0,
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    9,
    9,
    12,
    13,
    14,
    16,
    17,
    18,
    19,
    15,
    15,
    15,
    20,
    25,
    26,
    20,
    28,
    29,
    20,
    31,
    32,
    20,
    34,
    35,
    20,
    37,
    38,
    21,
    40,
    41,
    21,
    43,
    44,
    21,
    46,
    47,
    21,
    49,
    50,
    21,
    52,
    53,
]
SMPL_PARENTS = SMPLX_PARENTS[:22] + [20, 21]
MANO_PARENTS = [-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 0, 10, 11, 0, 13, 14]
SMPLX_TIPS = {
    'left_hand': [5361, 4933, 5058, 5169, 5286],
    'right_hand': [8079, 7669, 7794, 7905, 8022],
}
SMPLX_FACE_IDS = [9120, 9929, 9448, 616, 6]
GENDERS = ('NEUTRAL', 'MALE', 'FEMALE')


class _Foreign:
    """Records an object of a class missing here (chumpy, scipy)."""

    path = ''

    def __setstate__(self, state):
        self.state = state


def _raw_pickle(path):
    """Loads a pickle keeping chumpy and scipy objects as _Foreign."""

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if module.startswith(('chumpy', 'scipy')):
                return type(name, (_Foreign,), {'path': f'{module}.{name}'})
            return super().find_class(module, name)

    with open(path, 'rb') as stream:
        return Unpickler(stream, encoding='latin1').load()


def _check_entry(name, value, spec):
    if isinstance(spec, str):
        assert value == spec, name
        return
    if spec is dict:
        assert isinstance(value, dict), name
        return
    shape, dtype, kind = (spec + ('array',))[:3]
    if kind == 'ch':
        assert value.path == 'chumpy.ch.Ch', name
        value = value.state['x']
    elif kind == 'csc':
        state = value.state
        assert value.path == 'scipy.sparse.csc.csc_matrix', name
        assert state['format'] == 'csc' and state['maxprint'] == 50
        assert state['_shape'] == shape, name
        assert len(state['indptr']) == shape[1] + 1, name
        value = state['data']
        shape = value.shape
    assert isinstance(value, np.ndarray), name
    assert value.shape == shape and value.dtype == dtype, name


def _check_file(value, spec):
    assert set(value) == set(spec)
    for name, entry in spec.items():
        _check_entry(name, value[name], entry)


def test_layout_keys_shapes_dtypes(human_model_root):
    root = human_model_root
    for gender in GENDERS:
        with np.load(
            osp.join(root, 'smplx', f'SMPLX_{gender}.npz'), allow_pickle=True
        ) as npz:
            _check_file({k: npz[k] for k in npz.files}, SMPLX)
        _check_file(
            _raw_pickle(osp.join(root, 'smplx', f'SMPLX_{gender}.pkl')),
            SMPLX_PKL,
        )
        _check_file(
            _raw_pickle(osp.join(root, 'smpl', f'SMPL_{gender}.pkl')), SMPL
        )
    for side in ('RIGHT', 'LEFT'):
        _check_file(
            _raw_pickle(osp.join(root, 'mano', f'MANO_{side}.pkl')), MANO
        )
    _check_file(
        _raw_pickle(osp.join(root, 'flame', 'FLAME_NEUTRAL.pkl')), FLAME
    )
    static = _raw_pickle(osp.join(root, 'flame', 'flame_static_embedding.pkl'))
    _check_file(
        static, {'lmk_face_idx': ((51,), I8), 'lmk_b_coords': ((51, 3), F8)}
    )
    dynamic = np.load(
        osp.join(root, 'flame', 'flame_dynamic_embedding.npy'),
        allow_pickle=True,
    )
    assert dynamic.shape == () and dynamic.dtype == object
    _check_file(
        dynamic.item(),
        {'lmk_face_idx': ((79, 17), I8), 'lmk_b_coords': ((79, 17, 3), F8)},
    )
    hands = _raw_pickle(osp.join(root, 'smplx', 'MANO_SMPLX_vertex_ids.pkl'))
    _check_file(hands, {'left_hand': ((778,), I8), 'right_hand': ((778,), I8)})
    _check_entry(
        'flame ids',
        np.load(osp.join(root, 'smplx', 'SMPL-X__FLAME_vertex_ids.npy')),
        ((5023,), I8),
    )
    regressors = {
        ('smplx', 'SMPLX_to_J14.pkl'): (14, 10475),
        ('smplx', 'J_regressor_h36m_smplx.npy'): (17, 10475),
        ('smpl', 'J_regressor_h36m_smpl.npy'): (17, 6890),
    }
    for parts, shape in regressors.items():
        path = osp.join(root, *parts)
        reg = _raw_pickle(path) if path.endswith('.pkl') else np.load(path)
        _check_entry(parts[1], reg, (shape, F8))
        assert np.all(reg >= 0) and np.allclose(reg.sum(axis=1), 1.0)


def _check_mesh(verts, faces, boundary_edges):
    faces = faces.astype(np.int64)
    assert faces.min() >= 0 and faces.max() < len(verts)
    assert len(np.unique(faces)) == len(verts), 'unreferenced vertices'
    tri = verts[faces]
    area = np.linalg.norm(
        np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1
    )
    assert area.min() > 1e-12, 'degenerate faces'
    assert len(np.unique(np.sort(faces, axis=1), axis=0)) == len(faces)
    directed = faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2)
    assert len(np.unique(directed, axis=0)) == len(directed), 'orientation'
    _, counts = np.unique(
        np.sort(directed, axis=1), axis=0, return_counts=True
    )
    assert counts.max() <= 2, 'non-manifold edge'
    assert np.sum(counts == 1) == boundary_edges
    volume = (
        np.einsum('ij,ij->i', tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum()
        / 6
    )
    assert volume > 0, 'normals point inwards'


def test_meshes(human_model_root):
    root = human_model_root
    smplx_data = load_model_data(osp.join(root, 'smplx', 'SMPLX_NEUTRAL.npz'))
    _check_mesh(smplx_data['v_template'], smplx_data['f'], 42)
    smpl = load_model_data(osp.join(root, 'smpl', 'SMPL_NEUTRAL.pkl'))
    _check_mesh(smpl['v_template'], smpl['f'], 0)
    for side in ('RIGHT', 'LEFT'):
        mano = load_model_data(osp.join(root, 'mano', f'MANO_{side}.pkl'))
        _check_mesh(mano['v_template'] - mano['J'][0], mano['f'], 16)
    flame = load_model_data(osp.join(root, 'flame', 'FLAME_NEUTRAL.pkl'))
    _check_mesh(flame['v_template'], flame['f'], 72)


def _rest_joints(model, **kwargs):
    with torch.no_grad():
        return model(**kwargs).joints[0].numpy()


@pytest.mark.parametrize('gender', ['neutral', 'male', 'female'])
def test_smplx_loads_and_skeleton(human_model_root, gender):
    model = smplx.create(
        human_model_root,
        model_type='smplx',
        gender=gender,
        use_pca=False,
        use_face_contour=True,
        ext='npz',
    )
    joints = _rest_joints(model)
    assert joints.shape == (144, 3)
    data = np.load(
        osp.join(human_model_root, 'smplx', f'SMPLX_{gender.upper()}.npz'),
        allow_pickle=True,
    )
    regressed = data['J_regressor'] @ data['v_template']
    np.testing.assert_allclose(joints[:22], regressed[:22], atol=1e-4)
    assert joints[15, 1] > joints[0, 1] > joints[7, 1]
    assert joints[20, 0] > 0.5 and joints[21, 0] < -0.5
    tips = joints[66:76]
    assert np.all(tips[:5, 0] > joints[20, 0])
    assert np.all(tips[5:, 0] < joints[21, 0])
    assert joints[55, 2] > joints[15, 2]
    assert np.all(data['kintree_table'][1] == np.arange(55))
    assert data['kintree_table'][0, 0] == 4294967295
    np.testing.assert_array_equal(
        data['kintree_table'][0, 1:], SMPLX_PARENTS[1:]
    )
    np.testing.assert_allclose(data['weights'].sum(axis=1), 1.0)


def test_smplx_pkl_matches_npz(human_model_root):
    npz = load_model_data(
        osp.join(human_model_root, 'smplx', 'SMPLX_FEMALE.npz')
    )
    pkl = load_model_data(
        osp.join(human_model_root, 'smplx', 'SMPLX_FEMALE.pkl')
    )
    for key in ('v_template', 'shapedirs', 'posedirs', 'f', 'lmk_faces_idx'):
        np.testing.assert_array_equal(npz[key], pkl[key])


def test_genders_differ_in_size(human_model_root):
    height = {}
    for gender in GENDERS:
        data = load_model_data(
            osp.join(human_model_root, 'smplx', f'SMPLX_{gender}.npz')
        )
        height[gender] = np.ptp(data['v_template'][:, 1])
    assert height['MALE'] > height['NEUTRAL'] > height['FEMALE']


def test_smpl_mano_flame_load_with_smplx(human_model_root):
    with chumpy_free_smplx():
        smpl = smplx.create(human_model_root, model_type='smpl')
        right = smplx.create(
            human_model_root, model_type='mano', is_rhand=True, use_pca=False
        )
        left = smplx.create(
            human_model_root, model_type='mano', is_rhand=False, use_pca=False
        )
        flame = smplx.create(
            human_model_root, model_type='flame', use_face_contour=True
        )
    joints = _rest_joints(smpl)
    assert joints[15, 1] > joints[0, 1] > joints[7, 1]
    assert joints[20, 0] > 0.5 and joints[21, 0] < -0.5
    data = load_model_data(
        osp.join(human_model_root, 'smpl', 'SMPL_NEUTRAL.pkl')
    )
    np.testing.assert_allclose(joints[:24], data['J'], atol=1e-4)
    np.testing.assert_array_equal(
        data['kintree_table'][0, 1:], SMPL_PARENTS[1:]
    )
    sym = data['vert_sym_idxs']
    np.testing.assert_allclose(
        data['v_template'][sym] * (-1, 1, 1), data['v_template'], atol=1e-9
    )
    for model, sign in ((right, -1), (left, 1)):
        with torch.no_grad():
            out = model()
        tips = out.vertices[0, [744, 320, 443, 554, 671]].numpy()
        wrist = out.joints[0, 0].numpy()
        assert np.all(sign * tips[:, 0] > sign * wrist[0] + 0.05)
    face = _rest_joints(flame)
    assert face.shape == (5 + 51 + 17, 3)
    assert face[5:, 2].min() > face[0, 2]


def test_chumpy_is_needed_by_plain_pickle(human_model_root):
    path = osp.join(human_model_root, 'smpl', 'SMPL_NEUTRAL.pkl')
    with (
        open(path, 'rb') as stream,
        pytest.raises(ModuleNotFoundError, match='chumpy'),
    ):
        pickle.load(stream, encoding='latin1')
    assert 'chumpy' not in sys.modules


def test_mano_files(human_model_root):
    root = human_model_root
    right = _raw_pickle(osp.join(root, 'mano', 'MANO_RIGHT.pkl'))
    left = _raw_pickle(osp.join(root, 'mano', 'MANO_LEFT.pkl'))
    np.testing.assert_array_equal(
        left['shapedirs'].state['x'][:, 0], right['shapedirs'].state['x'][:, 0]
    )
    np.testing.assert_allclose(
        left['v_template'], right['v_template'] * (-1, 1, 1)
    )
    np.testing.assert_array_equal(left['f'], right['f'][:, [0, 2, 1]])
    np.testing.assert_array_equal(
        right['kintree_table'][0, 1:], MANO_PARENTS[1:]
    )
    comps = right['hands_components']
    np.testing.assert_allclose(comps @ comps.T, np.eye(45), atol=1e-9)
    tips = right['v_template'][[744, 320, 443, 554, 671]]
    assert np.all(tips[:, 0] < right['J'][0, 0] - 0.05)
    ids = _raw_pickle(osp.join(root, 'smplx', 'MANO_SMPLX_vertex_ids.pkl'))
    smplx_data = load_model_data(osp.join(root, 'smplx', 'SMPLX_NEUTRAL.npz'))
    offset = smplx_data['v_template'][ids['right_hand']] - right['v_template']
    np.testing.assert_allclose(offset, offset[:1].repeat(778, 0), atol=1e-9)
    for side, tips in SMPLX_TIPS.items():
        assert set(tips) <= set(ids[side].tolist())
    assert not set(ids['left_hand'].tolist()) & set(ids['right_hand'].tolist())


def test_flame_and_landmarks(human_model_root):
    root = human_model_root
    ids = np.load(osp.join(root, 'smplx', 'SMPL-X__FLAME_vertex_ids.npy'))
    assert set(SMPLX_FACE_IDS) <= set(ids.tolist())
    data = load_model_data(osp.join(root, 'smplx', 'SMPLX_NEUTRAL.npz'))
    flame = load_model_data(osp.join(root, 'flame', 'FLAME_NEUTRAL.pkl'))
    offset = data['v_template'][ids] - flame['v_template']
    np.testing.assert_allclose(offset, offset[:1].repeat(5023, 0), atol=1e-9)
    verts, faces = data['v_template'], data['f'].astype(np.int64)
    lmk = np.einsum(
        'lk,lkd->ld',
        data['lmk_bary_coords'],
        verts[faces[data['lmk_faces_idx'].astype(np.int64)]],
    )
    head = verts[ids]
    assert np.all(lmk[:, 2] > head[:, 2].mean())
    assert np.all(np.isin(faces[data['lmk_faces_idx'].astype(np.int64)], ids))
    assert np.all(np.isin(faces[data['dynamic_lmk_faces_idx']], ids))
    np.testing.assert_allclose(data['lmk_bary_coords'].sum(axis=1), 1.0)
    frontal = np.einsum(
        'lk,lkd->ld',
        data['dynamic_lmk_bary_coords'][0],
        verts[faces[data['dynamic_lmk_faces_idx'][0]]],
    )
    assert frontal[8, 1] < lmk[:, 1].min()  # chin below the mouth
    assert frontal[0, 0] < 0 < frontal[16, 0]
    expression = np.abs(data['shapedirs'][:, :, 300:]).max(axis=(1, 2))
    moved = np.flatnonzero(expression > 0)
    assert len(moved) > 500 and np.all(np.isin(moved, ids))
    assert np.all(verts[moved, 2] > 0.0)


def test_posing_and_blend_shapes(human_model_root):
    model = smplx.create(
        human_model_root,
        model_type='smplx',
        gender='neutral',
        use_pca=False,
        ext='npz',
    )
    data = load_model_data(
        osp.join(human_model_root, 'smplx', 'SMPLX_NEUTRAL.npz')
    )
    verts = data['v_template']
    with torch.no_grad():
        rest = model().vertices[0].numpy()
        body_pose = torch.zeros(1, 63)
        body_pose[0, 17 * 3 + 1] = -np.pi / 2  # left elbow
        bent = model(body_pose=body_pose).vertices[0].numpy()
    move = np.linalg.norm(bent - rest, axis=1)
    hand = verts[:, 0] > 0.7
    legs = verts[:, 1] < -0.6
    assert move[hand].min() > 0.1
    assert move[legs].max() < 1e-6
    faces = data['f'].astype(np.int64)
    edges = np.unique(
        np.sort(faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1), axis=0
    )
    length = np.linalg.norm(verts[edges[:, 0]] - verts[edges[:, 1]], axis=1)
    for k in range(10):
        shift = data['shapedirs'][:, :, k]
        assert 1e-3 < np.linalg.norm(shift, axis=1).max() < 0.1
        jump = np.linalg.norm(shift[edges[:, 0]] - shift[edges[:, 1]], axis=1)
        assert np.max(jump / length) < 0.5


def test_jaw_and_expression_move_the_face(human_model_root):
    model = smplx.create(
        human_model_root,
        model_type='smplx',
        gender='neutral',
        use_pca=False,
        ext='npz',
    )
    with torch.no_grad():
        rest = model().vertices[0].numpy()
        jaw = model(jaw_pose=torch.tensor([[0.3, 0.0, 0.0]]))
        smile = model(expression=torch.eye(10)[:1])
    for out in (jaw, smile):
        move = np.linalg.norm(out.vertices[0].numpy() - rest, axis=1)
        assert move.max() > 2e-3
        assert np.all(rest[move > 1e-6, 1] > 0.12)


def test_regeneration_is_skipped_and_deterministic(human_model_root, tmp_path):
    if not osp.isfile(osp.join(human_model_root, 'synthetic.json')):
        pytest.skip('not a synthetic tree')
    files = sorted(
        osp.join(dirpath, name)
        for dirpath, _, names in os.walk(human_model_root)
        for name in names
    )
    stamps = [os.stat(path).st_mtime_ns for path in files]
    written = []
    make_synthetic_human_models(
        human_model_root, progress=lambda path, _: written.append(path)
    )
    # skipped: nothing written, no file touched
    assert written == []
    assert [os.stat(path).st_mtime_ns for path in files] == stamps
    other = make_synthetic_human_models(tmp_path, models=('mano',))

    def digest(root):
        with open(osp.join(root, 'mano', 'MANO_RIGHT.pkl'), 'rb') as f:
            return hashlib.sha256(f.read()).hexdigest()

    assert digest(other) == digest(human_model_root)
    assert not osp.exists(osp.join(other, 'smplx'))
