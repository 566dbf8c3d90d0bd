# Hand4Whole (spec §1.1, §2): body ResNet-50, hand ResNet-50, face ResNet-18.
# Shapes are (H, W) and heat maps (D, H, W). The model-file root is given
# once (model.body_model.model_path); the data preprocessor reuses it.
human_model_path = 'data/human_model_files'

input_img_shape = (512, 384)
input_body_shape = (256, 192)
input_hand_shape = (256, 256)
input_face_shape = (192, 192)
output_hm_shape = (8, 8, 6)
output_hand_hm_shape = (8, 8, 8)

model = dict(
    type='Hand4Whole',
    data_preprocessor=dict(
        type='MeshDataPreprocessor',
        # RGB / 255, no mean/std normalisation (spec §10.1).
        mean=[0.0, 0.0, 0.0],
        std=[255.0, 255.0, 255.0],
        genders=('neutral', 'male', 'female'),
        input_img_shape=input_img_shape,
        output_hm_shape=output_hm_shape,
        body_3d_size=2.0,
        hand_3d_size=0.3,
        face_3d_size=0.3,
    ),
    backbone=dict(type='ResNet', depth=50),
    body_position_head=dict(
        type='PositionHead', in_channels=2048, num_joints=25, depth_dim=8
    ),
    box_head=dict(
        type='BoxHead', in_channels=2048, heatmap_channels=25 * 8, channels=256
    ),
    hand_roi_extractor=dict(
        type='PartRoIExtractor',
        output_size=input_hand_shape,
        input_img_shape=input_img_shape,
        input_body_shape=input_body_shape,
    ),
    hand_backbone=dict(type='ResNet', depth=50),
    hand_position_head=dict(
        type='PositionHead', in_channels=2048, num_joints=20, depth_dim=8
    ),
    hand_rotation_head=dict(
        type='HandRotationHead',
        in_channels=2048,
        num_joints=20,
        num_rotations=15,
    ),
    body_rotation_head=dict(
        type='BodyRotationHead',
        in_channels=2048,
        hand_channels=2048,
        num_body_joints=25,
        num_hand_joints=4,
        num_rotations=21,
    ),
    face_roi_extractor=dict(
        type='PartRoIExtractor',
        output_size=input_face_shape,
        input_img_shape=input_img_shape,
        input_body_shape=input_body_shape,
    ),
    face_backbone=dict(type='ResNet', depth=18),
    face_head=dict(type='FaceRegressorHead', in_channels=512, expr_dim=10),
    body_model=dict(type='SMPLXModel', model_path=human_model_path),
    # Opt-in improvements (§10.1): loss_pose=dict(type='RotationMatrixLoss'),
    # pixel_exact_hand_unflip=True.
    loss_coord=dict(type='CoordLoss'),
    loss_param=dict(type='ParamLoss'),
    loss_pose=dict(type='ParamLoss'),
    pixel_exact_hand_unflip=False,
    input_img_shape=input_img_shape,
    input_body_shape=input_body_shape,
    input_hand_shape=input_hand_shape,
    input_face_shape=input_face_shape,
    output_hm_shape=output_hm_shape,
    output_hand_hm_shape=output_hand_hm_shape,
    focal=(5000, 5000),
    princpt=(96, 128),
    camera_3d_size=2.5,
    hand_bbox_extension=2.0,
    face_bbox_extension=1.5,
)
