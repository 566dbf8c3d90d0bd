"""Temporal smoothing of per-frame body-model parameters (One-Euro filter).

Rotations are smoothed in the continuous 6D representation (Zhou et al.,
"On the Continuity of Rotation Representations in Neural Networks", CVPR
2019) rather than in axis-angle: as a rotation about an axis ``n`` passes
the angle pi, its axis-angle vector (angle in [0, pi]) jumps from about
``pi * n`` to about ``-pi * n``, and averaging such vectors gives a wrong
rotation.
"""

import math
from typing import Dict, Optional

import numpy as np
import torch

from h4w.models.utils import rotation

__all__ = [
    'OneEuroFilter',
    'ParamSmoother',
    'axis_angle_to_rot6d',
    'rot6d_to_axis_angle',
]


class OneEuroFilter:
    """One-Euro filter (Casiez et al., CHI 2012) of arrays of fixed shape.

    An adaptive low-pass filter: its cutoff frequency grows with the speed
    of the signal, so that a slow signal is smoothed strongly (little
    jitter) and a fast one lightly (little lag). Each element is filtered
    independently with the recurrences, for a time step ``te``::

        dx = (x - x_prev) / te
        dx_hat = a(te, d_cutoff) * dx + (1 - a(te, d_cutoff)) * dx_prev
        cutoff = min_cutoff + beta * |dx_hat|
        x_hat = a(te, cutoff) * x + (1 - a(te, cutoff)) * x_hat_prev

    with ``a(te, fc) = 1 / (1 + tau / te)`` and ``tau = 1 / (2 pi fc)``.

    Args:
        min_cutoff (float): Cutoff frequency (Hz) of a still signal.
            Lowering it removes more jitter at low speed but adds lag.
            Defaults to 1.0.
        beta (float): Speed coefficient: how fast the cutoff rises with
            the filtered speed (in signal units per second). Raising it
            cuts the lag of fast motion but lets more jitter through while
            moving; 0 gives a plain first-order low-pass filter at
            ``min_cutoff``. Defaults to 0.0.
        d_cutoff (float): Cutoff frequency (Hz) of the low-pass filter of
            the speed. Defaults to 1.0.

    Examples:
        >>> f = OneEuroFilter(min_cutoff=1.0)
        >>> f(np.zeros(2), t=0.0).tolist()
        [0.0, 0.0]
        >>> np.round(f(np.ones(2), t=0.1), 4).tolist()
        [0.3859, 0.3859]
    """

    def __init__(
        self,
        min_cutoff: float = 1.0,
        beta: float = 0.0,
        d_cutoff: float = 1.0,
    ) -> None:
        if min_cutoff <= 0 or d_cutoff <= 0:
            raise ValueError(
                'min_cutoff and d_cutoff must be > 0, got '
                f'{min_cutoff} and {d_cutoff}'
            )
        if beta < 0:
            raise ValueError(f'beta must be >= 0, got {beta}')
        self.min_cutoff = float(min_cutoff)
        self.beta = float(beta)
        self.d_cutoff = float(d_cutoff)
        self.reset()

    def reset(self) -> None:
        """Forget the state: the next call returns its input."""
        self._x: Optional[np.ndarray] = None
        self._dx: Optional[np.ndarray] = None
        self._t: Optional[float] = None

    @staticmethod
    def _alpha(te: float, cutoff):
        tau = 1.0 / (2.0 * math.pi * cutoff)
        return 1.0 / (1.0 + tau / te)

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        """Filter one sample.

        Args:
            x (np.ndarray): The sample, of the same shape at every call.
            t (float): Its time in seconds, larger than the last one.

        Returns:
            np.ndarray: The filtered sample, a new array of the shape of
            ``x`` and its dtype (float64 for an integer ``x``).
        """
        arr = np.asarray(x)
        dtype = arr.dtype if arr.dtype.kind == 'f' else np.float64
        value = arr.astype(np.float64)
        t = float(t)
        if self._x is None:
            self._x, self._dx, self._t = value, np.zeros_like(value), t
            return value.astype(dtype)
        if value.shape != self._x.shape:
            raise ValueError(
                f'expected an array of shape {self._x.shape}, got '
                f'{value.shape}'
            )
        te = t - self._t
        if not te > 0:
            raise ValueError(
                f'time must increase: got t={t} after t={self._t}'
            )
        a_d = self._alpha(te, self.d_cutoff)
        dx = a_d * (value - self._x) / te + (1.0 - a_d) * self._dx
        a = self._alpha(te, self.min_cutoff + self.beta * np.abs(dx))
        self._x = a * value + (1.0 - a) * self._x
        self._dx, self._t = dx, t
        return self._x.astype(dtype)


