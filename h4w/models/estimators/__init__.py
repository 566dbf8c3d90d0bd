from .base import BaseMeshEstimator
from .hand4whole import Hand4Whole
from .pose2pose import Pose2Pose

__all__ = ['BaseMeshEstimator', 'Hand4Whole', 'Pose2Pose']
