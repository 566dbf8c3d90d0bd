# Pose2Pose body-only model: SMPL from a 256x192 body crop (spec §1.2,
# §2.18). Datasets are added by the dataset configs.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/pose2pose_res50.py',
    '../_base_/schedules/adam_step_7e.py',
]
input_img_shape = (256, 192)
output_hm_shape = (8, 8, 6)

model = dict(
    parts='body',
    data_preprocessor=dict(
        genders=('neutral', 'male', 'female'),
        input_img_shape=input_img_shape,
        output_hm_shape=output_hm_shape,
    ),
    position_head=dict(
        type='PositionHead', in_channels=2048, num_joints=25, depth_dim=8
    ),
    head=dict(
        type='Pose2PoseRotationHead',
        in_channels=2048,
        num_joints=25,
        num_rotations=21,
        num_extra_rotations=2,
    ),
    body_model=dict(type='SMPLModel', model_path={{_base_.human_model_path}}),
    input_img_shape=input_img_shape,
    output_hm_shape=output_hm_shape,
    princpt=(96, 128),
    camera_3d_size=2.5,
)

train_batch_size = 48  # per GPU
