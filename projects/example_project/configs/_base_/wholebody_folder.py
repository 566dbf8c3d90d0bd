# Bring your own whole-body data: a folder of images with one COCO-style
# annotation file per split (COCO-WholeBody keypoints and boxes, optional
# SMPL-X fits), read by WholeBodyFolderDataset of the example plugin. The
# layout and the annotation fields are in the class docstring
# (projects/example_project/datasets/wholebody_folder_dataset.py). Write
# a small example set from synthetic people with
#   python projects/example_project/tools/make_example_data.py \
#       --out-dir data/example_project --human-models data/human_model_files
#
# Variables are prefixed with `folder_` so that this file can sit next to
# a model base. The leaf config loads the plugin (add its model package)
# and fills the body model of the mesh metric from the model base:
#     custom_imports = dict(
#         imports=_base_.folder_custom_imports
#         + ['projects.example_project.models'],
#         allow_failed_imports=False)
#     val_evaluator = [
#         dict(_base_.folder_mesh_metric,
#              body_model=dict(type='SMPLXModel',
#                              model_path=_base_.human_model_path)),
#         _base_.folder_keypoint_metric]
#     test_evaluator = val_evaluator
_base_ = ['../../../../configs/_base_/datasets/common.py']

# the dataset class and the mesh metric that skips persons without a fit
folder_custom_imports = [
    'projects.example_project.datasets',
    'projects.example_project.evaluation',
]
custom_imports = dict(
    imports=folder_custom_imports, allow_failed_imports=False
)

folder_data_root = 'data/example_project'

# Validation: the crop, and the annotated keypoints as heat-map targets in
# the 137-joint SMPL-X set (`joint_img`, `joint_trunc`: the labelled
# keypoints inside the crop) for the 2D metric. The persons with a fit
# carry it as `gt_params`: the model's target generator turns it into the
# GT mesh `smplx_mesh_cam` before `predict` (zeros for the others).
folder_val_pipeline = [
    dict(type='LoadImage'),
    dict(type='MeshTopdownAffine'),
    dict(type='KeypointTargets', target_joint_set='smplx_137'),
    dict(type='PackMeshInputs'),
]

folder_train_dataset = dict(
    type='WholeBodyFolderDataset',
    data_root=folder_data_root,
    ann_file='annotations/train.json',
    pipeline={{_base_.wholebody_train_pipeline}},
)
folder_val_dataset = dict(
    type='WholeBodyFolderDataset',
    data_root=folder_data_root,
    ann_file='annotations/val.json',
    test_mode=True,
    pipeline=folder_val_pipeline,
)

# Small batches: the example set holds about ten persons per split (the
# recipes' batch is 16 per GPU; set yours in the leaf).
train_dataloader = dict(
    _base_.train_loader,
    batch_size=4,
    num_workers=2,
    dataset=folder_train_dataset,
)
val_dataloader = dict(
    _base_.test_loader,
    batch_size=4,
    num_workers=2,
    dataset=folder_val_dataset,
)
test_dataloader = val_dataloader

# Whole-body mesh errors (as AGORA val, spec §6.3: PA-MPVPE / MPVPE of all
# vertices, hands and face) on the persons with a fit; the others are
# left out and counted in the log.
folder_mesh_metric = dict(
    type='FittedWholeBodyMeshMetric',
    # model_path: set by the leaf config from `human_model_path`.
    body_model=dict(type='SMPLXModel'),
    gt_rotation=None,
    with_joints=False,
    prefix='Folder',
)
# 2D error (crop pixels) of Hand4Whole's projected SMPL-X joints against
# the annotated keypoints, on every person with a labelled keypoint in the
# crop (with or without a fit). `smplx_joint_proj` must be the 137-joint
# set (the default `predict_all_joints=False` of Hand4Whole).
# heatmap_size: Hand4Whole's `codec['heatmap_size']`
# (configs/_base_/models/hand4whole_res50.py); a leaf with another codec
# sets `heatmap_size=codec['heatmap_size']`.
folder_keypoint_metric = dict(
    type='ProjectedJointMetric',
    heatmap_size=(8, 8, 6),
    pred_key='smplx_joint_proj',
    gt_key='joint_img',
    valid_key='joint_trunc',
    prefix='Folder',
)
folder_val_evaluator = [folder_mesh_metric, folder_keypoint_metric]
val_evaluator = folder_val_evaluator
test_evaluator = val_evaluator
