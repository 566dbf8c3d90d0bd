# Pose2Pose face training (spec §7.2): FFHQ + MSCOCO faces, epochs 0-12,
# lr 1e-4 (x0.1 at 10 and 12). No face benchmark: no validation.
_base_ = ['./pose2pose_face_res50.py', '../_base_/datasets/ffhq_coco.py']

auto_scale_lr = dict(base_batch_size=192)  # 4 GPUs x 48
val_cfg = None
test_cfg = None
