# Pose2Pose face training data (spec §1.2, §5.5, §7.2): FFHQ and MSCOCO
# faces with FLAME fits, both 2D-annotated (is_3d 0), concatenated (crop
# geometry: the model's codec, given by `fill_codec`). There
# is no face test set (no metric, §6.5).
_base_ = ['./common.py']

ffhq_data_root = 'data/FFHQ'
coco_data_root = 'data/MSCOCO'

train_dataloader = dict(
    _base_.train_loader,
    batch_size=48,
    dataset=dict(
        type='MixedTrainDataset',
        datasets_2d=[
            dict(
                type='FFHQDataset',
                data_root=ffhq_data_root,
                # the README names data/FFHQ_FLAME_NeuralAnnot.json
                fit_file='data/flame_param.json',
                pipeline={{_base_.face_train_pipeline}},
            ),
            dict(
                type='MSCOCODataset',
                data_root=coco_data_root,
                part='face',
                pipeline={{_base_.face_train_pipeline}},
            ),
        ],
    ),
)
