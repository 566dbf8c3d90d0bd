# Stage 1 of the Hand4Whole recipe with a HumanData set (mmhuman3d /
# SMPLer-X / AiOS `.npz`, README "Datasets", "HumanData") mixed into the 2D
# group: Human3.6M (3D) + MSCOCO, MPII and the HumanData file (2D). Same
# schedule as stage1_h36m_mpii_coco.py; each group is sampled as in the
# reference (MixedTrainDataset).
#
# A set with camera-frame fits can join the 3D group instead
# (`keypoints_from_fit=True`, or `use_keypoints3d=True` for its 3D
# keypoints): append it to `datasets_3d` the same way.
_base_ = ['./stage1_h36m_mpii_coco.py']

humandata_train_dataset = dict(
    type='HumanDataDataset',
    data_root='data/humandata',
    ann_file='humandata_train.npz',
    pipeline=_base_.wholebody_train_pipeline,
)
train_dataloader = dict(
    dataset=dict(
        datasets_2d=[
            *_base_.train_dataloader.dataset.datasets_2d,
            humandata_train_dataset,
        ]
    )
)
