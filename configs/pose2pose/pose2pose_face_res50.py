# Pose2Pose face-only model: FLAME from a 256x192 face crop (spec §1.2,
# §2.18).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/pose2pose_res50.py',
    '../_base_/schedules/adam_step_13e.py',
]
codec = dict(
    type='MeshCodec',
    input_size=(256, 192),
    heatmap_size=(8, 8, 6),
    depth_sizes=dict(face=0.3),
    focal=(5000, 5000),
)

model = dict(
    codec=codec,
    parts='face',
    head=dict(type='Pose2PoseFaceHead', in_channels=2048),
    body_model=dict(type='FLAMEModel', model_path={{_base_.human_model_path}}),
    camera_3d_size=0.4,
)
