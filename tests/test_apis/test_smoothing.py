"""One-Euro filter, 6D rotation helpers and the per-track param smoother."""

import math

import numpy as np
import pytest

from h4w.apis import (
    OneEuroFilter,
    ParamSmoother,
    axis_angle_to_rot6d,
    rot6d_to_axis_angle,
)

FPS = 30.0


def _rodrigues(aa) -> np.ndarray:
    """(3,) axis-angle -> (3, 3), written out here, not taken from h4w."""
    aa = np.asarray(aa, dtype=np.float64)
    theta = np.linalg.norm(aa)
    if theta == 0:
        return np.eye(3)
    k = aa / theta
    skew = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(theta) * skew + (1 - np.cos(theta)) * skew @ skew


def _geodesic(aa1, aa2) -> float:
    """Angle (radians) of the rotation between two axis-angles."""
    rel = _rodrigues(aa1).T @ _rodrigues(aa2)
    return float(np.arccos(np.clip((np.trace(rel) - 1) / 2, -1.0, 1.0)))


def _jitter(seq: np.ndarray) -> float:
    return float(np.abs(np.diff(seq, axis=0)).mean())


def _run(filt: OneEuroFilter, seq: np.ndarray) -> np.ndarray:
    return np.stack([filt(x, i / FPS) for i, x in enumerate(seq)])


def test_one_euro_recurrences_by_hand():
    filt = OneEuroFilter(min_cutoff=1.0, beta=0.5, d_cutoff=2.0)
    x0 = np.array([[0.0, 1.0]], dtype=np.float32)
    out = filt(x0, 0.0)
    assert out is not x0 and out.dtype == np.float32
    np.testing.assert_array_equal(out, x0)
    x1 = np.array([[1.0, 1.0]], dtype=np.float32)
    te = 0.1

    def alpha(cutoff):
        return 1 / (1 + 1 / (2 * math.pi * cutoff) / te)

    dx = alpha(2.0) * (x1 - x0) / te  # previous speed 0
    cutoff = 1.0 + 0.5 * np.abs(dx)
    expected = alpha(cutoff) * x1 + (1 - alpha(cutoff)) * x0
    out = filt(x1, te)
    assert out.shape == (1, 2) and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    # 0.386 with beta = 0; the speed term raises the cutoff to 3.8 Hz
    assert out[0, 1] == 1.0 and 0.70 < out[0, 0] < 0.71
    with pytest.raises(ValueError):
        filt(x1, te)  # time must increase
    with pytest.raises(ValueError):
        filt(np.zeros(3), 1.0)  # shape must stay
    filt.reset()
    np.testing.assert_array_equal(filt(x1, 5.0), x1)


def test_one_euro_noisy_constant():
    rng = np.random.default_rng(0)
    truth = np.full((120, 3), 2.0)
    noisy = truth + rng.normal(0, 0.1, truth.shape)
    out = _run(OneEuroFilter(min_cutoff=1.0), noisy)
    assert _jitter(out) < 0.25 * _jitter(noisy)
    err_in = np.abs(noisy - truth)[15:].mean()
    assert np.abs(out - truth)[15:].mean() < 0.5 * err_in
    assert np.abs(out - truth)[15:].max() < 0.15


def test_one_euro_noisy_sine_and_beta_cuts_lag():
    rng = np.random.default_rng(1)
    t = np.arange(150) / FPS
    truth = np.sin(2 * np.pi * 0.25 * t)[:, None] * np.ones(3)
    noisy = truth + rng.normal(0, 0.1, truth.shape)
    out = _run(OneEuroFilter(min_cutoff=0.5, beta=1.0), noisy)
    assert _jitter(out) < 0.5 * _jitter(noisy)
    err = np.abs(out - truth)[15:]
    assert err.mean() < np.abs(noisy - truth)[15:].mean()
    assert err.max() < 0.25
    # beta = 0: a plain low-pass filter that lags the motion much more
    lagged = _run(OneEuroFilter(min_cutoff=0.5, beta=0.0), noisy)
    assert np.abs(lagged - truth)[15:].mean() > 2 * err.mean()


def _random_axis_angles(rng, angles) -> np.ndarray:
    axes = rng.normal(size=(len(angles), 3))
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    return axes * np.asarray(angles)[:, None]


def test_rot6d_layout_is_the_first_two_columns():
    aa = _random_axis_angles(np.random.default_rng(2), [0.4, 2.0, 3.0])
    r6 = axis_angle_to_rot6d(aa)
    assert r6.shape == (3, 6)
    for a, r in zip(aa, r6):
        np.testing.assert_allclose(r, _rodrigues(a)[:, :2].reshape(6))
    np.testing.assert_allclose(
        axis_angle_to_rot6d(np.array([0.0, 0.0, np.pi / 2])),
        [0.0, -1.0, 1.0, 0.0, 0.0, 0.0],
        atol=1e-15,
    )


def test_rot6d_round_trips_near_zero_and_pi():
    rng = np.random.default_rng(3)
    eps = [0.0, 1e-12, 1e-8, 1e-5, 1e-3]
    angles = np.concatenate(
        [
            rng.uniform(0, np.pi, 200),
            eps,
            np.pi - np.array(eps[1:]),
            [np.pi],
        ]
    )
    aa = _random_axis_angles(rng, angles)
    back = rot6d_to_axis_angle(axis_angle_to_rot6d(aa))
    assert back.shape == aa.shape and back.dtype == np.float64
    assert np.isfinite(back).all()
    for a, b in zip(aa, back):
        np.testing.assert_allclose(_rodrigues(b), _rodrigues(a), atol=1e-9)
    # below pi the axis-angle itself comes back (at pi: +-axis)
    below = angles < np.pi - 1e-6
    np.testing.assert_allclose(back[below], aa[below], atol=1e-9)
    # any batch shape; Gram-Schmidt orthonormalises scaled, skewed input
    r6 = axis_angle_to_rot6d(aa[:10].reshape(2, 5, 3)).reshape(2, 5, 3, 2)
    skewed = r6 * [3.0, 0.5] + r6[..., :1] * [0.0, 0.7]
    np.testing.assert_allclose(
        rot6d_to_axis_angle(skewed.reshape(2, 5, 6)),
        back[:10].reshape(2, 5, 3),
        atol=1e-9,
    )


