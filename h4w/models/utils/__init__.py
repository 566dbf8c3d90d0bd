from .camera import (
    depth_prior,
    get_camera_trans,
    relative_to_anchors,
)
from .heatmap import sample_joint_features, soft_argmax_2d, soft_argmax_3d
from .layers import (
    init_head_weights,
    make_conv_layers,
    make_deconv_layers,
    make_linear_layers,
)
from .rotation import (
    axis_angle_to_rotmat,
    flip_axis_angle,
    quaternion_to_axis_angle,
    rot6d_to_axis_angle,
    rot6d_to_rotmat,
    rotmat_to_axis_angle,
    rotmat_to_quaternion,
)

__all__ = [
    'relative_to_anchors',
    'depth_prior',
    'get_camera_trans',
    'sample_joint_features',
    'soft_argmax_2d',
    'soft_argmax_3d',
    'init_head_weights',
    'make_conv_layers',
    'make_deconv_layers',
    'make_linear_layers',
    'axis_angle_to_rotmat',
    'flip_axis_angle',
    'quaternion_to_axis_angle',
    'rot6d_to_axis_angle',
    'rot6d_to_rotmat',
    'rotmat_to_axis_angle',
    'rotmat_to_quaternion',
]
