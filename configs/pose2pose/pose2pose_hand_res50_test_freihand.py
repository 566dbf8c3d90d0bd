# Pose2Pose hand-only model tested on FreiHAND (spec §6.5): writes
# pred.json (21 MANO joints and 778 vertices per image, camera frame) for
# the official server. `tools/test.py CONFIG CHECKPOINT`.
_base_ = ['./pose2pose_hand_res50.py', '../_base_/datasets/freihand.py']

test_evaluator = dict(body_model=dict(model_path={{_base_.human_model_path}}))
val_evaluator = test_evaluator
