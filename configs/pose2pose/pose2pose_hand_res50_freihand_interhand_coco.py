# Pose2Pose hand training (spec §7.2 stage 2): FreiHAND + InterHand2.6M +
# MSCOCO hands from ImageNet weights, epochs 0-12, lr 1e-4 (x0.1 at 10 and
# 12), 4 GPUs x 48; FreiHAND prediction dump as validation.
_base_ = [
    './pose2pose_hand_res50.py',
    '../_base_/datasets/freihand_interhand_coco.py',
]

auto_scale_lr = dict(base_batch_size=192)  # 4 GPUs x 48

val_evaluator = dict(body_model=dict(model_path={{_base_.human_model_path}}))
test_evaluator = val_evaluator
