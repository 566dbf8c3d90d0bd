# Adam, lr x0.1 at epochs 10 and 12, 13 epochs (Pose2Pose hand / face,
# spec §1.2).
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4))
# Step decay x0.1 at `milestones`; recipes change the milestones and the
# end only:  param_scheduler = [dict(_base_.lr_step, milestones=[3, 5], end=6)]
lr_step = dict(type='MultiStepLR', gamma=0.1, by_epoch=True, begin=0)
param_scheduler = [dict(lr_step, milestones=[10, 12], end=13)]
train_cfg = dict(by_epoch=True, max_epochs=13, val_interval=1)
val_cfg = dict()
test_cfg = dict()
