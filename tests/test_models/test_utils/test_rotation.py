"""6D / rotation-matrix / axis-angle conversions (spec §2.13, App. B),
checked against cv2.Rodrigues in float64."""

import cv2
import numpy as np
import pytest
import torch

from h4w.models.utils import (
    axis_angle_to_rotmat,
    flip_axis_angle,
    rot6d_to_axis_angle,
    rot6d_to_rotmat,
    rotmat_to_axis_angle,
)


def random_axis_angles(num, seed=0, max_angle=np.pi):
    rng = np.random.default_rng(seed)
    axis = rng.normal(size=(num, 3))
    axis /= np.linalg.norm(axis, axis=1, keepdims=True)
    angle = rng.uniform(0, max_angle, (num, 1))
    return axis * angle


def cv2_rotmat(aa):
    return np.stack([cv2.Rodrigues(a)[0] for a in aa])


def cv2_axis_angle(rotmats):
    return np.stack([cv2.Rodrigues(r)[0][:, 0] for r in rotmats])


def to_6d(rotmats):
    """Row-major first two columns: [R00, R01, R10, R11, R20, R21]."""
    return rotmats[:, :, :2].reshape(-1, 6)


def test_appendix_b_values():
    out = rot6d_to_axis_angle(
        torch.tensor([[1.0, 0, 0, 1, 0, 0], [0, -1, 1, 0, 0, 0]])
    )
    torch.testing.assert_close(
        out, torch.tensor([[0.0, 0, 0], [0, 0, np.pi / 2]])
    )


@pytest.mark.parametrize(
    'angles', ['generic', 'near_zero', 'near_pi', 'exact_zero']
)
def test_rot6d_to_axis_angle_matches_cv2(angles):
    if angles == 'generic':
        aa = random_axis_angles(500, max_angle=3.0)
    elif angles == 'near_zero':
        aa = random_axis_angles(200, seed=1, max_angle=1e-4)
    elif angles == 'near_pi':
        aa = random_axis_angles(200, seed=2)
        aa = (
            aa
            / np.linalg.norm(aa, axis=1, keepdims=True)
            * (np.pi - np.random.default_rng(3).uniform(1e-6, 1e-2, (200, 1)))
        )
    else:
        aa = np.zeros((4, 3))
    rot = cv2_rotmat(aa)
    x = torch.from_numpy(to_6d(rot))
    out = rot6d_to_axis_angle(x).numpy()
    # near pi the axis sign is ambiguous: compare the rotations
    np.testing.assert_allclose(cv2_rotmat(out), rot, atol=1e-9)
    if angles != 'near_pi':
        # cv2 returns zero below 1e-5 rad; the input is the exact answer
        np.testing.assert_allclose(out, aa, atol=1e-9)
        if angles == 'generic':
            np.testing.assert_allclose(out, cv2_axis_angle(rot), atol=1e-9)
    assert np.all(np.linalg.norm(out, axis=1) <= np.pi + 1e-9)
    # float32, as the network runs
    out32 = rot6d_to_axis_angle(x.float()).double().numpy()
    np.testing.assert_allclose(cv2_rotmat(out32), rot, atol=2e-5)


def test_gram_schmidt_normalises_any_6d():
    x = torch.randn(100, 6, dtype=torch.float64) * 3
    rot = rot6d_to_rotmat(x)
    eye = torch.eye(3, dtype=torch.float64).expand(100, 3, 3)
    torch.testing.assert_close(rot.transpose(1, 2) @ rot, eye)
    torch.testing.assert_close(
        torch.linalg.det(rot), torch.ones(100, dtype=torch.float64)
    )
    # first column is the normalised first input column
    a1 = x.reshape(-1, 3, 2)[:, :, 0]
    torch.testing.assert_close(rot[:, :, 0], a1 / a1.norm(dim=1, keepdim=True))


def test_batch_of_three_is_not_crossed_over_the_batch():
    """The reference's torch.cross without dim is wrong for M == 3."""
    x = torch.randn(3, 6, dtype=torch.float64)
    batched = rot6d_to_axis_angle(x)
    single = torch.cat([rot6d_to_axis_angle(row[None]) for row in x])
    torch.testing.assert_close(batched, single)


def test_axis_angle_to_rotmat_matches_cv2():
    aa = np.concatenate(
        [
            random_axis_angles(300, seed=4),
            np.zeros((2, 3)),
            random_axis_angles(10, seed=5, max_angle=1e-7),
        ]
    )
    out = axis_angle_to_rotmat(torch.from_numpy(aa)).numpy()
    np.testing.assert_allclose(out, cv2_rotmat(aa), atol=1e-12)
    back = rotmat_to_axis_angle(torch.from_numpy(out)).numpy()
    np.testing.assert_allclose(back, aa, atol=1e-9)


def test_gradients_are_finite_at_identity():
    x = torch.tensor([[1.0, 0, 0, 1, 0, 0]], requires_grad=True)
    rot6d_to_axis_angle(x).sum().backward()
    assert torch.isfinite(x.grad).all()


def test_flip_axis_angle_mirrors_the_rotation():
    """(x, y, z) -> (x, -y, -z) is R -> M R M with M = diag(-1, 1, 1):
    the rotation seen in a left-right mirror (spec §2.10, §5.1 step 13)."""
    aa = torch.from_numpy(random_axis_angles(50, seed=6))
    mirror = torch.diag(torch.tensor([-1.0, 1.0, 1.0], dtype=torch.float64))
    torch.testing.assert_close(
        axis_angle_to_rotmat(flip_axis_angle(aa)),
        mirror @ axis_angle_to_rotmat(aa) @ mirror,
    )
