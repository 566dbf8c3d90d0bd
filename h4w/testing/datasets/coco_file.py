"""The COCO-style annotation files that the dataset fixtures write."""

from typing import List

__all__ = ['coco_db']


def coco_db(
    images: List[dict], annotations: List[dict], category: str = 'person'
) -> dict:
    """The content of a COCO-style annotation file: ``images``,
    ``annotations`` and the single category 1 named ``category``."""
    return dict(
        images=images,
        annotations=annotations,
        categories=[dict(id=1, name=category)],
    )
