"""h4w body-model layers on the synthetic official-format files."""

import os
import os.path as osp

import numpy as np
import pytest
import smplx
import torch
from smplx.utils import Struct

from h4w.body_models import (
    ModelFileError,
    chumpy_free_smplx,
    load_model_data,
)
from h4w.body_models.joint_sets import SMPLX_JOINT_OUTPUT_IDX
from h4w.models.body_models import (
    FLAMEModel,
    MANOModel,
    SMPLModel,
    SMPLXModel,
)
from h4w.registry import MODELS


def smplx_params(batch=3, seed=0):
    gen = torch.Generator().manual_seed(seed)

    def rand(*shape, scale=0.3):
        return torch.randn(*shape, generator=gen) * scale

    return dict(
        betas=rand(batch, 10, scale=1.0),
        global_orient=rand(batch, 3),
        body_pose=rand(batch, 63),
        left_hand_pose=rand(batch, 45),
        right_hand_pose=rand(batch, 45),
        jaw_pose=rand(batch, 3),
        expression=rand(batch, 10, scale=1.0),
        transl=rand(batch, 3),
    )


@pytest.fixture(scope='module')
def smplx_model(human_model_root):
    return SMPLXModel(human_model_root)


def test_smplx_outputs(smplx_model):
    out = smplx_model(**smplx_params())
    assert out['vertices'].shape == (3, 10475, 3)
    assert out['output_joints'].shape == (3, 144, 3)
    assert out['joints'].shape == (3, 137, 3)
    torch.testing.assert_close(
        out['joints'], out['output_joints'][:, list(SMPLX_JOINT_OUTPUT_IDX)]
    )
    assert smplx_model.faces.shape == (20908, 3)
    assert smplx_model.j14_regressor.shape == (14, 10475)
    assert smplx_model.lhand_vertex_ids.shape == (778,)
    assert smplx_model.face_vertex_ids.shape == (5023,)


def test_smplx_equals_the_smplx_package(smplx_model, human_model_root):
    """Same file, same settings as upstream (§2.14) -> same output."""
    reference = smplx.create(
        human_model_root,
        'smplx',
        gender='neutral',
        ext='npz',
        use_pca=False,
        flat_hand_mean=False,
        use_face_contour=True,
        num_betas=10,
        num_expression_coeffs=10,
    )
    params = smplx_params()
    expected = reference(
        **params, leye_pose=torch.zeros(3, 3), reye_pose=torch.zeros(3, 3)
    )
    out = smplx_model(**params)
    torch.testing.assert_close(out['vertices'], expected.vertices)
    torch.testing.assert_close(out['output_joints'], expected.joints)


def test_smplx_npz_and_pkl_give_identical_layers(
    smplx_model, human_model_root
):
    from_pkl = SMPLXModel(human_model_root, ext='pkl')
    params = smplx_params(seed=1)
    a, b = smplx_model(**params), from_pkl(**params)
    for key in a:
        torch.testing.assert_close(a[key], b[key])
    torch.testing.assert_close(smplx_model.faces, from_pkl.faces)


def test_missing_parameters_are_zeros(smplx_model):
    params = smplx_params(batch=2)
    zeros = {k: torch.zeros_like(v) for k, v in params.items()}
    zeros['body_pose'] = params['body_pose']
    implicit = smplx_model(body_pose=params['body_pose'])
    explicit = smplx_model(**zeros)
    torch.testing.assert_close(implicit['vertices'], explicit['vertices'])
    with pytest.raises(TypeError, match='unknown parameters.*hand_pose'):
        smplx_model(hand_pose=torch.zeros(1, 45))


def test_body_models_hold_no_weights(smplx_model, human_model_root):
    """Model-file arrays stay out of parameters and checkpoints (MANO
    once had a stray ``body_pose`` parameter from the SMPL base class)."""
    for model in (
        smplx_model,
        SMPLModel(human_model_root),
        MANOModel(human_model_root),
        MANOModel(human_model_root, side='left'),
        FLAMEModel(human_model_root),
    ):
        assert list(model.parameters()) == [], type(model).__name__
        assert model.state_dict() == {}, type(model).__name__


def test_hand_regressors(smplx_model):
    """Rows follow §3.3 (d): kinematic-regressor rows and tip vertices,
    applied to the (posed) mesh."""
    verts = smplx_model(**smplx_params(batch=2))['vertices']
    kinematic = smplx_model.layer.J_regressor @ verts
    lhand = smplx_model.lhand_regressor @ verts
    rhand = smplx_model.rhand_regressor @ verts
    assert lhand.shape == rhand.shape == (2, 21, 3)
    torch.testing.assert_close(lhand[:, :4], kinematic[:, [20, 37, 38, 39]])
    torch.testing.assert_close(lhand[:, 4], verts[:, 5361])
    torch.testing.assert_close(rhand[:, 0], kinematic[:, 21])
    torch.testing.assert_close(rhand[:, 20], verts[:, 8022])


