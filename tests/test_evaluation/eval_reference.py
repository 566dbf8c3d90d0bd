"""Independent reference for the evaluation tests.

Written from the maths, not from ``h4w.evaluation``: the similarity fit
uses Horn's closed-form quaternion method (the rotation is the eigenvector
of the largest eigenvalue of a symmetric 4x4 matrix, so it is always a
proper rotation) and the optimal scale given that rotation; errors are
plain Python loops over points.
"""

import numpy as np
import torch
from mmengine.structures import InstanceData

from h4w.structures import MeshDataSample


def quaternion_to_matrix(q):
    """Rotation matrix of a unit quaternion (w, x, y, z)."""
    w, x, y, z = q / np.linalg.norm(q)
    return np.array(
        [
            [
                w * w + x * x - y * y - z * z,
                2 * (x * y - w * z),
                2 * (x * z + w * y),
            ],
            [
                2 * (x * y + w * z),
                w * w - x * x + y * y - z * z,
                2 * (y * z - w * x),
            ],
            [
                2 * (x * z - w * y),
                2 * (y * z + w * x),
                w * w - x * x - y * y + z * z,
            ],
        ]
    )


def horn_similarity(src, dst, with_scale=True):
    """(c, R, t) minimising sum |c R src_i + t - dst_i|^2 (Horn 1987)."""
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    src_mean = src.sum(0) / len(src)
    dst_mean = dst.sum(0) / len(dst)
    p = src - src_mean
    q = dst - dst_mean
    S = np.zeros((3, 3))
    for a, b in zip(p, q):
        S += np.outer(a, b)
    (sxx, sxy, sxz), (syx, syy, syz), (szx, szy, szz) = S
    N = np.array(
        [
            [sxx + syy + szz, syz - szy, szx - sxz, sxy - syx],
            [syz - szy, sxx - syy - szz, sxy + syx, szx + sxz],
            [szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy],
            [sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz],
        ]
    )
    values, vectors = np.linalg.eigh(N)
    R = quaternion_to_matrix(vectors[:, np.argmax(values)])
    if with_scale:
        c = sum(float(b @ (R @ a)) for a, b in zip(p, q)) / sum(
            float(a @ a) for a in p
        )
    else:
        c = 1.0
    t = dst_mean - c * R @ src_mean
    return c, R, t


def horn_align(src, dst, with_scale=True):
    c, R, t = horn_similarity(src, dst, with_scale)
    return np.array([c * R @ a + t for a in np.asarray(src, np.float64)])


def mean_distance(a, b):
    return sum(
        float(np.sqrt(((x - y) ** 2).sum())) for x, y in zip(a, b)
    ) / len(a)


def pa_error(pred, gt):
    return mean_distance(horn_align(pred, gt), gt)


def random_rotation(rng):
    return quaternion_to_matrix(rng.normal(size=4))


def rodrigues(axis_angle):
    """Rotation of an axis-angle via the matrix exponential series."""
    r = np.asarray(axis_angle, dtype=np.float64)
    K = np.array([[0, -r[2], r[1]], [r[2], 0, -r[0]], [-r[1], r[0], 0]])
    out, term = np.eye(3), np.eye(3)
    for k in range(1, 40):
        term = term @ K / k
        out = out + term
    return out


def make_sample(gt=None, pred=None, **metainfo):
    """A data-sample dict as mmengine's Evaluator hands it to metrics:
    ``MeshDataSample.to_dict()`` with (1, ...) float32 tensors."""
    sample = MeshDataSample(metainfo=metainfo)

    def instances(values):
        return InstanceData(
            **{
                k: torch.as_tensor(np.asarray(v)[None], dtype=torch.float32)
                for k, v in values.items()
            }
        )

    if gt is not None:
        sample.gt_instances = instances(gt)
    if pred is not None:
        sample.pred_instances = instances(pred)
    return sample.to_dict()
