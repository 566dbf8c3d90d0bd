# A tiny job that runs in seconds on a CPU: an MLP learns SMPL-X inverse
# kinematics on random poses. It checks an installation end to end
# (registries, Runner, body model, checkpoints, resume, DDP) with the
# synthetic human-model files of `tools/misc/make_synthetic_human_models.py`.
_base_ = ['../_base_/default_runtime.py']

# The model, dataset and metric are a plugin (projects/quickstart/),
# loaded from the repository root as tools/train.py runs it.
custom_imports = dict(
    imports=['projects.quickstart.pose_lifter'], allow_failed_imports=False
)

human_model_path = 'data/human_model_files'

model = dict(
    type='BodyPoseLifter',
    hidden_dim=256,
    body_model=dict(
        type='SMPLXModel',
        model_path=human_model_path,
        j14_regressor_file=None,
        hand_vertex_ids_file=None,
        face_vertex_ids_file=None,
    ),
)

train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='SyntheticBodyPoseDataset', num_samples=512, seed=0),
)
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='SyntheticBodyPoseDataset', num_samples=32, seed=1),
)
test_dataloader = val_dataloader
val_evaluator = dict(type='JointErrorMetric')
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(type='Adam', lr=3e-3))
max_epochs = 3
# `end` is explicit: a scheduler without it ends at the max_epochs of the
# run that created it, and a run stopped early and resumed with a larger
# max_epochs would keep the shorter schedule.
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        milestones=[2],
        gamma=0.1,
        by_epoch=True,
    )
]
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(enable=False, base_batch_size=32)

default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(save_best='smoke/MPJPE', rule='less'),
)
