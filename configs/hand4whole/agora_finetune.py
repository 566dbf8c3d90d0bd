# Optional stage 4 of the Hand4Whole recipe (spec §7.2 step 4): fine-tune
# the stage-3 whole-body model on AGORA alone (trainset_3d=['AGORA'], no
# 2D set), Adam 1e-4, lr x0.1 at epochs 40 and 60, 70 epochs; evaluated on
# AGORA val (§6.3).
#
# The reference resets the stage-3 snapshot to epoch 0 (tool/reset_epoch)
# and trains from there; here `load_from` loads the stage-3 weights only
# (no optimizer state, epoch 0): it names the last checkpoint of
# configs/hand4whole/stage3_h36m_mpii_coco.py. For an upstream stage-3
# snapshot, or to keep a weights-only copy, run
#   python tools/model_converters/reset_checkpoint.py SNAPSHOT OUT.pth
# and pass `--cfg-options load_from=OUT.pth`. (With the README's
# `--continue` the reference would train epochs 1-69 with milestones at 40
# and 60; this config trains epochs 0-69.)
_base_ = ['./hand4whole_res50.py', '../_base_/datasets/agora.py']

load_from = 'work_dirs/stage3_h36m_mpii_coco/epoch_6.pth'

model = dict(
    # AGORA alone: the projected joints only train the camera (§2.14).
    detach_proj_joints=True,
    # result pickles hold all 144 SMPL-X joints (§6.3)
    predict_all_joints=True,
)

param_scheduler = [dict(_base_.lr_step, milestones=[40, 60], end=70)]
# AGORA val is large: validate every 5 epochs.
train_cfg = dict(by_epoch=True, max_epochs=70, val_interval=5)
auto_scale_lr = dict(base_batch_size=96)  # 4 GPUs x 24
default_hooks = dict(checkpoint=dict(save_best='AGORA/PA-MPVPE_all'))

# The one human-model root (model base) for the metric's SMPL-X.
agora_mesh_metric = dict(
    _base_.agora_mesh_metric,
    body_model=dict(type='SMPLXModel', model_path=_base_.human_model_path),
)
val_evaluator = [agora_mesh_metric]
test_evaluator = [agora_mesh_metric, _base_.agora_result_writer]
