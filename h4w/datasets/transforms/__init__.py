from .augmentation import RandomMeshAugmentation
from .formatting import PackMeshInputs
from .keypoint_targets import KeypointTargets, remap_joints
from .loading import LoadImage, MissingImageError, load_image
from .part_bbox_targets import PartBBoxTargets
from .topdown_affine import MeshTopdownAffine

__all__ = [
    'LoadImage',
    'MissingImageError',
    'load_image',
    'RandomMeshAugmentation',
    'MeshTopdownAffine',
    'KeypointTargets',
    'remap_joints',
    'PartBBoxTargets',
    'PackMeshInputs',
]
