import pytest

from h4w.body_models import joint_sets as js

ALL_SETS = sorted(js.JOINT_SETS.values(), key=lambda s: s.name)

# parts that together cover each set exactly once
PARTITIONS = {
    'smplx_param_53': ['body', 'lhand', 'rhand', 'face'],
    'smplx_137': ['body', 'lhand', 'rhand', 'face'],
    'smplx_pos_65': ['body', 'lhand', 'rhand'],
    'smpl_param_24': ['body'],
    'smpl_33': ['body'],
    'smpl_pos_25': ['body'],
    'mano_param_16': ['hand'],
    'mano_21': ['hand'],
    'flame_73': ['kinematic', 'landmarks', 'contour'],
    'h36m_17': ['body'],
}


@pytest.mark.parametrize('joint_set', ALL_SETS, ids=lambda s: s.name)
def test_flip_pairs_are_an_involution(joint_set):
    perm = joint_set.flip_permutation()
    assert sorted(perm) == list(range(joint_set.num_joints))
    assert [perm[p] for p in perm] == list(range(joint_set.num_joints))
    flat = [i for pair in joint_set.flip_pairs for i in pair]
    assert len(flat) == len(set(flat)), 'a joint is in two flip pairs'
    assert all(a != b for a, b in joint_set.flip_pairs)


@pytest.mark.parametrize('joint_set', ALL_SETS, ids=lambda s: s.name)
def test_flip_pairs_match_left_right_names(joint_set):
    names = joint_set.joint_names
    for a, b in joint_set.flip_pairs:
        if names[a].startswith(('L_', 'R_')):
            assert {names[a][:2], names[b][:2]} == {'L_', 'R_'}
            assert names[a][2:] == names[b][2:]
    paired = {i for pair in joint_set.flip_pairs for i in pair}
    for i, name in enumerate(names):
        if name.startswith('L_') and 'R_' + name[2:] in names:
            assert i in paired, f'{name} has a mirror but no flip pair'


@pytest.mark.parametrize('joint_set', ALL_SETS, ids=lambda s: s.name)
def test_parts_partition_the_set(joint_set):
    covered = []
    for part in PARTITIONS[joint_set.name]:
        covered += joint_set.part_indices(part)
    assert sorted(covered) == list(range(joint_set.num_joints))
    assert len(set(joint_set.joint_names)) == joint_set.num_joints


def test_smplx_sizes_and_named_indices():
    assert js.SMPLX_JOINTS.num_joints == 137
    assert js.SMPLX_PARAM_JOINTS.num_joints == 53
    assert js.SMPLX_POS_JOINTS.joint_names == js.SMPLX_JOINTS.joint_names[:65]
    assert len(js.SMPLX_OUTPUT_JOINT_NAMES) == 144
    named = js.SMPLX_JOINTS.named_indices
    names = js.SMPLX_JOINTS.joint_names
    assert names[named['lwrist']] == 'L_Wrist'
    assert names[named['rwrist']] == 'R_Wrist'
    assert names[named['neck']] == 'Neck'
    assert js.SMPLX_JOINTS.part_indices('hand') == list(range(25, 65))


def test_smplx_137_source_rows_follow_the_spec():
    """Spec §3.3 (b), written out by hand."""
    expected = (
        [0, 1, 2, 4, 5, 7, 8, 12, 16, 17, 18, 19, 20, 21]
        + [60, 61, 62, 63, 64, 65]
        + [59, 58, 57, 56, 55]
        + [
            37,
            38,
            39,
            66,
            25,
            26,
            27,
            67,
            28,
            29,
            30,
            68,
            34,
            35,
            36,
            69,
            31,
            32,
            33,
            70,
        ]
        + [
            52,
            53,
            54,
            71,
            40,
            41,
            42,
            72,
            43,
            44,
            45,
            73,
            49,
            50,
            51,
            74,
            46,
            47,
            48,
            75,
        ]
        + [22, 15, 57, 56]
        + list(range(76, 144))
    )
    assert list(js.SMPLX_JOINT_OUTPUT_IDX) == expected


def test_hand_mcp_indices_name_the_mcp_joints():
    hand = js.SMPLX_JOINTS.joint_names[25:45]
    assert [hand[i] for i in js.HAND_MCP_IDX] == [
        'L_Index_1',
        'L_Middle_1',
        'L_Ring_1',
        'L_Pinky_1',
    ]


def test_hand_regressor_sources_follow_the_spec():
    """Spec §3.3 (d): wrist, thumb 1-3, thumb tip, index 1-3, tip, ..."""
    left = js.SMPLX_HAND_REGRESSOR_SOURCES['left']
    right = js.SMPLX_HAND_REGRESSOR_SOURCES['right']
    assert left[:5] == (
        ('joint', 20),
        ('joint', 37),
        ('joint', 38),
        ('joint', 39),
        ('vertex', 5361),
    )
    assert right[5:9] == (
        ('joint', 40),
        ('joint', 41),
        ('joint', 42),
        ('vertex', 7669),
    )
    assert right[-4:] == (
        ('joint', 46),
        ('joint', 47),
        ('joint', 48),
        ('vertex', 8022),
    )
    assert len(left) == len(right) == 21


def test_smpl_33_sources():
    sources = dict(js.SMPL_JOINT_SOURCES)
    assert len(sources) == 33
    assert sources['R_Wrist'] == ('joint', 21)
    assert sources['L_Heel'] == ('vertex', 3468)
    pos = js.SMPL_POS_JOINTS.joint_names
    assert len(pos) == 25 and not any('_1' in name for name in pos)


def test_flame_face_pairs_match_smplx_face_pairs():
    """FLAME landmarks 5..72 are SMPL-X Face_5..Face_72 (offset 64)."""
    smplx_face = {
        (a - 64, b - 64) for a, b in js.SMPLX_JOINTS.flip_pairs if a >= 69
    }
    flame_face = {p for p in js.FLAME_JOINTS.flip_pairs if p[0] >= 5}
    assert smplx_face == flame_face


def test_indices_of_remaps_by_name():
    h36m_in_smplx = js.SMPLX_JOINTS.indices_of(['Pelvis', 'R_Hip', 'Neck'])
    assert h36m_in_smplx == [0, 2, 7]
    with pytest.raises(ValueError):
        js.SMPLX_JOINTS.index('Head_top')
