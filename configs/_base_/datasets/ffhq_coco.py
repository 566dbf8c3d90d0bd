# Pose2Pose face training data (spec §1.2, §5.5, §7.2): FFHQ and MSCOCO
# faces with FLAME fits, both 2D-annotated (is_3d 0), concatenated (crop
# geometry: the model's codec, given by `fill_codec`). There
# is no face test set (no metric, §6.5).
ffhq_data_root = 'data/FFHQ'
coco_data_root = 'data/MSCOCO'

face_train_pipeline = [
    dict(type='LoadImage'),
    dict(type='RandomMeshAugmentation'),
    dict(type='MeshTopdownAffine'),
    dict(
        type='KeypointTargets',
        target_joint_set='flame_73',
        depth_part='face',
    ),
    dict(type='PackMeshInputs'),
]

train_dataloader = dict(
    batch_size=48,  # per GPU
    num_workers=16,
    persistent_workers=True,
    pin_memory=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='MixedTrainDataset',
        datasets_2d=[
            dict(
                type='FFHQDataset',
                data_root=ffhq_data_root,
                # the README names data/FFHQ_FLAME_NeuralAnnot.json
                fit_file='data/flame_param.json',
                pipeline=face_train_pipeline,
            ),
            dict(
                type='MSCOCODataset',
                data_root=coco_data_root,
                part='face',
                pipeline=face_train_pipeline,
            ),
        ],
    ),
)
