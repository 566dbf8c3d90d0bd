# Pose2Pose hand test set (spec §1.2, §5.5, §6.5): the FreiHAND evaluation
# split with RootNet boxes. Predictions are dumped to pred.json for the
# official CodaLab server (no metric is computed here). Crop sizes come
# from the model's codec (`fill_codec`). The
# dump metric needs the MANO files: leaves set
# test_evaluator.body_model.model_path (and val_evaluator's) from the
# model's `human_model_path`.
freihand_data_root = 'data/FreiHAND'

hand_test_pipeline = [
    dict(type='LoadImage'),
    dict(type='MeshTopdownAffine'),
    dict(type='PackMeshInputs'),
]

test_dataloader = dict(
    batch_size=64,  # per GPU
    num_workers=8,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='FreiHANDDataset',
        data_root=freihand_data_root,
        test_mode=True,
        pipeline=hand_test_pipeline,
    ),
)
val_dataloader = test_dataloader

test_evaluator = dict(
    type='FreiHANDDumpMetric',
    body_model=dict(type='MANOModel', model_path='data/human_model_files'),
    # None: pred.json goes next to the log file of the run
    out_dir=None,
)
val_evaluator = test_evaluator
