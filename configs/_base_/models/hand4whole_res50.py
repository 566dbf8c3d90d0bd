# Hand4Whole (spec §1.1, §2): body ResNet-50, hand ResNet-50, face ResNet-18.
# Every size of the crop geometry is in `codec` (images (H, W), heat maps
# (D, H, W)); the model, its target generator and the data pipelines
# (h4w.utils.config_utils.fill_codec) read it from `model.codec`. The
# model-file root is given once (model.body_model.model_path).
human_model_path = 'data/human_model_files'

codec = dict(
    type='MeshCodec',
    input_size=(512, 384),
    heatmap_size=(8, 8, 6),
    body_input_size=(256, 192),
    hand_input_size=(256, 256),
    face_input_size=(192, 192),
    hand_heatmap_size=(8, 8, 8),
    depth_sizes=dict(body=2.0, hand=0.3, face=0.3),
    hand_bbox_extension=2.0,
    face_bbox_extension=1.5,
    focal=(5000, 5000),
)

model = dict(
    type='Hand4Whole',
    codec=codec,
    data_preprocessor=dict(
        type='MeshDataPreprocessor',
        # RGB / 255, no mean/std normalisation (spec §10.1).
        mean=[0.0, 0.0, 0.0],
        std=[255.0, 255.0, 255.0],
    ),
    target_generator=dict(
        type='BodyModelTargetGenerator', genders=('neutral', 'male', 'female')
    ),
    backbone=dict(type='ResNet', depth=50),
    # depth_dim, the box head's heat-map channels and the RoI sizes come
    # from the codec
    body_position_head=dict(
        type='PositionHead', in_channels=2048, num_joints=25
    ),
    box_head=dict(type='BoxHead', in_channels=2048, channels=256),
    hand_roi_extractor=dict(type='PartRoIExtractor'),
    hand_backbone=dict(type='ResNet', depth=50),
    hand_position_head=dict(
        type='PositionHead', in_channels=2048, num_joints=20
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
    face_roi_extractor=dict(type='PartRoIExtractor'),
    face_backbone=dict(type='ResNet', depth=18),
    face_head=dict(type='FaceRegressorHead', in_channels=512, expr_dim=10),
    body_model=dict(type='SMPLXModel', model_path=human_model_path),
    # Opt-in improvements (§10.1): loss_pose=dict(type='RotationMatrixLoss'),
    # pixel_exact_hand_unflip=True.
    loss_coord=dict(type='CoordLoss'),
    loss_param=dict(type='ParamLoss'),
    loss_pose=dict(type='ParamLoss'),
    pixel_exact_hand_unflip=False,
    camera_3d_size=2.5,
)
