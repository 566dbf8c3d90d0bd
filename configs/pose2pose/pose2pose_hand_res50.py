# Pose2Pose hand-only model: right MANO from a 256x256 hand crop; left
# hands are presented flipped (spec §1.2, §2.18).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/pose2pose_res50.py',
    '../_base_/schedules/adam_step_13e.py',
]
codec = dict(
    type='MeshCodec',
    input_size=(256, 256),
    heatmap_size=(8, 8, 8),
    depth_sizes=dict(hand=0.3),
    focal=(5000, 5000),
)

model = dict(
    codec=codec,
    parts='hand',
    position_head=dict(type='PositionHead', in_channels=2048, num_joints=21),
    head=dict(
        type='Pose2PoseRotationHead',
        in_channels=2048,
        num_joints=21,
        num_rotations=15,
    ),
    body_model=dict(type='MANOModel', model_path={{_base_.human_model_path}}),
    camera_3d_size=0.4,
)
