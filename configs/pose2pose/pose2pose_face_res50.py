# Pose2Pose face-only model: FLAME from a 256x192 face crop (spec §1.2,
# §2.18).
_base_ = [
    '../_base_/default_runtime.py', '../_base_/schedules/adam_step_13e.py'
]
human_model_path = 'data/human_model_files'
input_img_shape = (256, 192)
output_hm_shape = (8, 8, 6)

model = dict(
    type='Pose2Pose',
    parts='face',
    data_preprocessor=dict(
        type='MeshDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        input_img_shape=input_img_shape,
        output_hm_shape=output_hm_shape,
        face_3d_size=0.3),
    backbone=dict(type='ResNet', depth=50),
    head=dict(type='Pose2PoseFaceHead', in_channels=2048),
    body_model=dict(type='FLAMEModel', model_path=human_model_path),
    input_img_shape=input_img_shape,
    output_hm_shape=output_hm_shape,
    focal=(5000, 5000),
    princpt=(96, 128),
    camera_3d_size=0.4)

train_batch_size = 48  # per GPU
