"""Synthetic ``human_model_files`` tree with a procedural mannequin.

The licensed SMPL-X, SMPL, MANO and FLAME files cannot be shipped, so this
module writes stand-ins with the official folder layout, file names, keys,
dtypes and shapes (including chumpy objects, scipy sparse matrices and the
known MANO left-hand ``shapedirs`` sign bug), so the same code can read
either. Run ``tools/misc/make_synthetic_human_models.py`` or call
:func:`make_synthetic_human_models`.
"""

from __future__ import annotations

import json
import pathlib
import time
from typing import Callable, Iterable

import numpy as np

from h4w.version import __version__

from . import body_mesh, landmarks, legacy_pickle, rigging
from . import model_parameters as sm
from .humanoid import SMPLX_JOINT_NAMES, SMPLX_PARENTS, BodySDF
from .mesh_ops import vertex_normals

MODELS = ('smplx', 'smpl', 'mano', 'flame')
GENDERS = ('NEUTRAL', 'MALE', 'FEMALE')
MARKER = 'synthetic.json'
ROOT_ID = 4294967295
SMPLX_TIPS = {
    'Thumb': 8079,
    'Index': 7669,
    'Middle': 7794,
    'Ring': 7905,
    'Pinky': 8022,
}
MANO_PARENTS = np.array([-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 0, 10, 11, 0, 13, 14])
FLAME_PARENTS = np.array([-1, 0, 1, 1, 1])
SMPL_PARENTS = SMPLX_PARENTS[:22].tolist() + [20, 21]
SMPL_NAMES = SMPLX_JOINT_NAMES[:22] + ('L_Hand', 'R_Hand')
PART2NUM = {
    'global': 0,
    'body': 1,
    'head': 2,
    'jaw': 3,
    'leftEye': 4,
    'rightEye': 5,
    'leftHand': 6,
    'rightHand': 7,
}


def _kintree(parents) -> np.ndarray:
    parents = np.asarray(parents, np.int64).copy()
    parents[0] = ROOT_ID
    return np.stack([parents, np.arange(len(parents))]).astype(np.int64)


def _allowed_rows(
    weights: np.ndarray, parents, fallback: np.ndarray
) -> np.ndarray:
    """Usable vertices (J, V) per joint for the joint regressor."""
    parents = np.asarray(parents)
    near = weights + weights[:, np.maximum(parents, 0)]
    allowed = (near > 0.02).T
    allowed[~allowed.any(axis=1)] = fallback
    return allowed


