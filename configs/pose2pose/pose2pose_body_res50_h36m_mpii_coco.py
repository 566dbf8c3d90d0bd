# Pose2Pose body training (spec §7.2): Human3.6M + MSCOCO + MPII, 3DPW
# validation. The reference resumes from the converted SimpleBaseline
# snapshot (epoch 0) and so trains epochs 1-6 of the [4, 6] / 7 schedule:
# here epochs 0-5 with milestones 3 and 5.
_base_ = [
    './pose2pose_body_res50.py',
    '../_base_/datasets/h36m_mpii_coco_smpl.py',
]

param_scheduler = [dict(_base_.lr_step, milestones=[3, 5], end=6)]
train_cfg = dict(by_epoch=True, max_epochs=6, val_interval=1)
auto_scale_lr = dict(base_batch_size=192)  # 4 GPUs x 48

# the one human-model root (model base) for the 3DPW metric's SMPL
val_evaluator = dict(body_model=dict(model_path={{_base_.human_model_path}}))
test_evaluator = val_evaluator