def _as_rows(array: np.ndarray, width: int) -> torch.Tensor:
    """(..., width) array -> (M, width) float64 tensor."""
    return torch.from_numpy(
        np.ascontiguousarray(array, dtype=np.float64).reshape(-1, width)
    )


def axis_angle_to_rot6d(aa: np.ndarray) -> np.ndarray:
    """Axis-angle to the continuous 6D rotation representation.

    The 6D vector is the first two columns of the rotation matrix R, in
    the layout of :func:`h4w.models.utils.rot6d_to_rotmat` (the network
    heads): the row-major (3, 2) matrix ``R[:, :2]``, i.e.
    ``[R00, R01, R10, R11, R20, R21]``.

    Args:
        aa (np.ndarray): (..., 3) axis times angle (radians).

    Returns:
        np.ndarray: (..., 6) float64.

    Examples:
        >>> axis_angle_to_rot6d(np.zeros(3)).tolist()
        [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
        >>> r6 = axis_angle_to_rot6d(np.array([0.0, 0.0, np.pi / 2]))
        >>> np.round(r6, 6).tolist()
        [0.0, -1.0, 1.0, 0.0, 0.0, 0.0]
    """
    aa = np.asarray(aa)
    rotmat = rotation.axis_angle_to_rotmat(_as_rows(aa, 3))
    return rotmat[:, :, :2].reshape(aa.shape[:-1] + (6,)).numpy()


def rot6d_to_axis_angle(r6: np.ndarray) -> np.ndarray:
    """Continuous 6D rotation representation to axis-angle.

    The two 3-vectors (layout of :func:`axis_angle_to_rot6d`) need not be
    orthonormal: Gram-Schmidt turns them into the first two columns of a
    rotation matrix, the third column is their cross product.

    Args:
        r6 (np.ndarray): (..., 6).

    Returns:
        np.ndarray: (..., 3) float64, angle (the norm) in [0, pi]; at
        exactly pi the sign of the axis is arbitrary.

    Examples:
        >>> r6 = np.array([2.0, 0.0, 0.0, 2.0, 0.0, 0.0])
        >>> rot6d_to_axis_angle(r6).tolist()
        [0.0, 0.0, 0.0]
        >>> aa = np.array([0.3, -1.0, 2.0])
        >>> np.allclose(rot6d_to_axis_angle(axis_angle_to_rot6d(aa)), aa)
        True
    """
    r6 = np.asarray(r6)
    aa = rotation.rot6d_to_axis_angle(_as_rows(r6, 6))
    return aa.reshape(r6.shape[:-1] + (3,)).numpy()


