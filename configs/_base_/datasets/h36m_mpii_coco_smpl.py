# Pose2Pose body training data (spec §1.2, §5.5, §7.2): Human3.6M (3D)
# against MSCOCO + MPII (2D) with SMPL NeuralAnnot fits, mixed at equal
# length; 3DPW for validation and test (from ./pw3d.py). The datasets pass
# z in metres (body_3d_size=None); KeypointTargets discretises it.
_base_ = ['./pw3d.py']

h36m_data_root = 'data/Human36M'
mpii_data_root = 'data/MPII'
coco_data_root = 'data/MSCOCO'

# the crop geometry of the transforms is model.codec (`fill_codec`)
body_train_pipeline = [
    dict(type='LoadImage'),
    dict(type='RandomMeshAugmentation'),
    dict(type='MeshTopdownAffine'),
    dict(
        type='KeypointTargets',
        target_joint_set='smpl_33',
        depth_part='body',
    ),
    dict(type='PackMeshInputs'),
]
train_dataloader = dict(
    batch_size=48,  # per GPU (reference: 4 GPUs x 48)
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
                model_type='smpl',
                body_3d_size=None,
                pipeline=body_train_pipeline,
            ),
        ],
        datasets_2d=[
            dict(
                type='MSCOCODataset',
                data_root=coco_data_root,
                part='body',
                pipeline=body_train_pipeline,
            ),
            dict(
                type='MPIIDataset',
                data_root=mpii_data_root,
                model_type='smpl',
                pipeline=body_train_pipeline,
            ),
        ],
    ),
)
