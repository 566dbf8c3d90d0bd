# Pose2Pose body evaluated on 3DPW (spec §6.5): `tools/test.py` with this
# config and a checkpoint.
_base_ = ['./pose2pose_body_res50.py', '../_base_/datasets/pw3d.py']

# The one human-model root (model base) for the metric's SMPL.
val_evaluator = dict(body_model=dict(model_path={{_base_.human_model_path}}))
test_evaluator = val_evaluator
