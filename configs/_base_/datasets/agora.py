# AGORA (spec §5.4, §6.3, §7.2 step 4): fine-tuning set (3D only) and
# validation / test set of Hand4Whole. Produce the layout with
# tools/dataset_converters/agora (README "Datasets").
#
# Variables are prefixed with `agora_` so that this file can sit next to
# a model base (mmengine refuses a key defined by two bases). The
# human-model root is NOT set here: it is `human_model_path` of the model
# base and the leaf config passes it to the mesh metric, e.g.
#     val_evaluator = [
#         dict(_base_.agora_mesh_metric,
#              body_model=dict(type='SMPLXModel',
#                              model_path=_base_.human_model_path))]
# The leaf also sets `model.predict_all_joints=True`: the result pickles
# hold all 144 projected SMPL-X joints (§6.3).
_base_ = ['./common.py']

agora_data_root = 'data/AGORA/data'
# (2160, 3840): the 512x384 person crops (default); (720, 1280): the
# downsampled renders.
agora_resolution = (2160, 3840)
# 'neutral': the reference (neutral SMPL-X on the gendered fits, §10.2);
# 'gendered': the annotation's gender (male / female layers of the data
# preprocessor).
agora_gt_gender = 'neutral'
# Result pickles for AGORA's evaluation / server (one per person).
agora_result_dir = 'work_dirs/agora_results'

# AGORA has no dataset keypoints: the target generator copies the fit's
# joints into the keypoint targets (gt_params['keypoints_from_fit']).
agora_train_dataset = dict(
    type='AGORADataset',
    data_root=agora_data_root,
    model_type='smplx',
    resolution=agora_resolution,
    gt_gender=agora_gt_gender,
    pipeline={{_base_.wholebody_train_pipeline}},
)
# test_set='val': validation annotations with GT (mesh metric + result
# pickles); 'test': AGORA_test_bbox.json, no GT (result pickles only).
agora_val_dataset = dict(
    type='AGORADataset',
    data_root=agora_data_root,
    model_type='smplx',
    resolution=agora_resolution,
    gt_gender=agora_gt_gender,
    test_set='val',
    test_mode=True,
    pipeline={{_base_.test_pipeline}},
)

# Reference trainer with trainset_3d=['AGORA'] and no 2D set: a plain
# concatenation of the 3D group (§5.3).
train_dataloader = dict(
    _base_.train_loader,
    batch_size=24,
    dataset=dict(type='MixedTrainDataset', datasets_3d=[agora_train_dataset]),
)
val_dataloader = dict(_base_.test_loader, dataset=agora_val_dataset)
test_dataloader = val_dataloader

# §6.3: the six MPVPE metrics of EHF, GT not rotated, no joint errors.
agora_mesh_metric = dict(
    type='WholeBodyMeshMetric',
    # model_path: set by the leaf config from `human_model_path`.
    body_model=dict(type='SMPLXModel'),
    gt_rotation=None,
    with_joints=False,
    prefix='AGORA',
)
agora_result_writer = dict(type='AGORAResultWriter', out_dir=agora_result_dir)
# Per-epoch validation computes the metrics only; testing also writes the
# result pickles.
val_evaluator = [agora_mesh_metric]
test_evaluator = [agora_mesh_metric, agora_result_writer]
