# Pose2Pose hand training data (spec §1.2, §5.5, §7.2; issues #14/#34/#65):
# FreiHAND + InterHand2.6M (3D) against MSCOCO hands (2D), mixed at equal
# length; FreiHAND evaluation for validation and test (from freihand.py).
# No random flip: left hands are always flipped, right hands and FreiHAND
# never (`enforce_flip` of the datasets).
_base_ = ['./freihand.py']

interhand_data_root = 'data/InterHand26M'
coco_data_root = 'data/MSCOCO'


train_dataloader = dict(
    _base_.train_loader,
    batch_size=48,  # reference: 4 GPUs x 48
    dataset=dict(
        type='MixedTrainDataset',
        datasets_3d=[
            dict(
                type='FreiHANDDataset',
                data_root={{_base_.freihand_data_root}},
                pipeline={{_base_.hand_train_pipeline}},
            ),
            dict(
                type='InterHand26MDataset',
                data_root=interhand_data_root,
                split='train',
                pipeline={{_base_.hand_train_pipeline}},
            ),
        ],
        datasets_2d=[
            dict(
                type='MSCOCODataset',
                data_root=coco_data_root,
                part='hand',
                pipeline={{_base_.hand_train_pipeline}},
            ),
        ],
    ),
)
