import doctest

import numpy as np
import pytest

from h4w.evaluation.functional import (
    mean_point_error,
    mesh_eval,
    rigid_align,
    rigid_transform,
)

from tests.test_evaluation.eval_reference import (
    horn_align,
    horn_similarity,
    mean_distance,
    random_rotation,
)


def random_mesh(rng, n=300):
    """An anisotropic random point cloud (metres)."""
    return rng.normal(size=(n, 3)) * np.array([0.3, 0.8, 0.15])


@pytest.mark.parametrize('seed', range(5))
def test_rigid_transform_recovers_similarity(seed):
    rng = np.random.default_rng(seed)
    A = random_mesh(rng)
    R_true = random_rotation(rng)
    c_true = rng.uniform(0.3, 3.0)
    t_true = rng.normal(size=3)
    B = c_true * A @ R_true.T + t_true

    c, R, t = rigid_transform(A, B)
    assert isinstance(c, float)
    np.testing.assert_allclose(c, c_true, rtol=1e-10)
    np.testing.assert_allclose(R, R_true, atol=1e-10)
    np.testing.assert_allclose(t, t_true, atol=1e-10)
    np.testing.assert_allclose(rigid_align(A, B), B, atol=1e-10)

    # With noise the fit is close to the truth and equals the reference.
    B_noisy = B + rng.normal(scale=1e-3, size=B.shape)
    c, R, t = rigid_transform(A, B_noisy)
    c_ref, R_ref, t_ref = horn_similarity(A, B_noisy)
    np.testing.assert_allclose(c, c_true, rtol=1e-2)
    np.testing.assert_allclose(R, R_true, atol=1e-2)
    np.testing.assert_allclose(c, c_ref, rtol=1e-9)
    np.testing.assert_allclose(R, R_ref, atol=1e-9)
    np.testing.assert_allclose(t, t_ref, atol=1e-9)
    assert np.isclose(np.linalg.det(R), 1.0)


def test_rigid_transform_without_scale():
    rng = np.random.default_rng(10)
    A = random_mesh(rng)
    R_true = random_rotation(rng)
    B = 2.5 * A @ R_true.T + np.array([0.1, -0.2, 3.0])
    c, R, t = rigid_transform(A, B, with_scale=False)
    assert c == 1.0
    np.testing.assert_allclose(R, R_true, atol=1e-10)
    c_ref, R_ref, t_ref = horn_similarity(A, B, with_scale=False)
    np.testing.assert_allclose(t, t_ref, atol=1e-9)
    np.testing.assert_allclose(
        rigid_align(A, B, with_scale=False), horn_align(A, B, False), atol=1e-9
    )


@pytest.mark.parametrize('seed', range(3))
def test_reflection_gives_a_rotation(seed):
    rng = np.random.default_rng(100 + seed)
    A = random_mesh(rng)
    mirror = np.diag([1.0, 1.0, -1.0]) @ random_rotation(rng)
    B = 0.7 * A @ mirror.T + rng.normal(scale=1e-3, size=A.shape)
    # Precondition: the unconstrained orthogonal fit is a reflection.
    U, _, Vt = np.linalg.svd((A - A.mean(0)).T @ (B - B.mean(0)))
    assert np.linalg.det(Vt.T @ U.T) < 0

    c, R, t = rigid_transform(A, B)
    assert np.isclose(np.linalg.det(R), 1.0)
    np.testing.assert_allclose(R @ R.T, np.eye(3), atol=1e-12)
    c_ref, R_ref, t_ref = horn_similarity(A, B)
    np.testing.assert_allclose(c, c_ref, rtol=1e-9)
    np.testing.assert_allclose(R, R_ref, atol=1e-9)
    np.testing.assert_allclose(t, t_ref, atol=1e-9)


@pytest.mark.parametrize('seed', range(5))
def test_rigid_align_unrelated_points_match_reference(seed):
    rng = np.random.default_rng(200 + seed)
    n = int(rng.integers(4, 60))
    A = rng.normal(size=(n, 3))
    B = rng.uniform(-2, 2, size=(n, 3))
    aligned = rigid_align(A, B)
    reference = horn_align(A, B)
    np.testing.assert_allclose(aligned, reference, atol=1e-8)
    assert (
        abs(mean_point_error(A, B, 'procrustes') - mean_distance(reference, B))
        < 1e-8
    )


