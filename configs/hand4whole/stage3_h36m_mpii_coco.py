# Stage 3 of the Hand4Whole recipe (spec §7.2 step 3): fine-tune the
# stage-1 whole-body model whose hand backbone was replaced by the stage-2
# hand-only Pose2Pose trunk, on the stage-1 data (Human3.6M + MSCOCO +
# MPII, EHF validation), 4 GPUs x 24, Adam 1e-5.
#
# Make the starting checkpoint with
#   python tools/model_converters/merge_hand_into_wholebody.py \
#       work_dirs/stage1_h36m_mpii_coco/epoch_6.pth \
#       work_dirs/pose2pose_hand_res50_freihand_interhand_coco/epoch_13.pth \
#       work_dirs/stage3_init/hand4whole_stage3_init.pth
# (upstream snapshot_6 / snapshot_12_hand .pth.tar files work too). It has
# no hand position / rotation heads: `load_from` is non-strict, so those
# two heads keep their fresh initialisation (§2.16), as in the reference.
# The reference resumes that epoch-0 file with --continue and so trains
# epochs 1-6 of the [4, 6] / 7-epoch schedule at 1e-5, 1e-5, 1e-5, 1e-6,
# 1e-6, 1e-7; here that is epochs 0-5 with milestones 3 and 5.
_base_ = ['./stage1_h36m_mpii_coco.py']

load_from = 'work_dirs/stage3_init/hand4whole_stage3_init.pth'
optim_wrapper = dict(optimizer=dict(lr=1e-5))
