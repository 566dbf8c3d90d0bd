"""OBJ reading and writing (the demo's ``output.obj`` layout)."""

import numpy as np
import pytest

from h4w.utils.mesh_io import read_obj, write_obj


def test_write_then_read_round_trips_in_the_demo_layout(tmp_path):
    verts = np.array([[0.1, -0.2, 3.0], [1.0, 0.0, 3.5], [0.0, 1.0, 2.5]])
    faces = np.array([[0, 1, 2], [2, 1, 0]])
    path = write_obj(str(tmp_path / 'sub' / 'mesh.obj'), verts, faces)
    lines = open(path).read().splitlines()
    assert lines[3] == 'f 1/1 2/2 3/3'
    got_verts, got_faces = read_obj(path)
    np.testing.assert_allclose(got_verts, verts)
    assert got_faces.tolist() == faces.tolist()


def test_polygons_negative_indices_and_other_lines(tmp_path):
    path = tmp_path / 'quad.obj'
    path.write_text(
        '# comment\nv 0 0 0\nv 1 0 0\nv 1 1 0 0.5 0.5 0.5\nv 0 1 0\n'
        'vn 0 0 1\nvt 0 0\ng quad\nf 1//1 2//1 3//1 4//1\nf -1 -2 -3\n'
    )
    verts, faces = read_obj(str(path))
    assert verts.shape == (4, 3)
    assert faces.tolist() == [[0, 1, 2], [0, 2, 3], [3, 2, 1]]


def test_bad_files_name_the_line(tmp_path):
    path = tmp_path / 'bad.obj'
    path.write_text('v 0 0 0\nv 1 0 0\nf 1 2 3\n')
    with pytest.raises(ValueError, match='bad.obj:3'):
        read_obj(str(path))
    with pytest.raises(FileNotFoundError):
        read_obj(str(tmp_path / 'missing.obj'))
