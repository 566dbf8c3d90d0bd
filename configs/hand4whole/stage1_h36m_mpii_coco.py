# Stage 1 of the Hand4Whole recipe (spec §7.2): whole-body pre-training on
# Human3.6M (3D) + MSCOCO and MPII (2D), 4 GPUs x 24, Adam 1e-4.
# The reference resumes from its epoch-0 snapshot and so trains epochs 1-6:
# 1e-4 for three epochs, 1e-5 for two, 1e-6 for one. Here that is epochs
# 0-5 with milestones 3 and 5. Initialise the body backbone from the
# SimpleBaseline COCO ResNet-50 (model.backbone.init_cfg).
_base_ = ['./hand4whole_res50.py', '../_base_/datasets/h36m_mpii_coco.py']

param_scheduler = [dict(_base_.lr_step, milestones=[3, 5], end=6)]
train_cfg = dict(by_epoch=True, max_epochs=6, val_interval=1)
auto_scale_lr = dict(base_batch_size=96)  # 4 GPUs x 24

# the one human-model root (model base) for the EHF metric's SMPL-X
val_evaluator = dict(body_model=dict(model_path={{_base_.human_model_path}}))
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(save_best='EHF/PA-MPVPE_all'))
