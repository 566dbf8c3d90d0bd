"""MultipleDatasets / MixedTrainDataset (spec §5.3)."""

import random
from collections import Counter

import pytest
from torch.utils.data import Dataset

from h4w.datasets import MixedTrainDataset, MultipleDatasets


class Items(Dataset):
    def __init__(self, name, length):
        self.name, self.length = name, length

    def __len__(self):
        return self.length

    def __getitem__(self, idx):
        if not 0 <= idx < self.length:
            raise IndexError(idx)
        return (self.name, idx)


def test_concatenation():
    data = MultipleDatasets([Items('a', 3), Items('b', 2)])
    assert len(data) == 5
    assert [data[i] for i in range(5)] == [
        ('a', 0),
        ('a', 1),
        ('a', 2),
        ('b', 0),
        ('b', 1),
    ]
    assert data[-1] == ('b', 1)
    with pytest.raises(IndexError):
        data[5]


def test_same_length_tiles_then_fills_randomly():
    data = MultipleDatasets(
        [Items('a', 10), Items('b', 4)], make_same_len=True
    )
    assert len(data) == 20
    assert [data[i] for i in range(10)] == [('a', i) for i in range(10)]
    # b: 10 // 4 = 2 full tiles (indices 0-7), then 2 random fills
    assert [data[10 + j] for j in range(8)] == [('b', j % 4) for j in range(8)]
    random.seed(0)
    fills = Counter(data[18][1] for _ in range(400))
    assert set(fills) == {0, 1, 2, 3}


def test_mixed_train_dataset_groups():
    h36m, coco, mpii = Items('h36m', 7), Items('coco', 3), Items('mpii', 2)
    mixed = MixedTrainDataset(datasets_3d=[h36m], datasets_2d=[coco, mpii])
    # 2 * max(len(H36M), len(MSCOCO) + len(MPII))
    assert len(mixed) == 14
    assert {mixed[i][0] for i in range(7)} == {'h36m'}
    assert [mixed[7 + i][0] for i in range(5)] == ['coco'] * 3 + ['mpii'] * 2
    only_3d = MixedTrainDataset(datasets_3d=[h36m, coco])
    assert len(only_3d) == 10 and not only_3d.make_same_len
    with pytest.raises(ValueError):
        MixedTrainDataset()
    with pytest.raises(ValueError, match='empty'):
        MultipleDatasets([Items('a', 0)])
