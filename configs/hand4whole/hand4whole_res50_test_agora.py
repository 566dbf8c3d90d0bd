# Hand4Whole evaluated on AGORA (spec §6.3): `tools/test.py` with this
# config and the AGORA fine-tuned checkpoint.
#
# agora_test_set = 'val': the validation set, PA-MPVPE / MPVPE of all,
# hands and face plus one result pickle per person in `agora_result_dir`.
# 'test': the boxes of AGORA_test_bbox.json, result pickles only (for
# AGORA's server; pickles load under NumPy 1.x). Change it here: the
# dataloader and the evaluators below are derived from it when the config
# is read.
_base_ = ['./hand4whole_res50.py', '../_base_/datasets/agora.py']

agora_test_set = 'val'

# result pickles hold all 144 SMPL-X joints (§6.3)
model = dict(predict_all_joints=True)

# The one human-model root (model base) for the metric's SMPL-X.
agora_mesh_metric = dict(
    _base_.agora_mesh_metric,
    body_model=dict(type='SMPLXModel', model_path=_base_.human_model_path),
)
test_dataloader = dict(
    dataset=dict(_base_.agora_val_dataset, test_set=agora_test_set)
)
test_evaluator = (
    [agora_mesh_metric, _base_.agora_result_writer]
    if agora_test_set == 'val'
    else [_base_.agora_result_writer]
)
val_evaluator = [agora_mesh_metric]

# Test only (tools/test.py then drops the inherited schedule).
train_dataloader = None
