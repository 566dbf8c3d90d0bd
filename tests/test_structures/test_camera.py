"""Projection and the shared camera of several people."""

import numpy as np
import torch

from h4w.structures import project_points, to_common_camera


def test_common_camera_keeps_every_pixel_and_orders_by_size():
    rng = np.random.default_rng(0)
    verts = rng.normal(size=(50, 3)) * 0.3 + [0.2, -0.1, 20.0]
    focal, princpt = np.array([900.0, 880.0]), np.array([300.0, 200.0])
    common_f, common_c = np.array([1500.0, 1500.0]), np.array([320.0, 240.0])
    moved = to_common_camera(verts, focal, princpt, common_f, common_c)
    np.testing.assert_allclose(
        project_points(moved, common_f, common_c),
        project_points(verts, focal, princpt),
        atol=1e-9,
    )
    # depth is scaled by common fx / fx: a person seen with a smaller
    # focal (a smaller box for the same virtual depth) moves farther away
    np.testing.assert_allclose(moved[:, 2], verts[:, 2] * 1500 / 900)


def test_project_points_torch_matches_numpy():
    pts = np.array([[0.5, -0.25, 4.0], [-1.0, 1.0, 8.0]])
    focal, princpt = np.array([100.0, 120.0]), np.array([10.0, 20.0])
    expected = np.array([[22.5, 12.5], [-2.5, 35.0]])
    np.testing.assert_allclose(project_points(pts, focal, princpt), expected)
    out = project_points(
        torch.tensor(pts), torch.tensor(focal), torch.tensor(princpt)
    )
    np.testing.assert_allclose(out.numpy(), expected)
    moved = to_common_camera(
        torch.tensor(pts), focal, princpt, (200, 200), (0, 0)
    )
    np.testing.assert_allclose(
        project_points(moved.numpy(), (200, 200), (0, 0)), expected
    )
