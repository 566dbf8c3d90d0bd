# Pose2Pose body training data (spec §1.2, §5.5, §7.2): Human3.6M (3D)
# against MSCOCO + MPII (2D) with SMPL NeuralAnnot fits, mixed at equal
# length; 3DPW for validation and test (from ./pw3d.py). The datasets pass
# z in metres (body_3d_size=None); KeypointTargets discretises it.
_base_ = ['./pw3d.py']

h36m_data_root = 'data/Human36M'
mpii_data_root = 'data/MPII'
coco_data_root = 'data/MSCOCO'

# the crop geometry of the transforms is model.codec (`fill_codec`)
train_dataloader = dict(
    _base_.train_loader,
    batch_size=48,  # reference: 4 GPUs x 48
    dataset=dict(
        type='MixedTrainDataset',
        datasets_3d=[
            dict(
                type='Human36MDataset',
                data_root=h36m_data_root,
                model_type='smpl',
                body_3d_size=None,
                pipeline={{_base_.body_train_pipeline}},
            ),
        ],
        datasets_2d=[
            dict(
                type='MSCOCODataset',
                data_root=coco_data_root,
                part='body',
                pipeline={{_base_.body_train_pipeline}},
            ),
            dict(
                type='MPIIDataset',
                data_root=mpii_data_root,
                model_type='smpl',
                pipeline={{_base_.body_train_pipeline}},
            ),
        ],
    ),
)
