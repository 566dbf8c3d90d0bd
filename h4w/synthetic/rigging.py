"""Rigging of the procedural mannequin: skinning, regressors, blend shapes.

All functions are plain numpy and deterministic given their inputs (the
random ones take a ``numpy.random.Generator``).
"""

from __future__ import annotations

import numpy as np

from .mesh_ops import MIRROR


def smoothstep(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Cubic ramp from 0 at ``lo`` to 1 at ``hi`` (either order)."""
    t = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def bump(points: np.ndarray, centre, radius: float) -> np.ndarray:
    """Smooth compactly supported bump (N,), 1 at ``centre``."""
    d2 = np.sum((points - np.asarray(centre)) ** 2, axis=1) / radius**2
    return np.maximum(1.0 - d2, 0.0) ** 2


def segment_distance(
    points: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Distances (N, B) from points (N, 3) to segments (B, 3)-(B, 3)."""
    axis = end - start
    rel = points[:, None] - start[None]
    t = np.clip(
        np.sum(rel * axis, axis=2)
        / np.maximum(np.sum(axis * axis, axis=1), 1e-12),
        0.0,
        1.0,
    )
    return np.linalg.norm(rel - t[..., None] * axis, axis=2)


def skinning_weights(
    verts: np.ndarray,
    candidates: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    sigma: np.ndarray,
) -> np.ndarray:
    """Bone-distance skinning weights.

    Each vertex is bound to its candidate bones with weights
    ``exp(-(d_b^2 - d_min^2) / (2 sigma^2))``, so blending happens within
    about ``sigma`` of a joint along the bones.

    Args:
        verts: Positions (V, 3).
        candidates: Allowed joints per vertex, boolean (V, J).
        starts: Bone start points (J, 3) (the joints).
        ends: Bone end points (J, 3).
        sigma: Blend length per vertex (V,).

    Returns:
        Weights (V, J) with rows summing to 1.
    """
    d2 = segment_distance(verts, starts, ends) ** 2
    d2 = np.where(candidates, d2, np.inf)
    logits = -(d2 - d2.min(axis=1, keepdims=True)) / (2 * sigma[:, None] ** 2)
    weights = np.where(candidates, np.exp(logits), 0.0)
    weights[weights < 1e-4] = 0.0
    return weights / weights.sum(axis=1, keepdims=True)


def _tilted_mean_weights(
    points: np.ndarray, target: np.ndarray, sigma: float
) -> tuple[np.ndarray, float]:
    """Positive weights (K,) whose weighted mean of points is ``target``.

    Gaussian weights around the target are exponentially tilted, with the
    tilt found by Newton's method on the log-partition function.

    Returns:
        The weights and the remaining distance of the mean to the target.
    """
    rel = points - target
    base = -np.sum(rel * rel, axis=1) / (2 * sigma**2)
    lam = np.zeros(3)
    best = (None, np.inf)
    for _ in range(60):
        logits = base + rel @ lam
        w = np.exp(logits - logits.max())
        w /= w.sum()
        mean = w @ rel
        err = float(np.linalg.norm(mean))
        if err < best[1]:
            best = (w, err)
        if err < 1e-7:
            break
        centred = rel - mean
        cov = (centred * w[:, None]).T @ centred + 1e-10 * np.eye(3)
        step = np.linalg.solve(cov, mean)
        lam -= step / max(1.0, np.linalg.norm(step) * sigma / 4)
    return best


def joint_regressor(
    verts: np.ndarray,
    targets: np.ndarray,
    allowed: np.ndarray | None = None,
    start_k: int = 24,
    max_k: int = 800,
    tol: float = 5e-4,
) -> np.ndarray:
    """Convex vertex combinations reproducing target points.

    Args:
        verts: Positions (V, 3).
        targets: Points (J, 3) to reproduce.
        allowed: Optional boolean (J, V) of usable vertices per row.
        start_k: Initial number of nearest vertices used.
        max_k: Largest neighbourhood tried.
        tol: Accepted residual in metres.

    Returns:
        Nonnegative regressor (J, V) with rows summing to 1 and
        ``regressor @ verts`` close to ``targets``.
    """
    regressor = np.zeros((len(targets), len(verts)))
    for j, target in enumerate(targets):
        ids = (
            np.arange(len(verts))
            if allowed is None
            else np.flatnonzero(allowed[j])
        )
        order = ids[
            np.argsort(
                np.linalg.norm(verts[ids] - target, axis=1), kind='stable'
            )
        ]
        k = start_k
        while True:
            near = order[:k]
            sigma = np.linalg.norm(verts[near[-1]] - target) + 1e-3
            w, err = _tilted_mean_weights(verts[near], target, sigma)
            if err < tol or k >= min(max_k, len(order)):
                break
            k *= 2
        w[w < 1e-5] = 0.0
        regressor[j, near] = w / w.sum()
    return regressor


def pose_correctives(
    normals: np.ndarray,
    weights: np.ndarray,
    parents: np.ndarray,
    rng: np.random.Generator,
    scale: float = 0.004,
) -> np.ndarray:
    """Small smooth pose blend shapes (V, 3, 9 * (J - 1)).

    The corrective of joint ``j`` bulges along the normals where the skin
    is shared by ``j`` and its parent.
    """
    blocks = []
    for j in range(1, len(parents)):
        shared = 4.0 * weights[:, j] * weights[:, parents[j]]
        coeffs = scale * rng.standard_normal(9)
        blocks.append(
            shared[:, None, None] * normals[:, :, None] * coeffs[None, None]
        )
    return np.concatenate(blocks, axis=2)


def random_fields(
    points: np.ndarray,
    count: int,
    rng: np.random.Generator,
    frequency: float = 3.0,
    num_features: int = 48,
) -> np.ndarray:
    """Smooth random displacement fields (N, 3, count), unit max norm.

    Fields are random combinations of low-frequency Fourier features of
    the positions.
    """
    omega = rng.standard_normal((3, num_features)) * frequency
    phase = rng.uniform(0, 2 * np.pi, num_features)
    features = np.cos(points @ omega + phase)
    coeffs = rng.standard_normal((num_features, 3 * count))
    fields = (features @ coeffs).reshape(len(points), 3, count)
    fields -= fields.mean(axis=0, keepdims=True)
    peak = np.linalg.norm(fields, axis=1).max(axis=0)
    return fields / np.maximum(peak, 1e-12)


def symmetrize_fields(fields: np.ndarray, mirror: np.ndarray) -> np.ndarray:
    """Makes displacement fields (V, 3, K) mirror symmetric."""
    return 0.5 * (fields + fields[mirror] * MIRROR[None, :, None])


def decaying(count: int, first: float, rate: float) -> np.ndarray:
    """Amplitudes (count,) ``first / (1 + rate * i)``."""
    return first / (1.0 + rate * np.arange(count))


def orthonormal_pca(
    samples: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PCA of samples (N, D).

    Returns:
        Mean (D,), orthonormal components (D, D) as rows by decreasing
        variance, and coefficients (N, D).
    """
    mean = samples.mean(axis=0)
    _, _, vt = np.linalg.svd(samples - mean, full_matrices=False)
    return mean, vt, (samples - mean) @ vt.T


def mirror_axis_angles(poses: np.ndarray) -> np.ndarray:
    """Mirror (x -> -x) of axis-angle poses (..., 3K)."""
    flat = poses.reshape(*poses.shape[:-1], -1, 3) * np.array([1, -1, -1])
    return flat.reshape(poses.shape)


def closest_faces(
    points: np.ndarray,
    verts: np.ndarray,
    faces: np.ndarray,
    allowed: np.ndarray,
    k: int = 12,
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest allowed face and barycentric coordinates for points.

    Candidate faces are those around the ``k`` nearest vertices of allowed
    faces; the barycentric coordinates of the projection are clamped to
    the triangle.

    Args:
        points: Query points (N, 3).
        verts: Positions (V, 3).
        faces: Triangles (F, 3).
        allowed: Boolean (F,) of usable faces.
        k: Number of nearest vertices whose faces are tried.

    Returns:
        Face indices (N,) and barycentric coordinates (N, 3).
    """
    allowed_ids = np.flatnonzero(allowed)
    usable = np.unique(faces[allowed_ids])
    d = np.linalg.norm(points[:, None] - verts[usable][None], axis=2)
    near = usable[np.argsort(d, axis=1, kind='stable')[:, :k]]
    out_f = np.zeros(len(points), np.int64)
    out_b = np.zeros((len(points), 3))
    sub = faces[allowed_ids]
    for i, point in enumerate(points):
        cand = allowed_ids[np.isin(sub, near[i]).any(axis=1)]
        bary = _clamped_barycentric(point, verts[faces[cand]])
        proj = np.einsum('fk,fkd->fd', bary, verts[faces[cand]])
        best = int(np.argmin(np.linalg.norm(proj - point, axis=1)))
        out_f[i], out_b[i] = cand[best], bary[best]
    return out_f, out_b


def _clamped_barycentric(point: np.ndarray, tris: np.ndarray) -> np.ndarray:
    a, b, c = tris[:, 0], tris[:, 1], tris[:, 2]
    v0, v1, v2 = b - a, c - a, point - a
    d00 = np.sum(v0 * v0, axis=1)
    d01 = np.sum(v0 * v1, axis=1)
    d11 = np.sum(v1 * v1, axis=1)
    d20 = np.sum(v2 * v0, axis=1)
    d21 = np.sum(v2 * v1, axis=1)
    denom = np.maximum(d00 * d11 - d01 * d01, 1e-20)
    v = (d11 * d20 - d01 * d21) / denom
    w = (d00 * d21 - d01 * d20) / denom
    bary = np.clip(np.stack([1 - v - w, v, w], axis=1), 0.0, None)
    return bary / bary.sum(axis=1, keepdims=True)
