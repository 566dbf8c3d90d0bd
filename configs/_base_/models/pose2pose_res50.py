# Pose2Pose (spec §1.2, §2.18): one ResNet-50 on the part crop. The part
# configs in configs/pose2pose/ set `parts`, the heads, the body model and
# the crop geometry (`codec`, read by the model, its target generator and
# the data pipelines). The model-file root is given once
# (model.body_model.model_path).
human_model_path = 'data/human_model_files'

model = dict(
    type='Pose2Pose',
    data_preprocessor=dict(
        type='MeshDataPreprocessor',
        # RGB / 255, no mean/std normalisation (spec §10.1).
        mean=[0.0, 0.0, 0.0],
        std=[255.0, 255.0, 255.0],
    ),
    backbone=dict(type='ResNet', depth=50),
    loss_coord=dict(type='CoordLoss'),
    loss_param=dict(type='ParamLoss'),
    loss_pose=dict(type='ParamLoss'),
)
