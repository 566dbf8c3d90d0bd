"""Dataset mixing of the reference trainer (spec §5.3)."""

import bisect
import random
from typing import List, Sequence, Union

from torch.utils.data import Dataset

from h4w.registry import DATASETS

__all__ = ['MixedTrainDataset', 'MultipleDatasets']


def _build(dataset: Union[dict, Dataset]) -> Dataset:
    return DATASETS.build(dataset) if isinstance(dataset, dict) else dataset


@DATASETS.register_module()
class MultipleDatasets(Dataset):
    """Concatenate datasets, optionally at equal length (``MultipleDatasets``
    of the reference).

    * ``make_same_len=False``: plain concatenation.
    * ``make_same_len=True``: length ``max_len * num_datasets``; index i
      reads dataset ``i // max_len`` at ``j = i % max_len``: tiled
      (``j % len``) up to the largest multiple of its length, and a random
      index (Python ``random``) for the remainder.

    Args:
        datasets (Sequence[dict | Dataset]): Datasets or their configs.
        make_same_len (bool): Equal weight per dataset and epoch.
    """

    def __init__(
        self,
        datasets: Sequence[Union[dict, Dataset]],
        make_same_len: bool = False,
    ) -> None:
        if not datasets:
            raise ValueError('MultipleDatasets needs at least one dataset')
        self.datasets: List[Dataset] = [_build(d) for d in datasets]
        self.make_same_len = make_same_len
        self.lengths = [len(d) for d in self.datasets]
        if min(self.lengths) == 0:
            empty = [
                type(d).__name__
                for d, n in zip(self.datasets, self.lengths)
                if n == 0
            ]
            raise ValueError(f'MultipleDatasets: empty dataset(s) {empty}')
        self.max_len = max(self.lengths)
        self.cumulative = []
        total = 0
        for length in self.lengths:
            total += length
            self.cumulative.append(total)

    @property
    def metainfo(self) -> dict:
        """The metainfo of the first dataset (for visualizers)."""
        return getattr(self.datasets[0], 'metainfo', {})

    def __len__(self) -> int:
        if self.make_same_len:
            return self.max_len * len(self.datasets)
        return self.cumulative[-1]

    def locate(self, index: int):
        """(dataset index, sample index) of a wrapper index."""
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f'index {index} out of range ({len(self)})')
        if self.make_same_len:
            db_idx, j = divmod(index, self.max_len)
            length = self.lengths[db_idx]
            if j >= length * (self.max_len // length):
                return db_idx, random.randint(0, length - 1)
            return db_idx, j % length
        db_idx = bisect.bisect_right(self.cumulative, index)
        start = self.cumulative[db_idx - 1] if db_idx else 0
        return db_idx, index - start

    def __getitem__(self, index: int):
        db_idx, j = self.locate(index)
        return self.datasets[db_idx][j]


@DATASETS.register_module()
class MixedTrainDataset(MultipleDatasets):
    """The reference trainer's mix of 3D and 2D datasets (§5.3).

    All 3D datasets are concatenated, all 2D datasets are concatenated,
    and when both groups exist they are wrapped at equal length (each
    group half of an epoch); with one group it is plain concatenation.
    Hand4Whole stage 1: ``datasets_3d=[Human36M]``, ``datasets_2d=[MSCOCO,
    MPII]`` -> epoch length ``2 * max(len(H36M), len(MSCOCO) + len(MPII))``.

    Args:
        datasets_3d (Sequence[dict | Dataset]): 3D-annotated datasets.
        datasets_2d (Sequence[dict | Dataset]): 2D-annotated datasets.
    """

    def __init__(
        self,
        datasets_3d: Sequence[Union[dict, Dataset]] = (),
        datasets_2d: Sequence[Union[dict, Dataset]] = (),
    ) -> None:
        groups = [
            MultipleDatasets(group, make_same_len=False)
            for group in (datasets_3d, datasets_2d)
            if group
        ]
        if not groups:
            raise ValueError('MixedTrainDataset: no datasets given')
        if len(groups) == 1:
            super().__init__(groups[0].datasets, make_same_len=False)
        else:
            super().__init__(groups, make_same_len=True)
