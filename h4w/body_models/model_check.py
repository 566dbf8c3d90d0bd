"""Checking a ``human_model_files`` tree file by file.

The expected tree is the one the body-model layers open
(:mod:`h4w.models.body_models`) with the file names the configs name
(``configs/_base_/``): SMPL-X ``.npz`` (and optional ``.pkl``) per gender,
SMPL per gender, MANO left and right, FLAME with its landmark embeddings,
the MANO / FLAME vertex-id files, the J14 regressor and the optional
Human3.6M regressors. Each file is read with the chumpy-free reader of
:mod:`h4w.body_models.model_files` and its arrays are compared with the
names, shapes and dtypes the layers need. Pure NumPy: no torch, no
``smplx``.

SMPL-X versions are told apart by the number of blend-shape components
in ``shapedirs`` (shape and expression together), the rule the ``smplx``
package applies when it builds a layer: 400 is the v1.1 layout (300 shape
+ 100 expression components), 20 the v1.0 layout (10 + 10). Other
releases with 400 components (e.g. SMPL-X 2020) are not told apart from
v1.1.
"""

import os.path as osp
from typing import (
    Any,
    Dict,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
)

import numpy as np

from .model_files import (
    GENDERS,
    MODEL_SOURCES,
    load_model_data,
    load_pickle,
)

#: Row statuses; ``error`` and ``missing`` fail a check.
STATUSES = ('ok', 'warning', 'error', 'missing')
FAILING = ('error', 'missing')
#: Models a check can be restricted to.
MODELS = ('smplx', 'smpl', 'mano', 'flame')

_FLOAT, _INT = 'float', 'int'
#: Index arrays whose values must lie in ``[0, FileSpec.index_bound)``.
_INDEX_ARRAYS = ('f', '', 'left_hand', 'right_hand', 'lmk_face_idx')
_H36M_SOURCE = (
    'the Human3.6M data of the reference release (Hand4Whole / '
    'I2L-MeshNet, data/Human36M/{name}); write a stand-in with '
    'tools/misc/make_synthetic_human_models.py'
)
_VERTEX_IDS_SOURCE = (
    'https://smpl-x.is.tue.mpg.de/ download page, "MANO and FLAME vertex '
    'indices"'
)
_J14_SOURCE = 'https://github.com/vchoutas/expose (data: SMPLX_to_J14.pkl)'


class CheckRow(NamedTuple):
    """One line of the report.

    Attributes:
        file (str): Path relative to the root (``smplx/SMPLX_MALE.npz``),
            or ``<model>/*`` for a summary of a model folder.
        status (str): One of :data:`STATUSES`.
        detail (str): What was found, or what is wrong.
        source (str): Where users obtain the file.
    """

    file: str
    status: str
    detail: str
    source: str


class FileSpec(NamedTuple):
    """What one file of the tree must hold.

    Attributes:
        path (str): Relative to the root.
        model (str): One of :data:`MODELS`.
        arrays (dict): Array name -> ``(shape, kind)``; ``None`` in a shape
            is any size, kind is ``'float'`` or ``'int'``. The key ``''``
            is the file's single array (regressors, vertex ids).
        if_absent (str): Status of the row when the file is absent:
            ``'missing'`` (needed: fails the check), ``'warning'`` (only
            some configs open it) or ``'ok'`` (an alternative format).
        used_by (str): Which configs / layers open it.
        source (str): Where users obtain it.
        index_bound (int): Exclusive bound of the index arrays: the vertex
            count for faces ``f`` and vertex ids, the face count for the
            FLAME landmark embeddings.
        kind (str): ``'model'`` (a body model), ``'array'`` or ``'dict'``
            (auxiliary data).
    """

    path: str
    model: str
    arrays: Dict[str, Tuple[Tuple[Optional[int], ...], str]]
    if_absent: str
    used_by: str
    source: str
    index_bound: int
    kind: str = 'model'


def _body_arrays(
    verts: int, faces: int, joints: int, pose_basis: int
) -> Dict[str, Tuple[Tuple[Optional[int], ...], str]]:
    return {
        'v_template': ((verts, 3), _FLOAT),
        'f': ((faces, 3), _INT),
        'shapedirs': ((verts, 3, None), _FLOAT),
        'posedirs': ((verts, 3, pose_basis), _FLOAT),
        'J_regressor': ((joints, verts), _FLOAT),
        'weights': ((verts, joints), _FLOAT),
        'kintree_table': ((2, joints), _INT),
    }


