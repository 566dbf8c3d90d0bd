"""OBJ / PLY writers, read back with independent readers."""

import numpy as np
import pytest

from h4w.utils.mesh_io import write_obj, write_ply

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