def test_build_from_config(human_model_root):
    model = MODELS.build(
        dict(type='SMPLModel', model_path=human_model_root, gender='male')
    )
    assert isinstance(model, SMPLModel)
    assert model.layer.gender == 'male'  # the config's gender is used


def _with_data_struct(cls, path, **kwargs):
    """The smplx class built on the arrays h4w reads from ``path`` (smplx's
    FLAME ignores data_struct and re-reads the pkl, hence the context)."""
    with chumpy_free_smplx():
        return cls(
            model_path=osp.dirname(path),
            data_struct=Struct(**load_model_data(path)),
            **kwargs,
        )


@pytest.mark.parametrize('gender', ['neutral', 'male', 'female'])
def test_smpl(human_model_root, gender):
    model = SMPLModel(human_model_root, gender=gender)
    path = osp.join(human_model_root, 'smpl', f'SMPL_{gender.upper()}.pkl')
    reference = _with_data_struct(smplx.SMPL, path, gender=gender)
    gen = torch.Generator().manual_seed(0)
    params = dict(
        betas=torch.randn(2, 10, generator=gen),
        body_pose=torch.randn(2, 69, generator=gen) * 0.2,
        global_orient=torch.randn(2, 3, generator=gen) * 0.2,
    )
    out = model(**params)
    expected = reference(**params)
    torch.testing.assert_close(out['vertices'], expected.vertices)
    assert out['joints'].shape == (2, 33, 3)
    torch.testing.assert_close(
        out['joints'][:, 22], out['vertices'][:, 331]
    )  # nose vertex


def test_mano_right_and_left_fix(human_model_root):
    right = MANOModel(human_model_root, side='right')
    left = MANOModel(human_model_root, side='left')
    left_file = load_model_data(
        osp.join(human_model_root, 'mano', 'MANO_LEFT.pkl')
    )
    right_file = load_model_data(
        osp.join(human_model_root, 'mano', 'MANO_RIGHT.pkl')
    )
    file_dirs = torch.as_tensor(
        left_file['shapedirs'][:, :, :10], dtype=torch.float32
    )
    if (
        np.abs(
            left_file['shapedirs'][:, 0] - right_file['shapedirs'][:, 0]
        ).sum()
        < 1
    ):  # the MANO bug
        torch.testing.assert_close(
            left.layer.shapedirs[:, 0], -file_dirs[:, 0]
        )
    else:
        torch.testing.assert_close(left.layer.shapedirs[:, 0], file_dirs[:, 0])
    torch.testing.assert_close(left.layer.shapedirs[:, 1:], file_dirs[:, 1:])
    out = right(hand_pose=torch.zeros(2, 45))
    assert out['vertices'].shape == (2, 778, 3)
    assert out['joints'].shape == (2, 21, 3)
    # rows are applied to the posed mesh: wrist = J_regressor row 0
    torch.testing.assert_close(
        out['joints'][:, 0], right.layer.J_regressor[0] @ out['vertices']
    )
    torch.testing.assert_close(out['joints'][:, 4], out['vertices'][:, 745])


def test_mano_equals_the_smplx_package(human_model_root):
    model = MANOModel(human_model_root, side='right')
    path = osp.join(human_model_root, 'mano', 'MANO_RIGHT.pkl')
    reference = _with_data_struct(
        smplx.MANO, path, use_pca=False, flat_hand_mean=False, is_rhand=True
    )
    gen = torch.Generator().manual_seed(0)
    params = dict(
        betas=torch.randn(2, 10, generator=gen),
        hand_pose=torch.randn(2, 45, generator=gen) * 0.2,
        global_orient=torch.randn(2, 3, generator=gen) * 0.2,
    )
    torch.testing.assert_close(
        model(**params)['vertices'], reference(**params).vertices
    )


def test_flame(human_model_root):
    model = FLAMEModel(human_model_root)
    path = osp.join(human_model_root, 'flame', 'FLAME_NEUTRAL.pkl')
    reference = _with_data_struct(smplx.FLAME, path, use_face_contour=True)
    gen = torch.Generator().manual_seed(0)
    params = dict(
        betas=torch.randn(2, 10, generator=gen),
        expression=torch.randn(2, 10, generator=gen),
        jaw_pose=torch.randn(2, 3, generator=gen) * 0.2,
        global_orient=torch.randn(2, 3, generator=gen) * 0.2,
    )
    for name in ('neck_pose', 'leye_pose', 'reye_pose'):
        params[name] = torch.zeros(2, 3)
    out = model(**params)
    expected = reference(**params)
    assert out['joints'].shape == (2, 73, 3)
    torch.testing.assert_close(out['vertices'], expected.vertices)
    torch.testing.assert_close(out['joints'], expected.joints)


