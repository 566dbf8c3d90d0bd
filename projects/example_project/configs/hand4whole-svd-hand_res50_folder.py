# hand4whole_res50_folder.py with the example project's finger rotation
# head: SVDHandRotationHead regresses each finger rotation as a 3x3 matrix
# projected onto SO(3) by SVD, in place of HandRotationHead's 6D
# representation (projects/example_project/README.md).
#
# Same arguments as HandRotationHead, so the type alone changes. With
# `load_from` a trained Hand4Whole, every weight but the head's last
# layer (`hand_rotation_head.rotmat_out`, new) loads; the log lists it.
_base_ = ['./hand4whole_res50_folder.py']

model = dict(hand_rotation_head=dict(type='SVDHandRotationHead'))
