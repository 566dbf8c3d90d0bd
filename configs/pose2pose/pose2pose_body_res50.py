# Pose2Pose body-only model: SMPL from a 256x192 body crop (spec §1.2,
# §2.18). Datasets are added by the dataset configs.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/pose2pose_res50.py',
    '../_base_/schedules/adam_step_7e.py',
]
codec = dict(
    type='MeshCodec',
    input_size=(256, 192),
    heatmap_size=(8, 8, 6),
    depth_sizes=dict(body=2.0),
    focal=(5000, 5000),
)

model = dict(
    codec=codec,
    target_generator=dict(
        type='BodyModelTargetGenerator', genders=('neutral', 'male', 'female')
    ),
    parts='body',
    position_head=dict(type='PositionHead', in_channels=2048, num_joints=25),
    head=dict(
        type='Pose2PoseRotationHead',
        in_channels=2048,
        num_joints=25,
        num_rotations=21,
        num_extra_rotations=2,
    ),
    body_model=dict(type='SMPLModel', model_path={{_base_.human_model_path}}),
    camera_3d_size=2.5,
)
