# Human3.6M test (spec §5.4, §6.4): subjects 9 and 11, every 64th frame,
# camera 4; MPJPE / PA-MPJPE of the 14 evaluation joints regressed from
# the predicted SMPL-X mesh (the upstream whole-body evaluation, which
# crashed on a missing `smpl_mesh_cam`, works here).
#
# Variables are prefixed with `h36m_` (mmengine refuses a key defined by
# two bases). The human-model root is set by the leaf config from the
# model base's `human_model_path`.
_base_ = ['./common.py']

h36m_test_dataset = dict(
    type='Human36MDataset',
    data_root='data/Human36M',
    model_type='smplx',
    test_mode=True,
    pipeline={{_base_.test_pipeline}},
)

val_dataloader = dict(_base_.test_loader, dataset=h36m_test_dataset)
test_dataloader = val_dataloader

val_evaluator = dict(
    type='Human36MMetric',
    # model_path: set by the leaf config from `human_model_path`.
    body_model=dict(
        type='SMPLXModel',
        h36m_regressor_file='smplx/J_regressor_h36m_smplx.npy',
    ),
    pred_key='smplx_mesh_cam',
    prefix='H36M',
)
test_evaluator = val_evaluator
