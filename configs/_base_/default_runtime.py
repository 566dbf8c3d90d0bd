default_scope = 'h4w'
runner_type = 'H4WRunner'

# hooks
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # recipes with a mesh metric set save_best='<prefix>/PA-MPVPE_all'
    checkpoint=dict(
        type='CheckpointHook', interval=1, save_best='auto', rule='less'
    ),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # rendered predictions in val / test; `--show-dir DIR` switches it on
    visualization=dict(type='MeshVisualizationHook', enable=False),
)
custom_hooks = []

# multi-processing backend; CPU runs switch to gloo automatically
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

# visualizer: losses, learning rate, metrics and rendered meshes go to the
# local log and TensorBoard (`tensorboard --logdir WORK_DIR`)
vis_backends = [
    dict(type='LocalVisBackend'),
    dict(type='TensorboardVisBackend'),
]
visualizer = dict(
    type='MeshVisualizer', vis_backends=vis_backends, name='visualizer'
)

# logger
log_processor = dict(
    type='LogProcessor', window_size=50, by_epoch=True, num_digits=6
)
log_level = 'INFO'
load_from = None
resume = False

# file I/O backend
backend_args = dict(backend='local')

# training / validation / testing loops live in configs/_base_/schedules/
