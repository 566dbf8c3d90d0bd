# Pose2Pose hand-only model: right MANO from a 256x256 hand crop; left
# hands are presented flipped (spec §1.2, §2.18).
_base_ = [
    '../_base_/default_runtime.py', '../_base_/schedules/adam_step_13e.py'
]
human_model_path = 'data/human_model_files'
input_img_shape = (256, 256)
output_hm_shape = (8, 8, 8)

model = dict(
    type='Pose2Pose',
    parts='hand',
    data_preprocessor=dict(
        type='MeshDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        input_img_shape=input_img_shape,
        output_hm_shape=output_hm_shape,
        hand_3d_size=0.3),
    backbone=dict(type='ResNet', depth=50),
    position_head=dict(
        type='PositionHead', in_channels=2048, num_joints=21, depth_dim=8),
    head=dict(
        type='Pose2PoseRotationHead', in_channels=2048, num_joints=21,
        num_rotations=15),
    body_model=dict(type='MANOModel', model_path=human_model_path),
    input_img_shape=input_img_shape,
    output_hm_shape=output_hm_shape,
    focal=(5000, 5000),
    princpt=(128, 128),
    camera_3d_size=0.4)

train_batch_size = 48  # per GPU
