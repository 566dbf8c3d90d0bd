# Pose2Pose hand-only model: right MANO from a 256x256 hand crop; left
# hands are presented flipped (spec §1.2, §2.18).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/pose2pose_res50.py',
    '../_base_/schedules/adam_step_13e.py',
]
input_img_shape = (256, 256)
output_hm_shape = (8, 8, 8)

model = dict(
    parts='hand',
    data_preprocessor=dict(
        input_img_shape=input_img_shape, output_hm_shape=output_hm_shape
    ),
    position_head=dict(
        type='PositionHead', in_channels=2048, num_joints=21, depth_dim=8
    ),
    head=dict(
        type='Pose2PoseRotationHead',
        in_channels=2048,
        num_joints=21,
        num_rotations=15,
    ),
    body_model=dict(type='MANOModel', model_path={{_base_.human_model_path}}),
    input_img_shape=input_img_shape,
    output_hm_shape=output_hm_shape,
    princpt=(128, 128),
    camera_3d_size=0.4,
)

train_batch_size = 48  # per GPU