# ---------------------------------------------------------------- errors
def partial_tree(root, tmp_path, drop=(), replace=None):
    """A copy of the tree made of symlinks, without ``drop`` and with
    ``replace`` {relative path: bytes or writer(path)}."""
    replace = replace or {}
    for sub in ('smpl', 'smplx', 'mano', 'flame'):
        os.makedirs(tmp_path / sub, exist_ok=True)
        for name in os.listdir(osp.join(root, sub)):
            rel = f'{sub}/{name}'
            if rel in drop or rel in replace:
                continue
            os.symlink(osp.join(root, sub, name), tmp_path / sub / name)
    for rel, content in replace.items():
        if callable(content):
            content(str(tmp_path / rel))
        else:
            (tmp_path / rel).write_bytes(content)
    return str(tmp_path)


@pytest.mark.parametrize(
    'cls,kwargs,rel',
    [
        (SMPLXModel, {}, 'smplx/SMPLX_NEUTRAL.npz'),
        (
            SMPLXModel,
            dict(gender='female', ext='pkl'),
            'smplx/SMPLX_FEMALE.pkl',
        ),
        (SMPLModel, {}, 'smpl/SMPL_NEUTRAL.pkl'),
        (MANOModel, {}, 'mano/MANO_RIGHT.pkl'),
        (MANOModel, dict(side='left'), 'mano/MANO_LEFT.pkl'),
        (FLAMEModel, {}, 'flame/FLAME_NEUTRAL.pkl'),
    ],
)
def test_missing_model_file(human_model_root, tmp_path, cls, kwargs, rel):
    root = partial_tree(human_model_root, tmp_path, drop=(rel,))
    with pytest.raises(FileNotFoundError) as info:
        cls(root, **kwargs)
    message = str(info.value)
    assert osp.join(root, rel) in message
    assert 'human_model_files/' in message  # the expected layout
    assert 'https://' in message  # where to obtain it
    assert 'make_synthetic_human_models' in message


@pytest.mark.parametrize(
    'cls,kwargs,rel',
    [
        (SMPLXModel, {}, 'smplx/SMPLX_to_J14.pkl'),
        (SMPLXModel, {}, 'smplx/MANO_SMPLX_vertex_ids.pkl'),
        (SMPLXModel, {}, 'smplx/SMPL-X__FLAME_vertex_ids.npy'),
        (MANOModel, dict(side='left'), 'mano/MANO_RIGHT.pkl'),
        (FLAMEModel, {}, 'flame/flame_static_embedding.pkl'),
        (FLAMEModel, {}, 'flame/flame_dynamic_embedding.npy'),
    ],
)
def test_missing_auxiliary_file(human_model_root, tmp_path, cls, kwargs, rel):
    root = partial_tree(human_model_root, tmp_path, drop=(rel,))
    with pytest.raises(FileNotFoundError, match=osp.basename(rel)):
        cls(root, **kwargs)


def test_auxiliary_files_are_optional(human_model_root, tmp_path):
    root = partial_tree(
        human_model_root, tmp_path, drop=('smplx/SMPLX_to_J14.pkl',)
    )
    model = SMPLXModel(root, j14_regressor_file=None)
    assert not hasattr(model, 'j14_regressor')


def test_model_path_is_required():
    with pytest.raises(ValueError, match='model_path'):
        SMPLXModel()
    with pytest.raises(ValueError, match='gender'):
        SMPLXModel('/nowhere', gender='other')
    with pytest.raises(ValueError, match='side'):
        MANOModel('/nowhere', side='middle')


def test_malformed_model_files(human_model_root, tmp_path):
    def npz_without_shapedirs(path):
        np.savez(path, v_template=np.zeros((10, 3)))

    root = partial_tree(
        human_model_root,
        tmp_path,
        replace={
            'smplx/SMPLX_NEUTRAL.npz': npz_without_shapedirs,
            'smpl/SMPL_NEUTRAL.pkl': b'\x80\x02garbage',
        },
    )
    with pytest.raises(ModelFileError, match='SMPLX_NEUTRAL.npz.*shapedirs'):
        SMPLXModel(root)
    with pytest.raises(ModelFileError, match='SMPL_NEUTRAL.pkl'):
        SMPLModel(root)
