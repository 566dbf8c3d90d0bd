# Quick start: a light Hand4Whole trained from scratch on the rendered
# synthetic dataset, on a CPU, in a few minutes (README "Quick start").
#
# Light variant, NOT the paper's model: ResNet-18 body, hand and face
# trunks (the paper: ResNet-50, ResNet-50, ResNet-18) from random weights,
# and half-size crops: 256x192 person crops, 128x96 body input (the paper:
# 512x384 and 256x192), 64x64 hand and face crops (256x256, 192x192). The
# virtual focal is halved with the body input, so the camera geometry is
# the paper's. Everything else (heads, losses, targets, augmentation,
# metric) is the paper's.
#
# Make the data and train:
#   python tools/misc/make_synthetic_human_models.py \
#       --out-dir data/human_model_files
#   python tools/misc/make_synthetic_dataset.py --out-dir data/synthetic
#   python tools/train.py configs/hand4whole/quickstart_synthetic.py
_base_ = ['./hand4whole_res50.py', '../_base_/datasets/synthetic.py']

codec = dict(
    input_size=(256, 192),
    heatmap_size=(8, 4, 3),
    body_input_size=(128, 96),
    hand_input_size=(64, 64),
    face_input_size=(64, 64),
    hand_heatmap_size=(8, 2, 2),
    focal=(2500, 2500),
)
model = dict(
    codec=codec,
    backbone=dict(depth=18),
    body_position_head=dict(in_channels=512),
    box_head=dict(in_channels=512),
    hand_backbone=dict(depth=18),
    hand_position_head=dict(in_channels=512),
    hand_rotation_head=dict(in_channels=512),
    body_rotation_head=dict(in_channels=512, hand_channels=512),
)

# From scratch: a larger lr than the recipes' fine-tuning 1e-4, x0.1 for
# the last epoch.
max_epochs = 8
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [
    dict(_base_.lr_step, milestones=[max_epochs - 1], end=max_epochs)
]
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)

val_evaluator = [
    dict(
        _base_.synthetic_mesh_metric,
        body_model=dict(type='SMPLXModel', model_path=_base_.human_model_path),
    ),
    # the mesh errors are root-aligned; this one sees the camera too
    dict(
        type='ProjectedJointMetric',
        heatmap_size=codec['heatmap_size'],
        prefix='Synthetic',
    ),
]
test_evaluator = val_evaluator

default_hooks = dict(
    logger=dict(interval=10),
    # keep the best checkpoint (and the last one)
    checkpoint=dict(
        save_best='Synthetic/MPVPE_all', rule='less', max_keep_ckpts=1
    ),
    # rendered val overlays (ground truth | prediction) in TensorBoard and
    # work_dir/<timestamp>/vis_data
    visualization=dict(enable=True, interval=20),
)
# the untrained model's metrics at epoch 0: the "before" of the run
custom_hooks = [dict(type='ValidateBeforeTrainHook')]
