from .wholebody_folder_dataset import (
    KEYPOINT_GROUPS,
    PART_BOXES,
    WholeBodyFolderDataset,
)

__all__ = ['WholeBodyFolderDataset', 'KEYPOINT_GROUPS', 'PART_BOXES']
