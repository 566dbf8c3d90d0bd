"""Track ids of person boxes across video frames (greedy IoU matching)."""

from typing import Dict

import numpy as np

from h4w.structures.bbox import bbox_overlaps

__all__ = ['BoxTracker']


class _Track:
    """One track: its last matched box and how many frames it has missed."""

    __slots__ = ('bbox', 'missed')

    def __init__(self, bbox: np.ndarray) -> None:
        self.bbox = bbox
        self.missed = 0


class BoxTracker:
    """Give the person boxes of consecutive frames stable track ids.

    Each :meth:`update` matches the frame's boxes to the live tracks by
    intersection over union with each track's last matched box. The pairs
    are taken greedily in descending IoU order (ties: lower box index,
    then lower track id), each box and each track at most once, and only
    pairs with ``IoU >= iou_thr`` (and IoU > 0). A matched track takes
    the new box. A box left over starts a new track, with the next id of
    the sequence 0, 1, 2, ... (an id is never reused, only :meth:`reset`
    starts again from 0). A track left over counts one more
    missed frame; a track that has missed more than ``max_age``
    consecutive frames is dropped, one that has missed fewer can still be
    matched again (with the box it had when last seen).

    Args:
        iou_thr (float): Lowest IoU of a match. Defaults to 0.3.
        max_age (int): How many consecutive frames a track may go
            unmatched and still be matched again. Defaults to 10.

    Note:
        K: number of boxes in a frame.

    Examples:
        >>> tracker = BoxTracker()
        >>> tracker.update(np.array([[0, 0, 10, 20], [50, 0, 60, 20]]))
        array([0, 1])
        >>> tracker.update(np.array([[51, 1, 61, 21], [1, 0, 11, 20]]))
        array([1, 0])
        >>> tracker.update(np.zeros((0, 4)))
        array([], dtype=int64)
    """

    def __init__(self, iou_thr: float = 0.3, max_age: int = 10) -> None:
        if max_age < 0:
            raise ValueError(f'max_age must be >= 0, got {max_age}')
        self.iou_thr = float(iou_thr)
        self.max_age = int(max_age)
        self._tracks: Dict[int, _Track] = {}
        self._next_id = 0

    def reset(self) -> None:
        """Forget every track; the next new track again gets id 0.

        Call it between two videos. Within one video ids are never reused.
        """
        self._tracks = {}
        self._next_id = 0

    def update(self, bboxes: np.ndarray) -> np.ndarray:
        """Match one frame's boxes to the tracks and return their ids.

        Args:
            bboxes (np.ndarray): (K, 4) boxes (x1, y1, x2, y2) in pixels;
                K may be 0.

        Returns:
            np.ndarray: (K,) int64 track id of each box, distinct within
            the frame.
        """
        boxes = np.asarray(bboxes, dtype=np.float64)
        if boxes.size == 0:
            boxes = boxes.reshape(0, 4)
        if boxes.ndim != 2 or boxes.shape[1] != 4:
            raise ValueError(
                f'bboxes must have shape (K, 4), got {boxes.shape}'
            )
        num = len(boxes)
        ids = np.full(num, -1, dtype=np.int64)
        track_ids = sorted(self._tracks)
        matched = set()
        if num and track_ids:
            last = np.stack([self._tracks[i].bbox for i in track_ids])
            iou = bbox_overlaps(boxes, last)
            order = np.argsort(-iou, axis=None, kind='stable')
            for flat in order:
                det, col = divmod(int(flat), len(track_ids))
                value = iou[det, col]
                if value < self.iou_thr or value <= 0:
                    break
                if ids[det] >= 0 or col in matched:
                    continue
                ids[det] = track_ids[col]
                matched.add(col)
        for col, track_id in enumerate(track_ids):
            if col not in matched:
                track = self._tracks[track_id]
                track.missed += 1
                if track.missed > self.max_age:
                    del self._tracks[track_id]
        for det in range(num):
            if ids[det] < 0:
                ids[det] = self._next_id
                self._tracks[self._next_id] = _Track(boxes[det].copy())
                self._next_id += 1
            else:
                track = self._tracks[int(ids[det])]
                track.bbox = boxes[det].copy()
                track.missed = 0
        return ids
