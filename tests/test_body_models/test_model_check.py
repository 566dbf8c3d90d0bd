"""The human-model tree check (library and tools/misc/check_human_models.py).

Broken trees are folders of symlinks to the synthetic tree's files in which
only the broken file is written for real (after removing its link, so the
shared tree is never written through).
"""

import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

from h4w.body_models import load_model_data
from h4w.body_models.model_check import (
    check_human_models,
    failed,
    smplx_version,
)


def linked_tree(src: str, dst, models=('smplx', 'smpl', 'mano', 'flame')):
    """``dst`` with a symlink to every file of ``src``'s model folders."""
    for model in models:
        os.makedirs(dst / model)
        for name in os.listdir(os.path.join(src, model)):
            os.symlink(os.path.join(src, model, name), dst / model / name)
    return dst


def own_file(tree, rel: str) -> str:
    """Replace the link ``rel`` by nothing; returns the path to write."""
    path = str(tree / rel)
    os.unlink(path)
    return path


def row_of(rows, file: str):
    (row,) = [row for row in rows if row.file == file]
    return row


def test_cli_on_the_synthetic_tree(human_model_root, repo_root, tmp_path):
    out = tmp_path / 'report.json'
    proc = subprocess.run(
        [
            sys.executable,
            'tools/misc/check_human_models.py',
            human_model_root,
            '--json',
            str(out),
        ],
        cwd=repo_root,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ['file', 'status', 'detail']
    table = {  # continuation lines (wrapped details) start with blanks
        line.split()[0]: line.split()[1]
        for line in lines[2:-1]
        if not line.startswith(' ')
    }
    for name in (
        'smplx/SMPLX_NEUTRAL.npz',
        'smplx/SMPLX_FEMALE.pkl',
        'smplx/SMPL-X__FLAME_vertex_ids.npy',
        'smpl/SMPL_MALE.pkl',
        'mano/MANO_LEFT.pkl',
        'flame/flame_dynamic_embedding.npy',
    ):
        assert table[name] == 'ok'
    assert 'v1.1 layout' in proc.stdout
    assert table['synthetic.json'] == 'warning'  # warnings do not fail
    assert lines[-1].startswith('21 ok, 1 warning, 0 error, 0 missing')
    report = json.loads(out.read_text())
    assert report['failed'] is False and len(report['rows']) == 22


@pytest.mark.parametrize(
    'rel, model, source',
    [
        ('mano/MANO_LEFT.pkl', 'mano', 'https://mano.is.tue.mpg.de/'),
        (
            'flame/flame_static_embedding.pkl',
            'flame',
            'https://flame.is.tue.mpg.de/',
        ),
    ],
)
def test_missing_file_says_where_to_get_it(
    human_model_root, tmp_path, rel, model, source
):
    tree = linked_tree(human_model_root, tmp_path, [model])
    own_file(tree, rel)
    rows = check_human_models(str(tree), [model])
    row = row_of(rows, rel)
    assert row.status == 'missing' and 'Pose2Pose' in row.detail
    assert row.source == source
    assert failed(rows)


@pytest.mark.parametrize('damage', ['truncated', 'garbage'])
def test_corrupt_pickle(human_model_root, tmp_path, damage):
    tree = linked_tree(human_model_root, tmp_path, ['smpl'])
    rel = 'smpl/SMPL_MALE.pkl'
    blob = open(os.path.join(human_model_root, rel), 'rb').read()
    blob = blob[: len(blob) // 2] if damage == 'truncated' else b'\0junk'
    with open(own_file(tree, rel), 'wb') as f:
        f.write(blob)
    rows = check_human_models(str(tree), ['smpl'], ['male'])
    row = row_of(rows, rel)
    assert row.status == 'error'
    assert 'unreadable without chumpy' in row.detail
    assert row.source == 'https://smpl.is.tue.mpg.de/'
    assert 'male' not in row_of(rows, 'smpl/*').detail
    assert failed(rows)


def smplx_npz(root: str, **changes) -> dict:
    """The synthetic neutral SMPL-X arrays, lighter (float32 posedirs,
    20 shapedirs components) and with ``changes``."""
    with np.load(os.path.join(root, 'smplx/SMPLX_NEUTRAL.npz')) as npz:
        skip = ('joint2num', 'part2num')  # object arrays, not needed
        arrays = {k: npz[k] for k in npz.files if k not in skip}
    arrays['posedirs'] = arrays['posedirs'].astype(np.float32)
    arrays['shapedirs'] = arrays['shapedirs'][..., :20]
    arrays.update(changes)
    return arrays


def test_npz_with_a_wrong_shape(human_model_root, tmp_path):
    tree = linked_tree(human_model_root, tmp_path, ['smplx'])
    rel = 'smplx/SMPLX_NEUTRAL.npz'
    arrays = smplx_npz(human_model_root)
    arrays['J_regressor'] = arrays['J_regressor'][:54]
    np.savez(own_file(tree, rel), **arrays)
    rows = check_human_models(str(tree), ['smplx'], ['neutral'])
    row = row_of(rows, rel)
    assert row.status == 'error'
    assert 'J_regressor: shape (54, 10475), expected (55, 10475)' in (
        row.detail
    )
    assert row_of(rows, 'smplx/*').detail.startswith(
        'usable genders .npz: none; .pkl: neutral'
    )
    assert failed(rows)


def test_smplx_versions(human_model_root, tmp_path):
    assert smplx_version(400)[0] == 'ok'
    assert smplx_version(20)[0] == 'warning'
    assert smplx_version(12)[0] == 'error'
    assert 'unknown' in smplx_version(30)[1]
    # a v1.0-style file (10 shape + 10 expression) is usable: a warning,
    # and the npz / pkl pair is reported as mixed releases
    tree = linked_tree(human_model_root, tmp_path, ['smplx'])
    rel = 'smplx/SMPLX_NEUTRAL.npz'
    np.savez(own_file(tree, rel), **smplx_npz(human_model_root))
    rows = check_human_models(str(tree), ['smplx'], ['neutral'])
    row = row_of(rows, rel)
    assert row.status == 'warning' and 'v1.0 layout' in row.detail
    assert 'mixed releases' in row_of(rows, 'smplx/*').detail
    assert not failed(rows)


def test_wrong_dtype(human_model_root, tmp_path):
    tree = linked_tree(human_model_root, tmp_path, ['mano'])
    rel = 'mano/MANO_RIGHT.pkl'
    data = load_model_data(os.path.join(human_model_root, rel))
    data['f'] = data['f'].astype(np.float64)
    with open(own_file(tree, rel), 'wb') as f:
        pickle.dump(data, f, protocol=2)
    rows = check_human_models(str(tree), ['mano'])
    row = row_of(rows, rel)
    assert row.status == 'error'
    assert row.detail == 'f: dtype float64, expected integers'
    assert row_of(rows, 'mano/MANO_LEFT.pkl').status == 'ok'
    assert failed(rows)


def test_missing_gender_file(human_model_root, tmp_path):
    tree = linked_tree(human_model_root, tmp_path, ['smplx'])
    own_file(tree, 'smplx/SMPLX_MALE.npz')
    rows = check_human_models(str(tree), ['smplx'], ['male'])
    row = row_of(rows, 'smplx/SMPLX_MALE.npz')
    assert row.status == 'missing'
    assert 'hand4whole_res50.py' in row.detail
    assert row.source.startswith('https://smpl-x.is.tue.mpg.de/')
    assert row_of(rows, 'smplx/*').detail == (
        'usable genders .npz: none; .pkl: male'
    )
    assert failed(rows)


def test_auxiliary_files(human_model_root, tmp_path):
    tree = linked_tree(human_model_root, tmp_path, ['smplx', 'smpl'])
    own_file(tree, 'smplx/MANO_SMPLX_vertex_ids.pkl')
    own_file(tree, 'smplx/SMPLX_to_J14.pkl')
    face_ids = own_file(tree, 'smplx/SMPL-X__FLAME_vertex_ids.npy')
    np.save(face_ids, np.arange(10475 - 5023 + 1, 10476))
    # genders=(): only the auxiliary files of SMPL-X
    rows = check_human_models(str(tree), ['smplx'], [])
    assert [row.file for row in rows] == [
        'smplx/MANO_SMPLX_vertex_ids.pkl',
        'smplx/SMPL-X__FLAME_vertex_ids.npy',
        'smplx/SMPLX_to_J14.pkl',
        'smplx/J_regressor_h36m_smplx.npy',
    ]
    ids, ids_npy, j14, h36m = rows
    assert ids.status == 'missing' and 'vertex indices' in ids.source
    assert ids_npy.status == 'error'
    assert ids_npy.detail == 'array: index 10475 out of range [0, 10475)'
    assert j14.status == 'missing' and 'expose' in j14.source
    assert h36m.status == 'ok'
    assert failed(rows)
    # the Human3.6M regressors are optional: absent is a warning only
    own_file(tree, 'smpl/J_regressor_h36m_smpl.npy')
    rows = check_human_models(str(tree), ['smpl'], ['neutral'])
    row = row_of(rows, 'smpl/J_regressor_h36m_smpl.npy')
    assert row.status == 'warning' and 'optional' in row.detail
    assert not failed(rows)


def test_not_a_folder(tmp_path):
    rows = check_human_models(str(tmp_path / 'nothing'), ['mano'])
    assert [row.status for row in rows] == ['missing'] and failed(rows)