SMPLX_ARRAYS = dict(
    _body_arrays(10475, 20908, 55, 486),
    hands_componentsl=((None, 45), _FLOAT),
    hands_componentsr=((None, 45), _FLOAT),
    hands_meanl=((45,), _FLOAT),
    hands_meanr=((45,), _FLOAT),
    lmk_faces_idx=((51,), _INT),
    lmk_bary_coords=((51, 3), _FLOAT),
    dynamic_lmk_faces_idx=((79, 17), _INT),
    dynamic_lmk_bary_coords=((79, 17, 3), _FLOAT),
)
SMPL_ARRAYS = _body_arrays(6890, 13776, 24, 207)
MANO_ARRAYS = dict(
    _body_arrays(778, 1538, 16, 135),
    hands_components=((None, 45), _FLOAT),
    hands_mean=((45,), _FLOAT),
)
FLAME_ARRAYS = _body_arrays(5023, 9976, 5, 36)

#: Shape components the layers use (``num_betas``, and expression
#: components of SMPL-X / FLAME): the minimum of ``shapedirs``.
MIN_COMPONENTS = dict(smplx=20, smpl=10, mano=10, flame=20)

_SMPLX_USERS = dict(
    neutral='every Hand4Whole config (SMPLXModel, default gender)',
    male='Hand4Whole training targets (genders of BodyModelTargetGenerator '
    'in configs/_base_/models/hand4whole_res50.py) and gendered fits',
    female='Hand4Whole training targets (genders of '
    'BodyModelTargetGenerator in configs/_base_/models/hand4whole_res50.py)'
    ' and gendered fits',
)
_SMPL_USERS = (
    'Pose2Pose body (genders of BodyModelTargetGenerator in '
    'configs/pose2pose/pose2pose_body_res50.py), 3DPW tests'
)


def expected_files(
    models: Sequence[str] = MODELS, genders: Sequence[str] = GENDERS
) -> List[FileSpec]:
    """The files of a complete tree, in report order.

    Args:
        models (Sequence[str]): Subset of :data:`MODELS`.
        genders (Sequence[str]): Genders of the SMPL-X and SMPL files to
            include (lower case). FLAME is neutral only, MANO has sides.

    Returns:
        list[FileSpec]: One per file.
    """
    unknown = set(models) - set(MODELS) or set(genders) - set(GENDERS)
    if unknown:
        raise ValueError(f'unknown models or genders: {sorted(unknown)}')
    genders = [g for g in GENDERS if g in genders]
    specs = []
    if 'smplx' in models:
        for gender in genders:
            for ext, if_absent in (('npz', 'missing'), ('pkl', 'ok')):
                specs.append(
                    FileSpec(
                        f'smplx/SMPLX_{gender.upper()}.{ext}',
                        'smplx',
                        SMPLX_ARRAYS,
                        if_absent,
                        _SMPLX_USERS[gender]
                        if ext == 'npz'
                        else "only SMPLXModel(ext='pkl')",
                        MODEL_SOURCES['smplx'],
                        10475,
                    )
                )
        users = 'every SMPLXModel (default {} of the layer)'
        specs += [
            FileSpec(
                'smplx/MANO_SMPLX_vertex_ids.pkl',
                'smplx',
                dict(left_hand=((778,), _INT), right_hand=((778,), _INT)),
                'missing',
                users.format('hand_vertex_ids_file'),
                _VERTEX_IDS_SOURCE,
                10475,
                'dict',
            ),
            FileSpec(
                'smplx/SMPL-X__FLAME_vertex_ids.npy',
                'smplx',
                {'': ((5023,), _INT)},
                'missing',
                users.format('face_vertex_ids_file'),
                _VERTEX_IDS_SOURCE,
                10475,
                'array',
            ),
            FileSpec(
                'smplx/SMPLX_to_J14.pkl',
                'smplx',
                {'': ((14, 10475), _FLOAT)},
                'missing',
                users.format('j14_regressor_file') + ', EHF body metrics',
                _J14_SOURCE,
                10475,
                'array',
            ),
            FileSpec(
                'smplx/J_regressor_h36m_smplx.npy',
                'smplx',
                {'': ((17, 10475), _FLOAT)},
                'warning',
                'Human3.6M tests (configs/_base_/datasets/h36m.py)',
                _H36M_SOURCE.format(name='J_regressor_h36m_smplx.npy'),
                10475,
                'array',
            ),
        ]
    if 'smpl' in models:
        for gender in genders:
            specs.append(
                FileSpec(
                    f'smpl/SMPL_{gender.upper()}.pkl',
                    'smpl',
                    SMPL_ARRAYS,
                    'missing',
                    _SMPL_USERS,
                    MODEL_SOURCES['smpl'],
                    6890,
                )
            )
        specs.append(
            FileSpec(
                'smpl/J_regressor_h36m_smpl.npy',
                'smpl',
                {'': ((17, 6890), _FLOAT)},
                'warning',
                '3DPW and Human3.6M tests of Pose2Pose body '
                '(configs/_base_/datasets/pw3d.py, '
                'configs/pose2pose/pose2pose_body_res50_test_h36m.py)',
                _H36M_SOURCE.format(name='J_regressor_h36m_smpl.npy'),
                6890,
                'array',
            )
        )
    if 'mano' in models:
        for side in ('RIGHT', 'LEFT'):
            specs.append(
                FileSpec(
                    f'mano/MANO_{side}.pkl',
                    'mano',
                    MANO_ARRAYS,
                    'missing',
                    'Pose2Pose hand (configs/pose2pose/'
                    'pose2pose_hand_res50.py), FreiHAND; MANOModel '
                    "(side='left' also reads MANO_RIGHT.pkl)",
                    MODEL_SOURCES['mano'],
                    778,
                )
            )
    if 'flame' in models:
        users = 'Pose2Pose face (configs/pose2pose/pose2pose_face_res50.py)'
        landmarks = dict(lmk_face_idx=_INT, lmk_b_coords=_FLOAT)
        specs += [
            FileSpec(
                'flame/FLAME_NEUTRAL.pkl',
                'flame',
                FLAME_ARRAYS,
                'missing',
                users,
                MODEL_SOURCES['flame'],
                5023,
            ),
            FileSpec(
                'flame/flame_static_embedding.pkl',
                'flame',
                {
                    k: ((51,) + (3,) * (v == _FLOAT), v)
                    for k, v in landmarks.items()
                },
                'missing',
                users + ', face landmarks of FLAMEModel',
                MODEL_SOURCES['flame'],
                9976,
                'dict',
            ),
            FileSpec(
                'flame/flame_dynamic_embedding.npy',
                'flame',
                {
                    k: ((79, 17) + (3,) * (v == _FLOAT), v)
                    for k, v in landmarks.items()
                },
                'missing',
                users + ', face contour of FLAMEModel',
                MODEL_SOURCES['flame'],
                9976,
                'dict',
            ),
        ]
    return specs


