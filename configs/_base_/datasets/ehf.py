# EHF (spec §5.4, §6.2): Hand4Whole validation / test set, with
# WholeBodyMeshMetric (PA-MPVPE / MPVPE of all, hands, face; PA-MPJPE of
# body and hands).
#
# Variable names here are prefixed with `ehf_` so that this file can be
# a base next to a model base and a training-data base (mmengine refuses
# a key defined by two bases). The human-model root is NOT set here: it
# is defined once, as `human_model_path` of the model base, and the leaf
# config (which sees both bases) passes it to the evaluators, e.g.
#     val_evaluator = dict(
#         body_model=dict(model_path={{_base_.human_model_path}}))
#     test_evaluator = val_evaluator
# Without it, building the metric's body model fails with "needs
# model_path".
_base_ = ['./common.py']

ehf_test_pipeline = [
    dict(type='LoadImage'),
    dict(type='MeshTopdownAffine'),
    # Hand / face box targets in body heat-map units (unused by the
    # metric; scaled with the W and H of the heat map, spec §10.2 fix).
    dict(
        type='PartBBoxTargets',
    ),
    dict(type='PackMeshInputs'),
]
ehf_test_dataset = dict(
    type='EHFDataset',
    data_root='data/EHF',
    ann_file='data/EHF.json',
    data_prefix=dict(img='data'),
    test_mode=True,
    pipeline=ehf_test_pipeline,
)

val_dataloader = dict(_base_.test_loader, dataset=ehf_test_dataset)
test_dataloader = val_dataloader

val_evaluator = dict(
    type='WholeBodyMeshMetric',
    # model_path: set by the leaf config from `human_model_path`.
    body_model=dict(type='SMPLXModel'),
    gt_rotation=[-2.98747896, 0.01172457, -0.05704687],
    with_joints=True,
    prefix='EHF',
)
test_evaluator = val_evaluator
