# Adam, lr x0.1 at epochs 4 and 6, 7 epochs (spec §1.1, §7.1).
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4))
param_scheduler = [
    dict(
        type='MultiStepLR',
        milestones=[4, 6],
        gamma=0.1,
        by_epoch=True,
        begin=0,
        end=7,
    )
]
train_cfg = dict(by_epoch=True, max_epochs=7, val_interval=1)
val_cfg = dict()
test_cfg = dict()