class ParamSmoother:
    """Smooth the body-model parameters of each track over a video.

    Keeps one :class:`OneEuroFilter` per track id and parameter name.
    Parameters whose name ends in ``pose`` (``root_pose`` (3,),
    ``body_pose`` (63,), ``lhand_pose``, ``jaw_pose`` ...) hold flattened
    axis-angle rotations: they are filtered in the 6D representation
    (:func:`axis_angle_to_rot6d`), which is continuous, and converted
    back. Every other parameter (``cam_trans``, ``shape``, ``expr``, ...)
    is filtered as it is. The time of a frame is ``frame_index / fps``.

    A track seen again after more than ``max_gap`` seconds, or at a frame
    index not after its last one, restarts its filters (and returns its
    input); tracks not seen for more than ``max_gap`` seconds are
    forgotten.

    Args:
        fps (float): Frame rate of the video.
        min_cutoff (float): See :class:`OneEuroFilter`: lower, less jitter
            and more lag. Defaults to 1.0.
        beta (float): See :class:`OneEuroFilter`: higher, less lag on fast
            motion and more jitter. Defaults to 0.0.
        d_cutoff (float): See :class:`OneEuroFilter`. Defaults to 1.0.
        max_gap (float): Longest gap (seconds) across which a track keeps
            its filters. Defaults to 1.0.

    Examples:
        >>> smoother = ParamSmoother(fps=30.0)
        >>> params = dict(root_pose=np.zeros(3, np.float32),
        ...               shape=np.zeros(10, np.float32))
        >>> out = smoother(track_id=0, params=params, frame_index=0)
        >>> out['root_pose'].shape, out['shape'].dtype
        ((3,), dtype('float32'))
    """

    def __init__(
        self,
        fps: float,
        min_cutoff: float = 1.0,
        beta: float = 0.0,
        d_cutoff: float = 1.0,
        max_gap: float = 1.0,
    ) -> None:
        if fps <= 0:
            raise ValueError(f'fps must be > 0, got {fps}')
        self.fps = float(fps)
        self.min_cutoff = float(min_cutoff)
        self.beta = float(beta)
        self.d_cutoff = float(d_cutoff)
        self.max_gap = float(max_gap)
        # check the filter arguments once, here
        OneEuroFilter(self.min_cutoff, self.beta, self.d_cutoff)
        self._filters: Dict[int, Dict[str, OneEuroFilter]] = {}
        self._last_frame: Dict[int, int] = {}

    def reset(self, track_id: Optional[int] = None) -> None:
        """Forget one track (``track_id``) or every track (None)."""
        if track_id is None:
            self._filters = {}
            self._last_frame = {}
        else:
            self._filters.pop(int(track_id), None)
            self._last_frame.pop(int(track_id), None)

    def __call__(
        self,
        track_id: int,
        params: Dict[str, np.ndarray],
        frame_index: int,
    ) -> Dict[str, np.ndarray]:
        """Smooth one track's parameters at one frame.

        Args:
            track_id (int): Track id (from :class:`BoxTracker`).
            params (Dict[str, np.ndarray]): Parameter name to array of any
                shape; a ``*pose`` array has a size that is a multiple of
                3 (axis-angle triplets).
            frame_index (int): Index of the frame in the video.

        Returns:
            Dict[str, np.ndarray]: The same names, each a new array of the
            input's shape and dtype.
        """
        track_id = int(track_id)
        now = frame_index / self.fps
        for tid, last in list(self._last_frame.items()):
            if tid != track_id and now - last / self.fps > self.max_gap:
                self.reset(tid)
        last = self._last_frame.get(track_id)
        if last is None or not 0 < now - last / self.fps <= self.max_gap:
            self._filters[track_id] = {}
        self._last_frame[track_id] = frame_index
        filters = self._filters[track_id]
        out = {}
        for name, value in params.items():
            arr = np.asarray(value)
            filt = filters.get(name)
            if filt is None:
                filt = filters[name] = OneEuroFilter(
                    self.min_cutoff, self.beta, self.d_cutoff
                )
            if name.endswith('pose'):
                if arr.size % 3:
                    raise ValueError(
                        f'{name!r} must hold axis-angle triplets, got '
                        f'shape {arr.shape}'
                    )
                r6 = axis_angle_to_rot6d(arr.reshape(-1, 3))
                smooth = rot6d_to_axis_angle(filt(r6, now))
            else:
                smooth = filt(arr.astype(np.float64), now)
            out[name] = smooth.reshape(arr.shape).astype(arr.dtype)
        return out