class _SmplxBuild:
    """Neutral SMPL-X mesh and rig from which MANO and FLAME are cut."""

    def __init__(self, rng: np.random.Generator) -> None:
        surface = body_mesh.build_surface(sm.SMPLX_TARGETS, sm.SMPLX_LOOPS)
        mesh = sm.Mesh(
            surface.verts, surface.faces, surface.chains, surface.mirror
        )
        self.static, self.contour = sm.landmark_points()
        mesh = sm.cut_eye_strips(mesh, np.array([-0.032, 0.299, 0.09]))
        order = landmarks.fixed_id_order(
            mesh.verts,
            mesh.mirror,
            landmarks.SMPLX_PAIRED,
            landmarks.SMPLX_CENTRAL,
            self.static[13],
        )
        self.mesh = mesh = sm.reorder(mesh, order)
        joints, self.ends = sm.smplx_skeleton()
        self.weights = sm.skin(mesh, joints, sm.SMPLX_INDEX, SMPLX_PARENTS)
        self.regions = sm.face_regions(mesh)
        self.head_ids = np.unique(mesh.faces[self.regions[1]])
        head_mask = np.zeros(len(mesh.verts), bool)
        head_mask[self.head_ids] = True
        allowed = _allowed_rows(self.weights, SMPLX_PARENTS, head_mask)
        self.regressor = rigging.joint_regressor(mesh.verts, joints, allowed)
        self.joints = self.regressor @ mesh.verts
        normals = sm.normals_of(mesh)
        self.posedirs = rigging.pose_correctives(
            normals, self.weights, SMPLX_PARENTS, rng
        )
        self.expression = sm.expression_space(
            mesh.verts, mesh.mirror, head_mask, 100, rng
        )
        shape = sm.shape_space(mesh, self.weights, joints, self.ends, 300, rng)
        self.shapedirs = np.concatenate([shape, self.expression], axis=2)
        tips = (
            self.joints[40:55],
            np.array([mesh.verts[SMPLX_TIPS[f]] for f in sm.HAND_ORDER]),
        )
        self.hand_mean, self.hand_components, self.hand_coeffs = (
            sm.hand_pose_space(np.concatenate(tips), rng)
        )
        front = self.regions[1] & (
            mesh.verts[mesh.faces].mean(axis=1)[:, 2] > 0.0
        )
        self.lmk = sm.embed(self.static, mesh.verts, mesh.faces, front)
        self.dyn_lmk = sm.embed(self.contour, mesh.verts, mesh.faces, front)
        self.vt, self.ft = sm.uv_map(mesh.verts, mesh.faces, normals)

    def arrays(self, gender: str) -> dict:
        """The SMPL-X v1.1 model dictionary for one gender."""
        verts = sm.gender_template(
            self.mesh.verts, self.joints[0], gender.lower()
        )
        left = rigging.mirror_axis_angles
        return {
            'v_template': verts,
            'f': self.mesh.faces.astype(np.uint32),
            'shapedirs': self.shapedirs,
            'posedirs': self.posedirs,
            'J_regressor': self.regressor,
            'weights': self.weights,
            'kintree_table': _kintree(SMPLX_PARENTS),
            'hands_componentsl': left(self.hand_components),
            'hands_componentsr': self.hand_components,
            'hands_meanl': left(self.hand_mean),
            'hands_meanr': self.hand_mean,
            'hands_coeffsl': self.hand_coeffs,
            'hands_coeffsr': self.hand_coeffs,
            'lmk_faces_idx': self.lmk[0].astype(np.uint32),
            'lmk_bary_coords': self.lmk[1],
            'dynamic_lmk_faces_idx': self.dyn_lmk[0].astype(np.int64),
            'dynamic_lmk_bary_coords': self.dyn_lmk[1],
            'vt': self.vt,
            'ft': self.ft,
            'joint2num': np.array(
                {n: i for i, n in enumerate(SMPLX_JOINT_NAMES)}, object
            ),
            'part2num': np.array(dict(PART2NUM), object),
        }

    def hand_ids(self) -> dict[str, np.ndarray]:
        """SMPL-X ids of the MANO hands, in MANO vertex order."""
        right = np.unique(self.mesh.faces[self.regions[3]])
        right = sm.mano_tip_order(right, self.mesh.verts, SMPLX_TIPS)
        return {
            'left_hand': self.mesh.mirror[right].astype(np.int64),
            'right_hand': right.astype(np.int64),
        }

    def regressors(self) -> dict[str, np.ndarray]:
        """LSP-14 and H36M regressors (N, V)."""
        verts = self.mesh.verts
        j14 = rigging.joint_regressor(
            verts,
            sm.extra_regressor_targets(self.joints, sm.J14_NAMES),
            start_k=12,
            max_k=96,
            tol=2e-3,
        )
        h36m = rigging.joint_regressor(
            verts, sm.extra_regressor_targets(self.joints, sm.H36M_NAMES)
        )
        return {'j14': j14, 'h36m': h36m}


def _submesh(
    mesh: sm.Mesh, ids: np.ndarray, face_mask: np.ndarray
) -> np.ndarray:
    """Faces (F, 3) of ``face_mask`` renumbered to positions in ``ids``."""
    local = np.full(len(mesh.verts), -1)
    local[ids] = np.arange(len(ids))
    return local[mesh.faces[face_mask]]


