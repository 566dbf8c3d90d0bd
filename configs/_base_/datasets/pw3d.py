# 3DPW (spec §5.4, §5.5 "PW3D (P2P, evaluated)", §6.5): Pose2Pose body
# validation / test set, with PW3DMetric (MPJPE, PA-MPJPE, MPVPE,
# PA-MPVPE with the Human3.6M SMPL regressor).
#
# Variable names here are prefixed with `pw3d_` so that this file can be
# a base next to a model base and a training-data base (mmengine refuses
# a key defined by two bases). The human-model root is NOT set here: it
# is defined once, as `human_model_path` of the model base, and the leaf
# config (which sees both bases) passes it to the evaluators, e.g.
#     val_evaluator = dict(
#         body_model=dict(model_path={{_base_.human_model_path}}))
#     test_evaluator = val_evaluator
# The GT mesh is computed by the model's data preprocessor from the
# gendered SMPL fit (genders neutral, male, female).
_base_ = ['./common.py']

pw3d_test_dataset = dict(
    type='PW3DDataset',
    data_root='data/PW3D',
    split='test',
    model_type='smpl',
    data_prefix=dict(img='imageFiles'),
    test_mode=True,
    pipeline={{_base_.test_pipeline}},
)

val_dataloader = dict(_base_.test_loader, dataset=pw3d_test_dataset)
test_dataloader = val_dataloader

val_evaluator = dict(
    type='PW3DMetric',
    # model_path: set by the leaf config from `human_model_path`.
    body_model=dict(
        type='SMPLModel', h36m_regressor_file='smpl/J_regressor_h36m_smpl.npy'
    ),
    prefix='3DPW',
)
test_evaluator = val_evaluator
