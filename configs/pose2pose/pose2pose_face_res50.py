# Pose2Pose face-only model: FLAME from a 256x192 face crop (spec §1.2,
# §2.18).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/pose2pose_res50.py',
    '../_base_/schedules/adam_step_13e.py',
]
input_img_shape = (256, 192)
output_hm_shape = (8, 8, 6)

model = dict(
    parts='face',
    data_preprocessor=dict(
        input_img_shape=input_img_shape, output_hm_shape=output_hm_shape
    ),
    head=dict(type='Pose2PoseFaceHead', in_channels=2048),
    body_model=dict(type='FLAMEModel', model_path={{_base_.human_model_path}}),
    input_img_shape=input_img_shape,
    output_hm_shape=output_hm_shape,
    princpt=(96, 128),
    camera_3d_size=0.4,
)

train_batch_size = 48  # per GPU