def _noisy_rotations_near_pi(rng, axis, angle, num, sigma=0.06):
    """Axis-angles (angle in [0, pi]) of noisy rotations around
    ``axis * angle``; noise past pi flips the vector to the other side."""
    out = []
    for _ in range(num):
        theta = angle + rng.normal(0, sigma)
        n = axis + rng.normal(0, sigma / 2, 3)
        n /= np.linalg.norm(n)
        if theta > np.pi:
            theta, n = 2 * np.pi - theta, -n
        out.append(n * theta)
    return np.asarray(out, dtype=np.float32)


def test_param_smoother_rotation_near_pi():
    rng = np.random.default_rng(4)
    axis = np.array([1.0, 2.0, -0.5]) / np.linalg.norm([1.0, 2.0, -0.5])
    truth = axis * (np.pi - 0.03)
    root = _noisy_rotations_near_pi(rng, axis, np.pi - 0.03, 90)
    assert (root @ truth < 0).sum() > 10  # many flipped vectors
    body_truth = rng.uniform(-0.5, 0.5, 63)
    smoother = ParamSmoother(fps=FPS, min_cutoff=1.0)
    outs = []
    for i, r in enumerate(root):
        params = dict(
            root_pose=r,
            body_pose=(body_truth + rng.normal(0, 0.05, 63)).reshape(21, 3),
            cam_trans=np.array([0.1, 0.2, 5.0]) + rng.normal(0, 0.05, 3),
            shape=rng.normal(0, 0.05, 10).astype(np.float32),
        )
        out = smoother(track_id=7, params=params, frame_index=i)
        assert list(out) == list(params)
        for key in params:
            assert out[key].shape == params[key].shape
            assert out[key].dtype == params[key].dtype
            assert out[key] is not params[key]
        outs.append(out)
    smooth = np.array([o['root_pose'] for o in outs])
    # frame-to-frame rotation jitter
    jit_in = np.mean([_geodesic(a, b) for a, b in zip(root, root[1:])])
    jit_out = np.mean([_geodesic(a, b) for a, b in zip(smooth, smooth[1:])])
    assert jit_out < 0.3 * jit_in
    # close to the truth
    err_in = np.mean([_geodesic(a, truth) for a in root[15:]])
    err_out = [_geodesic(a, truth) for a in smooth[15:]]
    assert np.mean(err_out) < 0.5 * err_in and max(err_out) < 0.1
    # a filter of the raw axis-angle vectors fails here
    naive = _run(OneEuroFilter(min_cutoff=1.0), root)
    assert np.mean([_geodesic(a, truth) for a in naive[15:]]) > 0.5
    # body pose (moderate angles) and the other keys are smoothed too
    body = np.array([o['body_pose'] for o in outs]).reshape(90, 21, 3)
    err = [
        _geodesic(b, t) for b, t in zip(body[-1], body_truth.reshape(-1, 3))
    ]
    assert max(err) < 0.05
    cams = np.array([o['cam_trans'] for o in outs])
    assert np.abs(cams[15:] - [0.1, 0.2, 5.0]).mean() < 0.02


def test_param_smoother_tracks_are_independent_and_restart():
    rng = np.random.default_rng(5)
    seq_a = rng.normal(0, 0.3, (20, 3))
    seq_b = rng.normal(2.0, 0.3, (20, 3))
    alone = ParamSmoother(fps=FPS)
    expected = [
        alone(0, {'cam_trans': a, 'root_pose': a}, i)
        for i, a in enumerate(seq_a)
    ]
    both = ParamSmoother(fps=FPS)
    for i, (a, b) in enumerate(zip(seq_a, seq_b)):
        out_b = both(1, {'cam_trans': b, 'root_pose': b}, i)
        out_a = both(0, {'cam_trans': a, 'root_pose': a}, i)
        for key in ('cam_trans', 'root_pose'):
            np.testing.assert_allclose(out_a[key], expected[i][key])
        assert not np.allclose(out_a['cam_trans'], out_b['cam_trans'])
    # smoothed: not the input
    assert not np.allclose(out_a['cam_trans'], seq_a[-1])
    # reset of one track: it starts again from its input, the other not
    both.reset(0)
    x = np.array([5.0, 5.0, 5.0])
    np.testing.assert_array_equal(
        both(0, {'cam_trans': x}, 20)['cam_trans'], x
    )
    assert not np.allclose(both(1, {'cam_trans': x}, 20)['cam_trans'], x)
    # back after a gap of more than one second: restarted
    later = 20 + int(1.5 * FPS)
    np.testing.assert_array_equal(
        both(1, {'cam_trans': x}, later)['cam_trans'], x
    )
    # within one second: not restarted
    y = np.zeros(3)
    assert not np.allclose(
        both(1, {'cam_trans': y}, later + 10)['cam_trans'], y
    )
    with pytest.raises(ValueError):
        both(2, {'body_pose': np.zeros(4)}, 0)
