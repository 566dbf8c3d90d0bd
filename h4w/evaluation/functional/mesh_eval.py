"""Point-set errors of Hand4Whole's evaluation (spec §6.1), pure NumPy.

The rigid (similarity) alignment is the Umeyama / Procrustes fit that
Hand4Whole calls ``rigid_transform_3D``: prediction ``A`` is mapped onto
ground truth ``B`` by a scale, a proper rotation and a translation.
"""

from typing import Optional, Tuple, Union

import numpy as np

ALIGNMENTS = ('none', 'translation', 'procrustes')


def rigid_transform(
    A: np.ndarray, B: np.ndarray, with_scale: bool = True
) -> Tuple[Union[float, np.ndarray], np.ndarray, np.ndarray]:
    """Least-squares similarity transform that maps ``A`` onto ``B``.

    Spec §6.1: centroids ``mu_A``, ``mu_B``;
    ``H = (A - mu_A)^T (B - mu_B) / n``; ``H = U diag(s) V^T``;
    ``R = V U^T``; when ``det(R) < 0`` the last singular value and the last
    row of ``V^T`` are negated and ``R`` is recomputed (so ``R`` is always
    a rotation); ``c = sum(s) / sum_axes var(A)`` (population variance);
    ``t = mu_B - c R mu_A``.

    Args:
        A (np.ndarray): Prediction, (n, 3) or batched (N, n, 3).
        B (np.ndarray): Ground truth of the same shape as ``A``.
        with_scale (bool): Fit the scale ``c``; when False, ``c = 1``
            (rigid fit: rotation and translation only). Defaults to True.

    Returns:
        tuple: ``(c, R, t)`` such that ``c * R @ a + t`` approximates the
        matching row ``b`` of ``B``. ``c`` is a float (a (N,) array for
        batched input), ``R`` (3, 3) or (N, 3, 3), ``t`` (3,) or (N, 3).

    Note:
        - N: number of samples (optional batch dimension).
        - n: number of points per sample.

        A degenerate ``A`` (all points equal) has zero variance and gives
        a non-finite scale, as the reference does.
    """
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    if A.shape != B.shape or A.ndim not in (2, 3) or A.shape[-1] != 3:
        raise ValueError(
            'A and B must both be (n, 3) or (N, n, 3), got '
            f'{A.shape} and {B.shape}'
        )
    mu_a = A.mean(axis=-2, keepdims=True)
    mu_b = B.mean(axis=-2, keepdims=True)
    A0 = A - mu_a
    B0 = B - mu_b
    H = np.swapaxes(A0, -1, -2) @ B0 / A.shape[-2]
    U, s, Vt = np.linalg.svd(H)
    R = np.swapaxes(Vt, -1, -2) @ np.swapaxes(U, -1, -2)
    reflection = np.linalg.det(R) < 0
    if np.any(reflection):
        s = s.copy()
        Vt = Vt.copy()
        s[..., -1] = np.where(reflection, -s[..., -1], s[..., -1])
        Vt[..., -1, :] = np.where(
            reflection[..., None], -Vt[..., -1, :], Vt[..., -1, :]
        )
        R = np.swapaxes(Vt, -1, -2) @ np.swapaxes(U, -1, -2)
    if with_scale:
        c = s.sum(axis=-1) / A.var(axis=-2).sum(axis=-1)
    else:
        c = np.ones(s.shape[:-1])
    t = mu_b[..., 0, :] - c[..., None] * (R @ mu_a[..., 0, :, None])[..., 0]
    if A.ndim == 2:
        c = float(c)
    return c, R, t


