# HumanData: one `.npz` of the mmhuman3d / SMPLer-X / AiOS dataset
# conversions (`HumanDataDataset`, README "Datasets", "HumanData"). The
# file's `image_path` entries are relative to `human_data_data_root` (set
# `data_prefix=dict(img=...)` for another image folder). npz files are
# unpickled when read: only load files you trust.
#
# Variables are prefixed with `human_data_` so that this file can sit next
# to a model base. The leaf config passes the model base's
# `human_model_path` to the mesh metric:
#     val_evaluator = [
#         dict(_base_.human_data_mesh_metric,
#              body_model=dict(type='SMPLXModel',
#                              model_path=_base_.human_model_path))]
#
# To mix a HumanData set into a recipe, append its dataset to the 2D or 3D
# group of the recipe's MixedTrainDataset in a leaf that inherits the recipe
# alone (this file and `./h36m_mpii_coco.py` both define the dataloaders):
# configs/hand4whole/stage1_h36m_mpii_coco_humandata.py.
_base_ = ['./common.py']

human_data_data_root = 'data/humandata'
human_data_train_ann_file = 'humandata_train.npz'
human_data_val_ann_file = 'humandata_val.npz'

# Keypoint convention: None reads it from the file (144 joints: mmhuman3d
# 'smplx', 190: 'human_data'). The fits need the camera (meta
# focal_length, principal_point) and `transl`: a file without them fails
# with an error naming the key; missing_camera='drop_fit' keeps the rows
# without their fits.
human_data_train_dataset = dict(
    type='HumanDataDataset',
    data_root=human_data_data_root,
    ann_file=human_data_train_ann_file,
    keypoint_convention=None,
    use_keypoints3d=False,
    keypoints_from_fit=False,
    gt_gender='file',
    pipeline={{_base_.wholebody_train_pipeline}},
)
# Test mode: the rows with a fit; the data preprocessor makes the GT mesh.
human_data_val_dataset = dict(
    type='HumanDataDataset',
    data_root=human_data_data_root,
    ann_file=human_data_val_ann_file,
    gt_gender='file',
    test_mode=True,
    pipeline={{_base_.test_pipeline}},
)

train_dataloader = dict(
    _base_.train_loader, batch_size=24, dataset=human_data_train_dataset
)
val_dataloader = dict(_base_.test_loader, dataset=human_data_val_dataset)
test_dataloader = val_dataloader

# The whole-body mesh metric of EHF / AGORA (§6.2, §6.3): MPVPE and
# PA-MPVPE of all vertices, hands and face against the fit's mesh.
human_data_mesh_metric = dict(
    type='WholeBodyMeshMetric',
    # model_path: set by the leaf config from `human_model_path`.
    body_model=dict(type='SMPLXModel'),
    gt_rotation=None,
    with_joints=False,
    prefix='HumanData',
)
val_evaluator = [human_data_mesh_metric]
test_evaluator = val_evaluator
