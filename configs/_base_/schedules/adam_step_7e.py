# Adam, lr x0.1 at epochs 4 and 6, 7 epochs (spec §1.1, §7.1).
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4))
# Step decay x0.1 at `milestones`; recipes change the milestones and the
# end only:  param_scheduler = [dict(_base_.lr_step, milestones=[3, 5], end=6)]
lr_step = dict(type='MultiStepLR', gamma=0.1, by_epoch=True, begin=0)
param_scheduler = [dict(lr_step, milestones=[4, 6], end=7)]
train_cfg = dict(by_epoch=True, max_epochs=7, val_interval=1)
val_cfg = dict()
test_cfg = dict()
