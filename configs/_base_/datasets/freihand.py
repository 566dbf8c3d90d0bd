# Pose2Pose hand test set (spec §1.2, §5.5, §6.5): the FreiHAND evaluation
# split with RootNet boxes. Predictions are dumped to pred.json for the
# official CodaLab server (no metric is computed here). Crop sizes come
# from the model's codec (`fill_codec`). The
# dump metric needs the MANO files: leaves set
# test_evaluator.body_model.model_path (and val_evaluator's) from the
# model's `human_model_path`.
_base_ = ['./common.py']

freihand_data_root = 'data/FreiHAND'


test_dataloader = dict(
    _base_.test_loader,
    num_workers=8,
    dataset=dict(
        type='FreiHANDDataset',
        data_root=freihand_data_root,
        test_mode=True,
        pipeline={{_base_.test_pipeline}},
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