def _mano(build: _SmplxBuild, hand_ids: dict, rng) -> dict[str, dict]:
    """MANO_RIGHT and MANO_LEFT dictionaries (chumpy-free values)."""
    ids = hand_ids['right_hand']
    mesh = build.mesh
    faces = _submesh(mesh, ids, build.regions[3])
    verts = mesh.verts[ids] - build.joints[21]
    cols = [21] + list(range(40, 55))
    weights = build.weights[ids][:, cols]
    weights[:, 0] += 1.0 - weights.sum(axis=1)
    targets = build.joints[cols] - build.joints[21]
    regressor = rigging.joint_regressor(
        verts,
        targets,
        _allowed_rows(weights, MANO_PARENTS, np.ones(len(ids), bool)),
    )
    normals = vertex_normals(verts, faces)
    posedirs = rigging.pose_correctives(
        normals, weights, MANO_PARENTS, rng, scale=0.002
    )
    shapedirs = _hand_shape(verts, rng)
    right = {
        'hands_components': build.hand_components,
        'f': faces.astype(np.uint32),
        'J_regressor': legacy_pickle.csc_matrix(regressor),
        'kintree_table': _kintree(MANO_PARENTS),
        'J': regressor @ verts,
        'bs_style': 'lbs',
        'hands_coeffs': build.hand_coeffs,
        'weights': weights,
        'posedirs': posedirs,
        'hands_mean': build.hand_mean,
        'v_template': verts,
        'shapedirs': legacy_pickle.chumpy_array(shapedirs),
        'bs_type': 'lrotmin',
    }
    mirror = sm.MIRROR
    feature_sign = (mirror[:, None] * mirror[None, :]).ravel()
    pose_sign = mirror[:, None] * np.tile(feature_sign, 15)[None]
    left = dict(right)
    left.update(
        {
            'hands_components': rigging.mirror_axis_angles(
                build.hand_components
            ),
            'hands_mean': rigging.mirror_axis_angles(build.hand_mean),
            'f': faces[:, [0, 2, 1]].astype(np.uint32),
            'J': (regressor @ verts) * mirror,
            'v_template': verts * mirror,
            'posedirs': posedirs * pose_sign[None],
            # The official left model has the wrong sign on shapedirs[:, 0]:
            # its x components equal the right model's.
            'shapedirs': legacy_pickle.chumpy_array(shapedirs),
        }
    )
    return {'MANO_RIGHT.pkl': right, 'MANO_LEFT.pkl': left}


def _hand_shape(verts: np.ndarray, rng) -> np.ndarray:
    fixed = np.stack(
        [verts, verts * (0.0, 1.0, 0.0), verts * (0.0, 0.0, 1.0)], axis=2
    )
    fields = np.concatenate(
        [fixed, rigging.random_fields(verts, 7, rng, frequency=15.0)], axis=2
    )
    peak = np.linalg.norm(fields, axis=1).max(axis=0)
    return fields / peak * rigging.decaying(10, 0.008, 0.5)


def _flame(build: _SmplxBuild, rng) -> dict:
    """FLAME_NEUTRAL dictionary and the two landmark embeddings."""
    mesh, ids = build.mesh, build.head_ids
    faces = _submesh(mesh, ids, build.regions[1])
    offset = build.joints[15]
    verts = mesh.verts[ids] - offset
    w = build.weights[ids]
    parts = [w[:, [12, 15]].sum(axis=1), w[:, 22], w[:, 23], w[:, 24]]
    weights = np.column_stack([1.0 - sum(parts)] + parts)
    body_verts = np.unique(mesh.faces[~build.regions[1]])
    neck_base = mesh.verts[np.intersect1d(ids, body_verts)].mean(axis=0)
    targets = np.vstack([neck_base, build.joints[[12, 22, 23, 24]]])
    regressor = rigging.joint_regressor(verts, targets - offset)
    local_mirror = np.searchsorted(ids, mesh.mirror[ids])
    normals = vertex_normals(verts, faces)
    shape = _head_shape(verts, local_mirror, rng)
    expression = build.expression[ids]
    front = verts[faces].mean(axis=1)[:, 2] > -offset[2]
    static = sm.embed(build.static - offset, verts, faces, front)
    dynamic = sm.embed(build.contour - offset, verts, faces, front)
    flame = {
        'f': faces.astype(np.uint32),
        'J_regressor': legacy_pickle.csc_matrix(regressor),
        'kintree_table': _kintree(FLAME_PARENTS),
        'J': regressor @ verts,
        'bs_style': 'lbs',
        'weights': weights,
        'posedirs': rigging.pose_correctives(
            normals, weights, FLAME_PARENTS, rng
        ),
        'v_template': verts,
        'shapedirs': legacy_pickle.chumpy_array(
            np.concatenate([shape, expression], axis=2)
        ),
        'bs_type': 'lrotmin',
    }
    return {
        'FLAME_NEUTRAL.pkl': flame,
        'flame_static_embedding.pkl': {
            'lmk_face_idx': static[0].astype(np.int64),
            'lmk_b_coords': static[1],
        },
        'flame_dynamic_embedding.npy': {
            'lmk_face_idx': dynamic[0].astype(np.int64),
            'lmk_b_coords': dynamic[1],
        },
    }


