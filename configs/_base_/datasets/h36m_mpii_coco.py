# Hand4Whole training data (spec §5.3, §7.2): Human3.6M (3D) against
# MSCOCO + MPII (2D), mixed at equal length; EHF for validation and test
# (from ./ehf.py). Every path is a config value: point the data roots at
# the upstream layout (README "Datasets").
_base_ = ['./ehf.py']

h36m_data_root = 'data/Human36M'
mpii_data_root = 'data/MPII'
coco_data_root = 'data/MSCOCO'

# the crop geometry of the transforms is model.codec (`fill_codec`)
train_dataloader = dict(
    _base_.train_loader,
    batch_size=24,
    dataset=dict(
        type='MixedTrainDataset',
        datasets_3d=[
            dict(
                type='Human36MDataset',
                data_root=h36m_data_root,
                model_type='smplx',
                pipeline={{_base_.wholebody_train_pipeline}},
            ),
        ],
        datasets_2d=[
            dict(
                type='MSCOCODataset',
                data_root=coco_data_root,
                part='wholebody',
                pipeline={{_base_.wholebody_train_pipeline}},
            ),
            dict(
                type='MPIIDataset',
                data_root=mpii_data_root,
                model_type='smplx',
                pipeline={{_base_.wholebody_train_pipeline}},
            ),
        ],
    ),
)