def test_batched_equals_per_sample():
    rng = np.random.default_rng(7)
    A = rng.normal(size=(6, 40, 3))
    B = rng.normal(size=(6, 40, 3))
    # Make some samples reflections and some near-similarities, so both
    # branches of the determinant fix run in one batch.
    B[:3] = A[:3] @ np.diag([1.0, -1.0, 1.0]) + 0.01 * B[:3]
    B[3:] = 2 * A[3:] + 0.01 * B[3:]
    c, R, t = rigid_transform(A, B)
    assert c.shape == (6,) and R.shape == (6, 3, 3) and t.shape == (6, 3)
    aligned = rigid_align(A, B)
    for i in range(6):
        ci, Ri, ti = rigid_transform(A[i], B[i])
        np.testing.assert_allclose(c[i], ci, rtol=1e-12)
        np.testing.assert_allclose(R[i], Ri, atol=1e-12)
        np.testing.assert_allclose(t[i], ti, atol=1e-12)
        np.testing.assert_allclose(
            aligned[i], horn_align(A[i], B[i]), atol=1e-8
        )
    errors = mean_point_error(A, B, 'procrustes')
    assert errors.shape == (6,)
    np.testing.assert_allclose(
        errors,
        [mean_distance(horn_align(a, b), b) for a, b in zip(A, B)],
        atol=1e-8,
    )


def test_mean_point_error_alignments():
    rng = np.random.default_rng(3)
    gt = rng.normal(size=(2, 50, 3))
    shift = np.array([0.03, -0.04, 0.0])  # norm 0.05
    pred = gt + shift

    none = mean_point_error(pred, gt)
    np.testing.assert_allclose(none, [0.05, 0.05], atol=1e-12)
    np.testing.assert_allclose(
        mean_point_error(pred, gt, 'procrustes'), 0, atol=1e-10
    )
    np.testing.assert_allclose(
        mean_point_error(
            pred, gt, 'translation', pred_root=pred[:, 0], gt_root=gt[:, 0]
        ),
        0,
        atol=1e-12,
    )

    noisy = gt + rng.normal(scale=0.01, size=gt.shape)
    for i in range(2):
        assert (
            abs(
                mean_point_error(noisy[i], gt[i])
                - mean_distance(noisy[i], gt[i])
            )
            < 1e-12
        )
        # Translation alignment by anchor points (e.g. a pelvis joint).
        moved = noisy[i] + shift
        expected = mean_distance(moved - moved[5] + gt[i][5], gt[i])
        got = mean_point_error(
            moved, gt[i], 'translation', pred_root=moved[5], gt_root=gt[i][5]
        )
        assert np.shape(got) == ()
        assert abs(got - expected) < 1e-12


def test_mean_point_error_valid_mask():
    rng = np.random.default_rng(4)
    gt = rng.normal(size=(2, 30, 3))
    pred = gt + rng.normal(scale=0.05, size=gt.shape)
    valid = rng.random((2, 30)) > 0.3
    pred[~valid] += 100.0  # invalid points must not matter
    for alignment in ('none', 'procrustes'):
        errors = mean_point_error(pred, gt, alignment, valid=valid)
        for i in range(2):
            p, g = pred[i][valid[i]], gt[i][valid[i]]
            if alignment == 'procrustes':
                p = horn_align(p, g)
            assert abs(errors[i] - mean_distance(p, g)) < 1e-8
    # A 1-D mask applies to every sample.
    np.testing.assert_allclose(
        mean_point_error(pred, gt, valid=valid[0].astype(float)),
        [mean_distance(pred[i][valid[0]], gt[i][valid[0]]) for i in range(2)],
        atol=1e-12,
    )


def test_bad_arguments():
    A = np.zeros((5, 3))
    with pytest.raises(ValueError, match='alignment'):
        mean_point_error(A, A, 'scale')
    with pytest.raises(ValueError, match='pred_root'):
        mean_point_error(A, A, 'translation')
    with pytest.raises(ValueError, match='shape|must'):
        mean_point_error(A, np.zeros((4, 3)))
    with pytest.raises(ValueError):
        rigid_transform(np.zeros((5, 2)), np.zeros((5, 2)))


def test_docstring_examples():
    result = doctest.testmod(mesh_eval)
    assert result.attempted > 0 and result.failed == 0