def _head_shape(verts: np.ndarray, mirror: np.ndarray, rng) -> np.ndarray:
    centre = verts.mean(axis=0)
    rel = verts - centre
    fixed = np.stack(
        [rel, rel * (1.0, 0.0, 0.0), rel * (0.0, 0.0, 1.0)], axis=2
    )
    fields = np.concatenate(
        [fixed, rigging.random_fields(verts, 297, rng, frequency=12.0)], axis=2
    )
    fields = rigging.symmetrize_fields(fields, mirror)
    peak = np.linalg.norm(fields, axis=1).max(axis=0)
    return fields / peak * rigging.decaying(300, 0.01, 0.3)


def _smpl(rng) -> tuple[dict, dict[str, np.ndarray]]:
    """SMPL dictionaries per gender and the SMPL H36M regressor."""
    surface = body_mesh.build_surface(sm.SMPL_TARGETS, {})
    mesh = sm.Mesh(
        surface.verts, surface.faces, surface.chains, surface.mirror
    )
    static = landmarks.static_landmarks(BodySDF())
    order = landmarks.fixed_id_order(
        mesh.verts,
        mesh.mirror,
        landmarks.SMPL_PAIRED,
        landmarks.SMPL_CENTRAL,
        static[13],
    )
    mesh = sm.reorder(mesh, order)
    full, _ = sm.smplx_skeleton()
    joints = np.vstack([full[:22], full[[28, 43]]])
    names = sm.name_index(SMPL_NAMES)
    weights = sm.skin(mesh, joints, names, SMPL_PARENTS, 'L_Hand')
    prior = sm.skin(mesh, joints, names, SMPL_PARENTS, 'L_Hand', blend=1.5)
    fallback = np.ones(len(mesh.verts), bool)
    regressor = rigging.joint_regressor(
        mesh.verts, joints, _allowed_rows(weights, SMPL_PARENTS, fallback)
    )
    regressor_prior = rigging.joint_regressor(
        mesh.verts,
        joints,
        _allowed_rows(prior, SMPL_PARENTS, fallback),
        start_k=48,
    )
    h36m = rigging.joint_regressor(
        mesh.verts, sm.extra_regressor_targets(full, sm.H36M_NAMES)
    )
    normals = sm.normals_of(mesh)
    posedirs = rigging.pose_correctives(normals, weights, SMPL_PARENTS, rng)
    ends = sm.bone_ends(joints, names, np.array(SMPL_PARENTS))
    shapedirs = sm.shape_space(mesh, weights, joints, ends, 10, rng)
    models = {}
    for gender in GENDERS:
        verts = sm.gender_template(mesh.verts, joints[0], gender.lower())
        verts = verts + sm.SMPL_SHIFT
        models[f'SMPL_{gender}.pkl'] = {
            'J_regressor_prior': legacy_pickle.csc_matrix(regressor_prior),
            'f': mesh.faces.astype(np.uint32),
            'J_regressor': legacy_pickle.csc_matrix(regressor),
            'kintree_table': _kintree(SMPL_PARENTS),
            'J': regressor @ verts,
            'weights_prior': prior,
            'weights': weights,
            'vert_sym_idxs': mesh.mirror.astype(np.int64),
            'posedirs': posedirs,
            'bs_type': 'lrotmin',
            'v_template': verts,
            'shapedirs': legacy_pickle.chumpy_array(shapedirs),
            'bs_style': 'lbs',
        }
    return models, {'J_regressor_h36m_smpl.npy': h36m}


