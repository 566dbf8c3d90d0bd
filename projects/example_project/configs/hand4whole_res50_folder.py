# Fine-tune Hand4Whole on your own whole-body data: a folder of images with
# COCO-WholeBody-style annotations and optional SMPL-X fits
# (WholeBodyFolderDataset, projects/example_project/README.md).
#
#   python projects/example_project/tools/make_example_data.py \
#       --out-dir data/example_project \
#       --human-models data/human_model_files
#   python tools/train.py \
#       projects/example_project/configs/hand4whole_res50_folder.py
#   python tools/test.py \
#       projects/example_project/configs/hand4whole_res50_folder.py \
#       work_dirs/hand4whole_res50_folder/best_Folder_PA-MPVPE_all_*.pth
_base_ = [
    '../../../configs/hand4whole/hand4whole_res50.py',
    './_base_/wholebody_folder.py',
]

# the plugin: its dataset, metric and head register into h4w
custom_imports = dict(
    imports=[
        'projects.example_project.datasets',
        'projects.example_project.evaluation',
        'projects.example_project.models',
    ],
    allow_failed_imports=False,
)

# Start from a trained Hand4Whole: the released weights converted with
# tools/model_converters/hand4whole_release_to_h4w.py, or the last
# checkpoint of configs/hand4whole/stage3_h36m_mpii_coco.py. None trains
# from scratch (then the backbones should get pretrained weights).
load_from = None

# Fine-tuning: the stage-3 learning rate, a short schedule.
max_epochs = 3
optim_wrapper = dict(optimizer=dict(lr=1e-5))
param_scheduler = [
    dict(_base_.lr_step, milestones=[max_epochs - 1], end=max_epochs)
]
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)

# the mesh metric gets the one human-model root of the model base
val_evaluator = [
    dict(
        _base_.folder_mesh_metric,
        body_model=dict(type='SMPLXModel', model_path=_base_.human_model_path),
    ),
    _base_.folder_keypoint_metric,
]
test_evaluator = val_evaluator
default_hooks = dict(
    checkpoint=dict(save_best='Folder/PA-MPVPE_all', rule='less')
)