def smplx_version(num_components: int) -> Tuple[str, str]:
    """Tell the SMPL-X release from the ``shapedirs`` component count.

    Args:
        num_components (int): ``shapedirs.shape[-1]`` (shape and
            expression components together).

    Returns:
        tuple[str, str]: The status (``'ok'``, ``'warning'`` or
        ``'error'``) and a description.

    Examples:
        >>> smplx_version(400)
        ('ok', 'v1.1 layout: 300 shape + 100 expression components')
    """
    if num_components == 400:
        return 'ok', 'v1.1 layout: 300 shape + 100 expression components'
    if num_components == 20:
        return 'warning', (
            'v1.0 layout: 10 shape + 10 expression components; h4w '
            'and the converted Hand4Whole weights expect v1.1 (the layer '
            'takes expressions from components 10-19 of a v1.0 file, '
            'another expression space)'
        )
    if num_components < MIN_COMPONENTS['smplx']:
        return 'error', (
            f'shapedirs has {num_components} components; the layer needs '
            '10 shape + 10 expression'
        )
    split = (300, 100) if num_components > 400 else (10, 10)
    return 'warning', (
        f'unknown SMPL-X release: {num_components} shapedirs components '
        f'(neither v1.1 = 400 nor v1.0 = 20); the layer reads them as '
        f'{split[0]} shape + {split[1]} expression'
    )


def _read_npy(path: str) -> Any:
    """An ``.npy`` array; an object array (a pickled dict) is unpickled
    with the chumpy-free reader instead of ``allow_pickle``."""
    with open(path, 'rb') as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            header = np.lib.format.read_array_header_1_0(f)
        else:
            header = np.lib.format.read_array_header_2_0(f)
        if not header[2].hasobject:
            f.seek(0)
            return np.load(f, allow_pickle=False)
        obj = load_pickle(f)
    if isinstance(obj, np.ndarray) and obj.shape == ():
        obj = obj.item()
    return obj


def _load(spec: FileSpec, path: str) -> Any:
    if spec.kind == 'model':
        return load_model_data(path)
    if path.endswith('.npy'):
        return _read_npy(path)
    return load_pickle(path)


