# Pose2Pose face training data (spec §1.2, §5.5, §7.2): FFHQ and MSCOCO
# faces with FLAME fits, both 2D-annotated (is_3d 0), concatenated. Face
# crop 256x192, heat map (D, H, W) = (8, 8, 6), bbox_3d_size 0.3 m. There
# is no face test set (no metric, §6.5).
ffhq_data_root = 'data/FFHQ'
coco_data_root = 'data/MSCOCO'

face_input_shape = (256, 192)
face_hm_shape = (8, 8, 6)
face_depth_3d_size = 0.3

face_train_pipeline = [
    dict(type='LoadImage'),
    dict(type='RandomMeshAugmentation'),
    dict(type='MeshTopdownAffine', input_size=face_input_shape),
    dict(
        type='KeypointTargets',
        target_joint_set='flame_73',
        input_size=face_input_shape,
        output_hm_shape=face_hm_shape,
        depth_3d_size=face_depth_3d_size,
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