def rigid_align(
    A: np.ndarray, B: np.ndarray, with_scale: bool = True
) -> np.ndarray:
    """``A`` mapped onto ``B`` by :func:`rigid_transform`.

    Args:
        A (np.ndarray): Prediction, (n, 3) or (N, n, 3).
        B (np.ndarray): Ground truth of the same shape.
        with_scale (bool): Fit the scale too. Defaults to True.

    Returns:
        np.ndarray: ``c * A R^T + t``, float64, shape of ``A``.

    Note:
        - N: number of samples (optional batch dimension).
        - n: number of points per sample.

    Examples:
        >>> import numpy as np
        >>> B = np.array([[0., 0., 0.], [1., 0., 0.], [0., 2., 0.],
        ...               [0., 0., 3.]])
        >>> R = np.array([[0., -1., 0.], [1., 0., 0.], [0., 0., 1.]])
        >>> A = 0.5 * B @ R.T + np.array([1., 2., 3.])
        >>> np.allclose(rigid_align(A, B), B)
        True
        >>> rigid_align(A[None], B[None]).shape
        (1, 4, 3)
    """
    A = np.asarray(A, dtype=np.float64)
    c, R, t = rigid_transform(A, B, with_scale=with_scale)
    c = np.asarray(c)[..., None, None]
    return c * (A @ np.swapaxes(R, -1, -2)) + t[..., None, :]


def mean_point_error(
    pred: np.ndarray,
    gt: np.ndarray,
    alignment: str = 'none',
    pred_root: Optional[np.ndarray] = None,
    gt_root: Optional[np.ndarray] = None,
    valid: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Mean Euclidean distance between matching points, per sample.

    This is MPJPE for joints and MPVPE for vertices; with
    ``alignment='procrustes'`` it is PA-MPJPE / PA-MPVPE.

    Args:
        pred (np.ndarray): Predicted points, (n, 3) or (N, n, 3).
        gt (np.ndarray): Ground-truth points of the same shape.
        alignment (str): ``'none'`` (raw distances), ``'translation'``
            (``pred - pred_root + gt_root``, e.g. pelvis or wrist aligned)
            or ``'procrustes'`` (:func:`rigid_align` of ``pred`` onto
            ``gt``, fitted on the valid points). Defaults to ``'none'``.
        pred_root (np.ndarray, optional): Anchor of the prediction, (3,) or
            (N, 3); required by ``'translation'``.
        gt_root (np.ndarray, optional): Anchor of the ground truth, same
            shape as ``pred_root``; required by ``'translation'``.
        valid (np.ndarray, optional): Point mask, (n,) or (N, n), bool or
            0/1; only the valid points enter the fit and the mean. None
            means all points.

    Returns:
        np.ndarray: Per-sample errors in the input units, float64, shape
        () for (n, 3) input and (N,) for batched input.

    Note:
        - N: number of samples (optional batch dimension).
        - n: number of points per sample.
    """
    if alignment not in ALIGNMENTS:
        raise ValueError(
            f'alignment must be one of {ALIGNMENTS}, got {alignment!r}'
        )
    pred = np.asarray(pred, dtype=np.float64)
    gt = np.asarray(gt, dtype=np.float64)
    if (
        pred.shape != gt.shape
        or pred.ndim not in (2, 3)
        or pred.shape[-1] != 3
    ):
        raise ValueError(
            'pred and gt must both be (n, 3) or (N, n, 3), got '
            f'{pred.shape} and {gt.shape}'
        )
    single = pred.ndim == 2
    if single:
        pred, gt = pred[None], gt[None]
    if alignment == 'translation':
        if pred_root is None or gt_root is None:
            raise ValueError(
                "alignment='translation' needs pred_root and gt_root"
            )
        shift = np.asarray(gt_root, dtype=np.float64) - np.asarray(
            pred_root, dtype=np.float64
        )
        pred = pred + shift.reshape(-1, 1, 3)
    if valid is None:
        if alignment == 'procrustes':
            pred = rigid_align(pred, gt)
        errors = np.linalg.norm(pred - gt, axis=-1).mean(axis=-1)
    else:
        valid = np.broadcast_to(
            np.asarray(valid).astype(bool), pred.shape[:-1]
        )
        errors = np.empty(len(pred))
        for i, (p, g, m) in enumerate(zip(pred, gt, valid)):
            p, g = p[m], g[m]
            if alignment == 'procrustes':
                p = rigid_align(p, g)
            errors[i] = np.linalg.norm(p - g, axis=-1).mean()
    return errors[0] if single else errors