def _save(path: pathlib.Path, content) -> None:
    if path.suffix == '.npz':
        np.savez(path, **content)
    elif path.suffix == '.npy':
        np.save(
            path,
            content
            if isinstance(content, np.ndarray)
            else np.array(content, object),
        )
    else:
        legacy_pickle.dump(content, path)


def _smplx_files(build: _SmplxBuild) -> Iterable[tuple[str, object]]:
    regressors = build.regressors()
    yield 'smplx/SMPLX_to_J14.pkl', regressors['j14']
    yield 'smplx/J_regressor_h36m_smplx.npy', regressors['h36m']
    yield 'smplx/MANO_SMPLX_vertex_ids.pkl', build.hand_ids()
    yield 'smplx/SMPL-X__FLAME_vertex_ids.npy', build.head_ids.astype(np.int64)
    for gender in GENDERS:
        arrays = build.arrays(gender)
        yield f'smplx/SMPLX_{gender}.npz', arrays
        pkl = dict(arrays)
        pkl['shapedirs'] = legacy_pickle.chumpy_array(arrays['shapedirs'])
        pkl['posedirs'] = legacy_pickle.chumpy_array(arrays['posedirs'])
        pkl['joint2num'] = arrays['joint2num'].item()
        pkl['part2num'] = arrays['part2num'].item()
        yield f'smplx/SMPLX_{gender}.pkl', pkl


def _all_files(
    seed: int, models: tuple[str, ...]
) -> Iterable[tuple[str, object]]:
    """Yields ``(relative path, content)`` for the requested models."""
    rng = np.random.default_rng(seed)
    if {'smplx', 'mano', 'flame'} & set(models):
        build = _SmplxBuild(rng)
        if 'smplx' in models:
            yield from _smplx_files(build)
        if 'mano' in models:
            for name, content in _mano(build, build.hand_ids(), rng).items():
                yield f'mano/{name}', content
        if 'flame' in models:
            for name, content in _flame(build, rng).items():
                yield f'flame/{name}', content
    if 'smpl' in models:
        smpl, extra = _smpl(rng)
        for name, content in {**smpl, **extra}.items():
            yield f'smpl/{name}', content


def _marker_matches(
    root: pathlib.Path, seed: int, models: tuple[str, ...]
) -> bool:
    marker = root / MARKER
    if not marker.is_file():
        return False
    info = json.loads(marker.read_text())
    return (
        info.get('seed') == seed
        and set(models) <= set(info.get('models', ()))
        and all((root / f).is_file() for f in info.get('files', ()))
    )


def make_synthetic_human_models(
    out_dir,
    seed: int = 0,
    models: Iterable[str] = MODELS,
    overwrite: bool = False,
    progress: Callable[[str, float], None] | None = None,
) -> pathlib.Path:
    """Writes a synthetic ``human_model_files`` tree.

    Args:
        out_dir: Root of the tree (e.g. ``data/human_model_files``).
        seed: Seed of the random parts (blend shapes, hand poses).
        models: Subset of ``('smplx', 'smpl', 'mano', 'flame')``.
        overwrite: Rewrite even if a complete tree with this seed exists.
        progress: Optional callback ``(relative_path, seconds)`` called
            after each file is written.

    Returns:
        The root of the tree.
    """
    root = pathlib.Path(out_dir)
    requested = set(models)
    models = tuple(m for m in MODELS if m in requested)
    if requested - set(MODELS) or not models:
        raise ValueError(f'models must be a subset of {MODELS}')
    if not overwrite and _marker_matches(root, seed, models):
        return root
    (root / MARKER).unlink(missing_ok=True)
    start, written = time.perf_counter(), []
    for rel, content in _all_files(seed, models):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        _save(path, content)
        written.append(rel)
        if progress is not None:
            progress(rel, time.perf_counter() - start)
    info = {
        'seed': seed,
        'models': list(models),
        'files': written,
        'h4w_version': __version__,
    }
    (root / MARKER).write_text(json.dumps(info, indent=2) + '\n')
    return root
