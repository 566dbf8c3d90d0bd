# Loader settings and pipelines that the dataset configs share. Each
# dataset config inherits this file (directly or through the dataset
# config it extends), so a leaf that combines a model config with one
# dataset config sees every name once. The crop geometry of the transforms
# is the model's `model.codec`, given by `h4w.utils.config_utils.fill_codec`
# (the tools call it). Batch sizes are per GPU (the reference: 4 GPUs).
train_loader = dict(
    num_workers=16,
    persistent_workers=True,
    pin_memory=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
)
test_loader = dict(
    batch_size=64,  # test_batch_size, spec §1.1
    num_workers=16,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
)

# Test: the crop and bb2img_trans only (spec §5.1, test mode).
test_pipeline = [
    dict(type='LoadImage'),
    dict(type='MeshTopdownAffine'),
    dict(type='PackMeshInputs'),
]

# Training (spec §5.1): augmentation and crop, then the targets of the
# model. Hand4Whole: keypoints in the 137-joint SMPL-X set (z discretised
# by the 3D datasets) and part boxes; Pose2Pose (§5.5): the keypoints of
# the part's model, z discretised with the codec's depth size of the part.
augment_and_crop = [
    dict(type='LoadImage'),
    dict(type='RandomMeshAugmentation'),
    dict(type='MeshTopdownAffine'),
]
wholebody_train_pipeline = augment_and_crop + [
    dict(type='KeypointTargets', target_joint_set='smplx_137'),
    dict(type='PartBBoxTargets'),
    dict(type='PackMeshInputs'),
]
body_train_pipeline = augment_and_crop + [
    dict(
        type='KeypointTargets', target_joint_set='smpl_33', depth_part='body'
    ),
    dict(type='PackMeshInputs'),
]
hand_train_pipeline = augment_and_crop + [
    dict(
        type='KeypointTargets', target_joint_set='mano_21', depth_part='hand'
    ),
    dict(type='PackMeshInputs'),
]
face_train_pipeline = augment_and_crop + [
    dict(
        type='KeypointTargets', target_joint_set='flame_73', depth_part='face'
    ),
    dict(type='PackMeshInputs'),
]
