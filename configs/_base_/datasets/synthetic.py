# Rendered synthetic people (`h4w.synthetic.make_synthetic_dataset`,
# `tools/misc/make_synthetic_dataset.py`): one SMPL-X humanoid per image in
# the AGORA layout at a small resolution, train split `train_0`, val split
# `validation` with the SMPL-X fits as ground truth. For smoke runs and the
# quick start only: never report numbers obtained with it.
#
# Variables are prefixed with `synthetic_` so that this file can sit next
# to a model base. The leaf config passes the model base's
# `human_model_path` to the mesh metric:
#     val_evaluator = [
#         dict(_base_.synthetic_mesh_metric,
#              body_model=dict(type='SMPLXModel',
#                              model_path=_base_.human_model_path))]
_base_ = ['./common.py']

synthetic_data_root = 'data/synthetic'
# (H, W) of the written images (the generator's --img-size, 512x288 by
# default); boxes and cameras of the files are in AGORA's 3840x2160 pixels.
synthetic_resolution = (288, 512)

synthetic_train_dataset = dict(
    type='AGORADataset',
    data_root=synthetic_data_root,
    model_type='smplx',
    resolution=synthetic_resolution,
    pipeline={{_base_.wholebody_train_pipeline}},
)
synthetic_val_dataset = dict(
    type='AGORADataset',
    data_root=synthetic_data_root,
    model_type='smplx',
    resolution=synthetic_resolution,
    test_set='val',
    test_mode=True,
    pipeline={{_base_.test_pipeline}},
)

train_dataloader = dict(
    _base_.train_loader,
    batch_size=16,
    num_workers=2,
    dataset=synthetic_train_dataset,
)
val_dataloader = dict(
    _base_.test_loader,
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    dataset=synthetic_val_dataset,
)
test_dataloader = val_dataloader

# The whole-body mesh metric of EHF / AGORA (§6.2, §6.3): MPVPE and
# PA-MPVPE of all vertices, hands and face.
synthetic_mesh_metric = dict(
    type='WholeBodyMeshMetric',
    # model_path: set by the leaf config from `human_model_path`.
    body_model=dict(type='SMPLXModel'),
    gt_rotation=None,
    with_joints=False,
    prefix='Synthetic',
)
val_evaluator = [synthetic_mesh_metric]
test_evaluator = val_evaluator