def _shape_text(shape: Tuple[Optional[int], ...]) -> str:
    """``(10475, 3, *)``: the expected shape, ``*`` for any size."""
    sizes = ['*' if size is None else str(size) for size in shape]
    return '(' + ', '.join(sizes) + (',)' if len(sizes) == 1 else ')')


def _check_array(
    name: str,
    value: Any,
    shape: Tuple[Optional[int], ...],
    kind: str,
    index_bound: Optional[int],
) -> Tuple[List[str], List[str]]:
    """Errors and warnings of one array."""
    label = name or 'array'
    if not isinstance(value, np.ndarray):
        try:
            value = np.asarray(value)
        except Exception:  # noqa: BLE001 (anything unconvertible)
            return [f'{label}: not an array ({type(value).__name__})'], []
    errors, warnings = [], []
    dtype_ok = (
        value.dtype.kind == 'f' if kind == _FLOAT else value.dtype.kind in 'iu'
    )
    if not dtype_ok:
        wanted = 'floats' if kind == _FLOAT else 'integers'
        errors.append(f'{label}: dtype {value.dtype}, expected {wanted}')
    if value.ndim != len(shape) or any(
        want is not None and got != want
        for got, want in zip(value.shape, shape)
    ):
        errors.append(
            f'{label}: shape {value.shape}, expected {_shape_text(shape)}'
        )
    if errors or value.size == 0:
        return errors, warnings
    if kind == _FLOAT and not np.isfinite(value).all():
        errors.append(f'{label}: holds NaN or inf')
    if kind == _INT and name in _INDEX_ARRAYS and index_bound is not None:
        low, high = int(value.min()), int(value.max())
        if low < 0 or high >= index_bound:
            bad = high if high >= index_bound else low
            errors.append(
                f'{label}: index {bad} out of range [0, {index_bound})'
            )
    if name == 'weights' and np.abs(value.sum(axis=1) - 1).max() > 1e-3:
        warnings.append('weights: rows do not sum to 1')
    return errors, warnings


def _model_summary(spec: FileSpec, data: Dict[str, Any]) -> Tuple[str, str]:
    """Status and description of a body model's component counts."""
    verts, joints = spec.arrays['J_regressor'][0][::-1]
    count = int(np.shape(data['shapedirs'])[-1])
    text = f'{verts} vertices, {joints} joints'
    if spec.model == 'smplx':
        status, version = smplx_version(count)
        return status, f'{version}; {text}'
    if spec.model == 'mano':
        text += f', {len(data["hands_components"])} hand PCA components'
    if count < MIN_COMPONENTS[spec.model]:
        return 'error', (
            f'{text}; shapedirs has {count} components, the layer needs '
            f'{MIN_COMPONENTS[spec.model]}'
        )
    if spec.model == 'flame':
        if count >= 400:
            return 'ok', f'{text}, 300 shape + 100 expression components'
        return 'warning', (
            f'{text}, {count} shapedirs components (official: 400 = 300 '
            'shape + 100 expression); the layer reads 10 shape + 10 '
            'expression'
        )
    return 'ok', f'{text}, {count} shape components'


def _check(root: str, spec: FileSpec) -> Tuple[CheckRow, Optional[int]]:
    """The row of one file and its ``shapedirs`` component count."""
    path = osp.join(root, spec.path)
    if not osp.isfile(path):
        if spec.if_absent == 'missing':
            detail = f'not found; needed by {spec.used_by}'
        else:
            detail = f'not present (optional: {spec.used_by})'
        return CheckRow(spec.path, spec.if_absent, detail, spec.source), None
    try:
        data = _load(spec, path)
    except Exception as err:  # noqa: BLE001 (any unreadable file)
        message = str(err).replace(path, spec.path).splitlines()[0]
        detail = f'unreadable without chumpy ({type(err).__name__}: {message})'
        return CheckRow(spec.path, 'error', detail, spec.source), None
    if spec.kind == 'array':
        data = {'': data}
    if not isinstance(data, dict):
        detail = f'holds a {type(data).__name__}, expected a dict'
        return CheckRow(spec.path, 'error', detail, spec.source), None
    errors, warnings = [], []
    absent = [name for name in spec.arrays if name not in data]
    if absent:
        errors.append('no ' + ', '.join(absent))
    for name, (shape, kind) in spec.arrays.items():
        if name in data:
            found = _check_array(
                name, data[name], shape, kind, spec.index_bound
            )
            errors += found[0]
            warnings += found[1]
    components, summary = None, None
    if not errors and spec.kind == 'model':
        components = int(np.shape(data['shapedirs'])[-1])
        status, summary = _model_summary(spec, data)
        if status == 'error':
            errors.append(summary)
        elif status == 'warning':
            warnings.append(summary)
    if errors:
        detail = '; '.join(errors)
        return CheckRow(spec.path, 'error', detail, spec.source), None
    if warnings:
        detail = '; '.join(warnings)
        row = CheckRow(spec.path, 'warning', detail, spec.source)
        return row, components
    if summary is None:
        summary = ', '.join(
            f'{name} {np.shape(data[name])}'.strip() for name in spec.arrays
        )
    return CheckRow(spec.path, 'ok', summary, spec.source), components


