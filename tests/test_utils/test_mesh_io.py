"""OBJ / PLY writers and the OBJ reader."""

import numpy as np
import pytest

from h4w.utils.mesh_io import read_obj, write_obj, write_ply

VERTS = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.5], [0.0, 1.0, -0.25]])
FACES = np.array([[0, 1, 2], [2, 1, 0]])


def test_obj_lines(tmp_path):
    path = write_obj(str(tmp_path / 'a' / 'm.obj'), VERTS, FACES)
    lines = open(path).read().split('\n')
    assert lines[1] == 'v 1.000000 0.000000 0.500000'
    assert lines[3] == 'f 1 2 3' and lines[4] == 'f 3 2 1'


def test_ply_reads_back_with_trimesh(tmp_path):
    trimesh = pytest.importorskip('trimesh')
    path = write_ply(str(tmp_path / 'm.ply'), VERTS, FACES, color=(255, 0, 9))
    mesh = trimesh.load(path, process=False)
    np.testing.assert_allclose(mesh.vertices, VERTS, atol=1e-7)
    np.testing.assert_array_equal(mesh.faces, FACES)
    assert mesh.visual.vertex_colors[0, :3].tolist() == [255, 0, 9]


def test_bad_faces_are_refused(tmp_path):
    with pytest.raises(ValueError, match='3 vertices'):
        write_obj(str(tmp_path / 'm.obj'), VERTS, FACES + 1)


def test_write_then_read_round_trips_in_the_demo_layout(tmp_path):
    verts = np.array([[0.1, -0.2, 3.0], [1.0, 0.0, 3.5], [0.0, 1.0, 2.5]])
    faces = np.array([[0, 1, 2], [2, 1, 0]])
    path = write_obj(str(tmp_path / 'sub' / 'mesh.obj'), verts, faces)
    lines = open(path).read().splitlines()
    assert lines[3] == 'f 1 2 3'
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
