# Fine-tune the full Hand4Whole on one HumanData file (mmhuman3d /
# SMPLer-X / AiOS `.npz`, README "Datasets", "HumanData") with the
# reference schedule (Adam 1e-4, x0.1 at epochs 4 and 6, 7 epochs),
# validated with the whole-body mesh metric against the file's fits.
#
# The dataset dicts are built from the `human_data_*` variables when the
# config is read: point them at your files with the dataset keys, e.g.
#   python tools/train.py configs/hand4whole/hand4whole_res50_humandata.py \
#       --cfg-options train_dataloader.dataset.data_root=data/humandata \
#       train_dataloader.dataset.ann_file=ubody_train.npz \
#       val_dataloader.dataset.data_root=data/humandata \
#       val_dataloader.dataset.ann_file=ubody_val.npz
# (tools/test.py: the same keys under test_dataloader).
_base_ = ['./hand4whole_res50.py', '../_base_/datasets/human_data.py']

# None: from the initialisation of the model config (ImageNet / random).
# To fine-tune, set a Hand4Whole checkpoint, e.g. the last epoch of
# configs/hand4whole/stage3_h36m_mpii_coco.py or a converted release
# (tools/model_converters/hand4whole_release_to_h4w.py).
load_from = None

auto_scale_lr = dict(base_batch_size=96)  # 4 GPUs x 24
default_hooks = dict(checkpoint=dict(save_best='HumanData/PA-MPVPE_all'))

# The one human-model root (model base) for the metric's SMPL-X.
human_data_mesh_metric = dict(
    _base_.human_data_mesh_metric,
    body_model=dict(type='SMPLXModel', model_path=_base_.human_model_path),
)
val_evaluator = [human_data_mesh_metric]
test_evaluator = val_evaluator
