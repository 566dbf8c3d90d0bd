# Hand4Whole training data (spec §5.3, §7.2): Human3.6M (3D) against
# MSCOCO + MPII (2D), mixed at equal length; EHF for validation and test
# (from ./ehf.py). Every path is a config value: point the data roots at
# the upstream layout (README "Datasets").
_base_ = ['./ehf.py']

h36m_data_root = 'data/Human36M'
mpii_data_root = 'data/MPII'
coco_data_root = 'data/MSCOCO'

# the crop geometry of the transforms is model.codec (`fill_codec`)
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='RandomMeshAugmentation'),
    dict(type='MeshTopdownAffine'),
    dict(
        type='KeypointTargets',
        target_joint_set='smplx_137',
    ),
    dict(
        type='PartBBoxTargets',
    ),
    dict(type='PackMeshInputs'),
]
train_dataloader = dict(
    batch_size=24,  # per GPU
    num_workers=16,
    persistent_workers=True,
    pin_memory=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='MixedTrainDataset',
        datasets_3d=[
            dict(
                type='Human36MDataset',
                data_root=h36m_data_root,
                model_type='smplx',
                pipeline=train_pipeline,
            ),
        ],
        datasets_2d=[
            dict(
                type='MSCOCODataset',
                data_root=coco_data_root,
                part='wholebody',
                pipeline=train_pipeline,
            ),
            dict(
                type='MPIIDataset',
                data_root=mpii_data_root,
                model_type='smplx',
                pipeline=train_pipeline,
            ),
        ],
    ),
)
