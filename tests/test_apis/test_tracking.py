"""Pairwise IoU of boxes and the greedy IoU box tracker."""

import numpy as np
import pytest

from h4w.apis import BoxTracker
from h4w.structures.bbox import bbox_overlaps


def _box(cx: float, cy: float, w: float, h: float) -> list:
    return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]


def test_bbox_overlaps_hand_computed():
    boxes1 = np.array([[0, 0, 10, 10], [0, 0, 4, 2]], dtype=np.float32)
    boxes2 = np.array(
        [
            [5, 5, 15, 15],  # 25 / (100 + 100 - 25) = 1 / 7
            [0, 0, 10, 10],  # identical to boxes1[0]
            [2, 2, 4, 4],  # inside boxes1[0]: 4 / 100
            [20, 0, 30, 10],  # disjoint
            [2, 0, 6, 2],  # boxes1[1]: 4 / (8 + 8 - 4) = 1 / 3
        ]
    )
    expected = np.array(
        [
            [1 / 7, 1.0, 0.04, 0.0, 8 / 100],
            [0.0, 8 / 100, 0.0, 0.0, 1 / 3],
        ]
    )
    iou = bbox_overlaps(boxes1, boxes2)
    assert iou.shape == (2, 5)
    np.testing.assert_allclose(iou, expected, atol=1e-12)
    np.testing.assert_allclose(bbox_overlaps(boxes2, boxes1), expected.T)


def test_bbox_overlaps_zero_area_and_empty():
    boxes = np.array(
        [
            [3, 3, 3, 8],  # zero width, inside the next box
            [0, 0, 10, 10],
            [1, 1, 1, 1],  # a point
            [5, 5, 4, 4],  # inverted: no area
        ]
    )
    iou = bbox_overlaps(boxes, boxes)
    assert np.isfinite(iou).all()
    expected = np.zeros((4, 4))
    expected[1, 1] = 1.0
    np.testing.assert_array_equal(iou, expected)
    assert bbox_overlaps(np.zeros((0, 4)), boxes).shape == (0, 4)
    assert bbox_overlaps(boxes, np.zeros((0, 4))).shape == (4, 0)


def _two_people_crossing(num_frames: int = 24):
    """Person A (tall, near) walks right, person B (smaller, farther) walks
    left; their boxes overlap while they pass each other."""
    frames = []
    for t in range(num_frames):
        a = _box(100 + 10 * t, 200, 80, 200)
        b = _box(330 - 10 * t, 190, 60, 150)
        frames.append((a, b))
    return frames


def test_two_crossing_people_keep_their_ids():
    tracker = BoxTracker(iou_thr=0.3, max_age=10)
    rng = np.random.default_rng(0)
    frames = _two_people_crossing()
    # the people do overlap in some frames (else the test shows nothing)
    overlaps = [bbox_overlaps([a], [b])[0, 0] for a, b in frames]
    assert max(overlaps) > 0.3
    seen = {'a': set(), 'b': set()}
    for a, b in frames:
        order = rng.permutation(2)  # detector order means nothing
        boxes = np.array([(a, b)[i] for i in order])
        ids = tracker.update(boxes)
        assert ids.dtype == np.int64 and ids.shape == (2,)
        seen['a'].add(int(ids[list(order).index(0)]))
        seen['b'].add(int(ids[list(order).index(1)]))
    assert seen == {'a': {0}, 'b': {1}} or seen == {'a': {1}, 'b': {0}}


def test_matching_is_greedy_by_iou_not_by_box_order():
    tracker = BoxTracker(iou_thr=0.3)
    tracks = np.array([[0, 0, 10, 10], [3, 0, 13, 10]])
    np.testing.assert_array_equal(tracker.update(tracks), [0, 1])
    # box 1 is track 0 exactly; box 0 prefers track 0 (0.82) to track 1
    # (0.67): taken in box order, box 0 would take track 0 and box 1
    # track 1 (0.54); greedy by IoU, box 1 takes track 0 first
    boxes = np.array([[1, 0, 11, 10], [0, 0, 10, 10]])
    iou = bbox_overlaps(boxes, tracks)
    assert iou[1, 0] > iou[0, 0] > iou[0, 1] > iou[1, 1] >= 0.3
    np.testing.assert_array_equal(tracker.update(boxes), [1, 0])


def test_new_people_get_new_ids_never_reused():
    tracker = BoxTracker(iou_thr=0.3, max_age=1)
    far = [500, 500, 550, 600]
    np.testing.assert_array_equal(tracker.update([_box(50, 50, 40, 80)]), [0])
    ids = tracker.update([_box(52, 50, 40, 80), _box(200, 50, 40, 80)])
    np.testing.assert_array_equal(ids, [0, 1])
    # both people leave; after max_age=1 missed frames they are dropped
    tracker.update(np.zeros((0, 4)))
    tracker.update(np.zeros((0, 4)))
    # a newcomer (and the old person 0 back at the same place) are new
    ids = tracker.update([far, _box(52, 50, 40, 80)])
    np.testing.assert_array_equal(ids, [2, 3])
    tracker.reset()
    np.testing.assert_array_equal(tracker.update([far]), [0])


@pytest.mark.parametrize('gap, same_id', [(3, True), (4, False)])
def test_person_returning_within_max_age_keeps_the_id(gap, same_id):
    tracker = BoxTracker(iou_thr=0.3, max_age=3)
    stays, leaves = _box(100, 100, 50, 100), _box(300, 100, 50, 100)
    for t in range(3):
        np.testing.assert_array_equal(tracker.update([stays, leaves]), [0, 1])
    for t in range(gap):  # `gap` consecutive frames without person 1
        np.testing.assert_array_equal(tracker.update([stays]), [0])
    back = _box(303, 100, 50, 100)
    ids = tracker.update([back, stays])
    assert ids[1] == 0
    assert ids[0] == (1 if same_id else 2)


def test_empty_frames():
    tracker = BoxTracker(max_age=2)
    for empty in (np.zeros((0, 4)), np.zeros(0), []):
        ids = tracker.update(empty)
        assert ids.shape == (0,) and ids.dtype == np.int64
    box = _box(100, 100, 50, 100)
    np.testing.assert_array_equal(tracker.update([box]), [0])
    tracker.update(np.zeros((0, 4)))
    tracker.update(np.zeros((0, 4)))  # missed 2 = max_age: still kept
    np.testing.assert_array_equal(tracker.update([box]), [0])
    with pytest.raises(ValueError):
        tracker.update(np.zeros((2, 5)))