def check_file(root: str, spec: FileSpec) -> CheckRow:
    """Check one file of the tree.

    Args:
        root (str): The ``human_model_files`` folder.
        spec (FileSpec): What the file must hold.

    Returns:
        CheckRow: ``missing`` (a needed file is absent), ``warning``
        (usable with a caveat, or an optional file is absent; an absent
        ``.pkl`` twin of an ``.npz`` is ``ok``), ``error`` (present but
        unreadable, or an array is absent or has the wrong shape, dtype or
        values) or ``ok``.
    """
    return _check(root, spec)[0]


def _gender_summary(model: str, components: Dict[str, int]) -> CheckRow:
    """The ``<model>/*`` row: usable genders per format and, for SMPL-X,
    whether all files are the same release."""
    exts = ('npz', 'pkl') if model == 'smplx' else ('pkl',)
    prefix = 'SMPLX' if model == 'smplx' else 'SMPL'
    parts, status = [], 'ok'
    for ext in exts:
        usable = [
            gender
            for gender in GENDERS
            if f'{model}/{prefix}_{gender.upper()}.{ext}' in components
        ]
        parts.append(f'.{ext}: ' + (', '.join(usable) or 'none'))
    detail = 'usable genders ' + '; '.join(parts)
    if model == 'smplx':
        layouts = sorted(set(components.values()))
        if len(layouts) > 1:
            status = 'warning'
            detail += (
                '; mixed releases (shapedirs components: '
                + ', '.join(
                    f'{name.split("/")[-1]} {count}'
                    for name, count in components.items()
                )
                + ')'
            )
    return CheckRow(f'{model}/*', status, detail, MODEL_SOURCES[model])


def check_human_models(
    root: str,
    models: Sequence[str] = MODELS,
    genders: Sequence[str] = GENDERS,
) -> List[CheckRow]:
    """Check a ``human_model_files`` tree file by file.

    Args:
        root (str): The folder (``model_path`` of the configs).
        models (Sequence[str]): Subset of :data:`MODELS` to check.
        genders (Sequence[str]): Genders of the SMPL-X and SMPL files to
            check.

    Returns:
        list[CheckRow]: One row per expected file, a ``<model>/*`` summary
        of the genders (SMPL-X, SMPL) and a ``synthetic.json`` row when
        the tree holds synthetic stand-ins. :func:`failed` tells whether
        any row fails.

    Examples:
        >>> rows = check_human_models('/nonexistent', models=['mano'])
        >>> [(row.file, row.status) for row in rows][:1]
        [('/nonexistent', 'missing')]
    """
    if not osp.isdir(root):
        return [
            CheckRow(
                root,
                'missing',
                'not a folder; pass the human_model_files root',
                '; '.join(MODEL_SOURCES[m] for m in models),
            )
        ]
    specs = expected_files(models, genders)
    rows, components = [], {}
    for spec in specs:
        row, count = _check(root, spec)
        rows.append(row)
        if count is not None:
            components[spec.path] = count
    for model in ('smplx', 'smpl'):
        if model in models and genders:
            rows.append(
                _gender_summary(
                    model,
                    {
                        k: v
                        for k, v in components.items()
                        if k.startswith(model + '/')
                    },
                )
            )
    marker = osp.join(root, 'synthetic.json')
    if osp.isfile(marker):
        rows.append(
            CheckRow(
                'synthetic.json',
                'warning',
                'synthetic stand-ins written by h4w: for tests and smoke '
                'runs only, never report numbers obtained with them',
                'the official files: ' + MODEL_SOURCES['smplx'].split()[0],
            )
        )
    return rows


def failed(rows: Sequence[CheckRow]) -> bool:
    """Whether any row is an error or a missing required file."""
    return any(row.status in FAILING for row in rows)


__all__ = [
    'CheckRow',
    'FileSpec',
    'MODELS',
    'STATUSES',
    'FAILING',
    'expected_files',
    'smplx_version',
    'check_file',
    'check_human_models',
    'failed',
]
