"""The fixtures' literal joint tables equal the datasets' metainfo and
h4w's body-model joint sets.

The fixtures write their annotations with tables copied from the
reference rather than imported from h4w, so a joint-order bug in a
dataset or a joint set fails here, and in the dataset tests that read
what the fixtures wrote.
"""

import pytest
from mmengine.registry import init_default_scope

from h4w.body_models import joint_sets
from h4w.registry import DATASETS

from tests.fixtures import human_models
from tests.fixtures.datasets import (
    agora,
    coco,
    ehf,
    ffhq,
    freihand,
    human36m,
    interhand26m,
    mpi_inf_3dhp,
    mpii,
    pw3d,
)

#: (dataset type, constructor arguments, the fixture's metainfo).
DATASET_TABLES = [
    ('Human36MDataset', {}, human36m.METAINFO),
    ('MPIIDataset', {}, mpii.METAINFO),
    ('MPIINF3DHPDataset', {}, mpi_inf_3dhp.METAINFO),
    *[
        ('MSCOCODataset', dict(part=part), metainfo)
        for part, metainfo in coco.PART_METAINFO.items()
    ],
    ('AGORADataset', dict(model_type='smplx'), agora.METAINFO),
    ('AGORADataset', dict(model_type='smpl'), agora.SMPL_METAINFO),
    ('EHFDataset', {}, ehf.METAINFO),
    ('PW3DDataset', {}, pw3d.METAINFO),
    ('FreiHANDDataset', {}, freihand.METAINFO),
    ('InterHand26MDataset', {}, interhand26m.METAINFO),
    ('FFHQDataset', {}, ffhq.METAINFO),
]


def _plain(value):
    """Nested lists and tuples as tuples (a list and a tuple of the same
    joints are the same table)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return tuple(_plain(item) for item in value)
    return value


@pytest.mark.parametrize(
    'dataset_type,kwargs,expected',
    DATASET_TABLES,
    ids=[
        '-'.join([name, *map(str, kwargs.values())])
        for name, kwargs, _ in DATASET_TABLES
    ],
)
def test_fixture_tables_equal_dataset_metainfo(
    dataset_type, kwargs, expected, tmp_path
):
    init_default_scope('h4w')
    dataset = DATASETS.build(
        dict(
            type=dataset_type,
            data_root=str(tmp_path),
            lazy_init=True,
            **kwargs,
        )
    )
    assert _plain(dataset.metainfo) == _plain(expected)


@pytest.mark.parametrize(
    'joint_set,names,flip_pairs',
    [
        (
            joint_sets.SMPLX_JOINTS,
            human_models.SMPLX_JOINT_NAMES,
            human_models.SMPLX_FLIP_PAIRS,
        ),
        (
            joint_sets.SMPL_JOINTS,
            human_models.SMPL_JOINT_NAMES,
            human_models.SMPL_FLIP_PAIRS,
        ),
        (joint_sets.MANO_JOINTS, human_models.MANO_JOINT_NAMES, ()),
        (
            joint_sets.FLAME_JOINTS,
            human_models.FLAME_JOINT_NAMES,
            human_models.FLAME_FLIP_PAIRS,
        ),
        (
            joint_sets.H36M_JOINTS,
            human36m.H36M_JOINT_NAMES,
            human36m.H36M_FLIP_PAIRS,
        ),
    ],
    ids=['smplx_137', 'smpl_33', 'mano_21', 'flame_73', 'h36m_17'],
)
def test_fixture_tables_equal_body_model_joint_sets(
    joint_set, names, flip_pairs
):
    assert joint_set.joint_names == names
    assert _plain(joint_set.flip_pairs) == _plain(flip_pairs)
