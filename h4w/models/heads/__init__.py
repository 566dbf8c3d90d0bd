from .body_rotation_head import BodyRotationHead
from .box_head import BoxHead
from .face_regressor_head import FaceRegressorHead
from .hand_rotation_head import HandRotationHead
from .pose2pose_heads import Pose2PoseFaceHead, Pose2PoseRotationHead
from .position_head import PositionHead

__all__ = [
    'BodyRotationHead',
    'BoxHead',
    'FaceRegressorHead',
    'HandRotationHead',
    'Pose2PoseFaceHead',
    'Pose2PoseRotationHead',
    'PositionHead',
]
