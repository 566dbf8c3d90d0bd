# Pose2Pose body evaluated on Human3.6M (spec §5.5, §6.4): SMPL fits, a
# 256x192 crop, the SMPL Human3.6M regressor.
_base_ = ['./pose2pose_body_res50.py', '../_base_/datasets/h36m.py']

# the 256x192 crop comes from the model's codec (`fill_codec`)
val_dataloader = dict(dataset=dict(model_type='smpl'))
test_dataloader = val_dataloader
val_evaluator = dict(
    body_model=dict(
        type='SMPLModel',
        model_path={{_base_.human_model_path}},
        h36m_regressor_file='smpl/J_regressor_h36m_smpl.npy',
    ),
    pred_key='smpl_mesh_cam',
)
test_evaluator = val_evaluator
