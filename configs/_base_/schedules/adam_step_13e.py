# Adam, lr x0.1 at epochs 10 and 12, 13 epochs (Pose2Pose hand / face,
# spec §1.2).
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4))
param_scheduler = [
    dict(
        type='MultiStepLR',
        milestones=[10, 12],
        gamma=0.1,
        by_epoch=True,
        begin=0,
        end=13,
    )
]
train_cfg = dict(by_epoch=True, max_epochs=13, val_interval=1)
val_cfg = dict()
test_cfg = dict()
