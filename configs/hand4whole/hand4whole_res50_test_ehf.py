# Hand4Whole evaluated on EHF (spec §6.2): `tools/test.py` with this
# config and a checkpoint.
_base_ = ['./hand4whole_res50.py', '../_base_/datasets/ehf.py']

# The one human-model root (model base) for the metric's SMPL-X.
val_evaluator = dict(body_model=dict(model_path={{_base_.human_model_path}}))
test_evaluator = val_evaluator
