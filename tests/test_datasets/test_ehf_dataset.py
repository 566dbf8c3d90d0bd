"""EHF: fixture in Hand4Whole's layout through the test config, and the
PLY reader of its GT meshes."""

import json
import shutil

import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData

from h4w.datasets.datasets.base import AnnotationError
from h4w.datasets.datasets.ply import PLYError, read_ply_vertices
from h4w.registry import METRICS
from h4w.structures.bbox import process_bbox
from h4w.synthetic import rodrigues

from tests.fixtures.datasets.ehf import (
    EHF_ROTATION,
    EHF_TRANSLATION,
    make_ehf,
    project_ehf_mesh,
    write_ply,
)
from tests.test_datasets.helpers import (
    assert_cache_is_used,
    build_dataset,
    config,
    dataset_cfg_fixture,
    edited_json,
    numpy_field,
    on_person_fraction,
    preprocess,
    preprocessor_fixture,
)

CONFIG = 'hand4whole/hand4whole_res50_test_ehf.py'
INPUT = (512, 384)
HM = (8, 8, 6)


@pytest.fixture(scope='module')
def ehf(tmp_path_factory, human_model_root):
    root = tmp_path_factory.mktemp('data') / 'EHF'
    record = {}
    make_ehf(str(root), human_model_root, record=record)
    return str(root), record


test_cfg = dataset_cfg_fixture(CONFIG, 'EHFDataset', 'test_dataloader')
preprocessor = preprocessor_fixture('_base_/models/hand4whole_res50.py')


# ----------------------------------------------------------------- PLY
@pytest.mark.parametrize(
    'fmt', ['binary_little_endian', 'binary_big_endian', 'ascii']
)
def test_ply_round_trip(tmp_path, fmt):
    rng = np.random.default_rng(0)
    verts = rng.standard_normal((50, 3)).astype(np.float32)
    faces = rng.integers(0, 50, (30, 3))
    normals = rng.standard_normal((50, 3)) if fmt == 'ascii' else None
    path = write_ply(
        str(tmp_path / 'm.ply'), verts, faces, fmt=fmt, normals=normals
    )
    out = read_ply_vertices(path)
    assert out.dtype == np.float32 and out.shape == (50, 3)
    np.testing.assert_array_equal(out, verts)  # float32 is exact


def test_ply_skips_elements_before_the_vertices(tmp_path):
    """Binary and ASCII files whose face list comes first; doubles and
    CRLF header lines."""
    header = (
        'ply\r\nformat binary_little_endian 1.0\r\n'
        'element face 2\r\nproperty list uchar int vertex_indices\r\n'
        'element vertex 2\r\nproperty double x\r\nproperty uchar r\r\n'
        'property double y\r\nproperty double z\r\nend_header\r\n'
    )
    faces = (
        np.array([3], 'u1').tobytes() + np.arange(3, dtype='<i4').tobytes()
    ) + (np.array([4], 'u1').tobytes() + np.arange(4, dtype='<i4').tobytes())
    verts = np.zeros(
        2, dtype=[('x', '<f8'), ('r', 'u1'), ('y', '<f8'), ('z', '<f8')]
    )
    verts['x'], verts['r'], verts['y'], verts['z'] = [1, 4], 9, [2, 5], [3, 6]
    path = tmp_path / 'b.ply'
    path.write_bytes(header.encode() + faces + verts.tobytes())
    assert read_ply_vertices(str(path)).tolist() == [[1, 2, 3], [4, 5, 6]]
    text = (
        'ply\nformat ascii 1.0\ncomment c\nelement face 1\n'
        'property list uchar int vertex_indices\nelement vertex 1\n'
        'property float x\nproperty float y\nproperty float z\n'
        'end_header\n3 0 0 0\n\n7 8 9\n'
    )
    (tmp_path / 'a.ply').write_text(text)
    assert read_ply_vertices(str(tmp_path / 'a.ply')).tolist() == [[7, 8, 9]]


def test_ply_errors_name_the_file(tmp_path):
    verts = np.ones((20, 3), np.float32)
    good = write_ply(str(tmp_path / 'good.ply'), verts, [[0, 1, 2]])
    data = open(good, 'rb').read()
    with pytest.raises(FileNotFoundError, match='nope.ply'):
        read_ply_vertices(str(tmp_path / 'nope.ply'))
    cases = {
        'truncated.ply': data[: len(data) - 12 - 13 - 100],
        'noheaderend.ply': data[:40],
        'notply.ply': b'\x89PNG\r\n\x1a\n' + bytes(100),
        'empty.ply': b'',
        'noz.ply': data.replace(b'property float z', b'property float w'),
        'badformat.ply': data.replace(b'binary_little_endian', b'binary'),
        'ascii_text.ply': (
            b'ply\nformat ascii 1.0\nelement vertex 2\n'
            b'property float x\nproperty float y\n'
            b'property float z\nend_header\n1 2 3\n1 x 3\n'
        ),
        'ascii_short.ply': (
            b'ply\nformat ascii 1.0\nelement vertex 2\n'
            b'property float x\nproperty float y\n'
            b'property float z\nend_header\n1 2 3\n'
        ),
        'nan.ply': (
            b'ply\nformat ascii 1.0\nelement vertex 1\n'
            b'property float x\nproperty float y\n'
            b'property float z\nend_header\n1 nan 3\n'
        ),
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(PLYError, match=name):
            read_ply_vertices(str(tmp_path / name))


# ------------------------------------------------------------- dataset
def test_annotations_through_the_config(ehf, test_cfg, tmp_path):
    root, record = ehf
    dataset = build_dataset(test_cfg, root, str(tmp_path))
    assert len(dataset) == 2
    with open(f'{root}/data/EHF.json') as f:
        anns = json.load(f)['annotations']
    R = rodrigues(EHF_ROTATION)
    for i, ann in enumerate(anns):
        info = dataset.get_data_info(i)
        assert info['img_path'].endswith(f'data/{i + 1:02d}_img.jpg')
        assert info['mesh_path'].endswith(f'data/{i + 1:02d}_align.ply')
        np.testing.assert_allclose(
            info['bbox'], process_bbox(ann['body_bbox'], 400, 300)
        )
        x, y, w, h = ann['lefthand_bbox']
        np.testing.assert_allclose(
            info['lhand_bbox'], [x, y, x + w, y + h], rtol=1e-6
        )
        mesh = info['smplx_mesh_cam']
        assert mesh.shape == (10475, 3) and mesh.dtype == np.float32
        # the stored mesh is the drawn one in the EHF world frame
        cam = mesh @ R.T + np.asarray(EHF_TRANSLATION)
        np.testing.assert_allclose(
            cam, record[ann['image_id']]['vertices'], atol=1e-5
        )
    with pytest.raises(ValueError, match='test_mode'):
        build_dataset(test_cfg, root, str(tmp_path), test_mode=False)


def test_pipeline_gt_mesh_and_boxes_land_on_the_person(
    ehf, test_cfg, tmp_path, preprocessor
):
    root, record = ehf
    dataset = build_dataset(test_cfg, root, str(tmp_path))
    data = preprocess(dataset, [0, 1], preprocessor, training=False)
    assert data['inputs'].shape == (2, 3) + INPUT
    assert 0 <= data['inputs'].min() and data['inputs'].max() <= 1
    for image, sample in zip(data['inputs'], data['data_samples']):
        assert sample.flip is False and 'bb2img_trans' in sample
        assert not hasattr(sample, 'gt_params')
        camera = record[sample.img_id]
        mesh = numpy_field(sample, 'smplx_mesh_cam')
        assert mesh.shape == (10475, 3)
        # projected GT mesh (EHF rotation + camera) -> crop -> drawn pixels
        uv = project_ehf_mesh(mesh, camera)
        trans = sample.img2bb_trans
        crop = uv @ trans[:, :2].T + trans[:, 2]
        hm = crop * [HM[2] / INPUT[1], HM[1] / INPUT[0]]
        ones = np.ones(len(hm))
        assert on_person_fraction(image, hm[::7], ones[::7], HM) > 0.97
        # hand / face boxes in body heat-map units (§10.2 fix: x by W,
        # y by H of the heat map)
        for part, ids in (
            ('lhand', 'lhand_vertex_ids'),
            ('rhand', 'rhand_vertex_ids'),
            ('face', 'face_vertex_ids'),
        ):
            part_ids = getattr(
                preprocessor.body_models['neutral'], ids
            ).numpy()
            points = hm[part_ids]
            center = numpy_field(sample, f'{part}_bbox_center')
            size = numpy_field(sample, f'{part}_bbox_size')
            np.testing.assert_allclose(
                center, (points.min(0) + points.max(0)) / 2, atol=2e-3
            )
            np.testing.assert_allclose(
                size, points.max(0) - points.min(0), atol=2e-3
            )
            assert numpy_field(sample, f'{part}_bbox_valid') == 1


def test_metric_of_the_config_is_zero_for_the_drawn_mesh(
    ehf, test_cfg, tmp_path, human_model_root
):
    """The GT convention matches WholeBodyMeshMetric's gt_rotation: the
    camera-frame mesh of the drawn person scores 0."""
    root, record = ehf
    dataset = build_dataset(test_cfg, root, str(tmp_path))
    cfg = config(CONFIG).test_evaluator
    cfg.body_model.model_path = human_model_root
    metric = METRICS.build(cfg)
    samples = []
    for i in range(len(dataset)):
        sample = dataset[i]['data_samples']
        verts = record[sample.img_id]['vertices']
        sample.pred_instances = InstanceData(
            smplx_mesh_cam=torch.as_tensor(verts, dtype=torch.float32)[None]
        )
        samples.append(sample.to_dict())
    metric.process(None, samples)
    results = metric.compute_metrics(metric.results)
    assert len(results) == 8
    assert max(results.values()) < 0.05  # mm


def test_ascii_mesh_and_mesh_errors(ehf, test_cfg, tmp_path):
    root, _ = ehf
    copy = tmp_path / 'EHF'
    shutil.copytree(root, copy)
    dataset = build_dataset(test_cfg, str(copy), str(tmp_path / 'c'))
    binary = dataset.get_data_info(0)['smplx_mesh_cam']
    # an ASCII PLY with normals reads the same
    write_ply(
        str(copy / 'data' / '01_align.ply'),
        binary,
        fmt='ascii',
        normals=np.zeros_like(binary),
    )
    np.testing.assert_array_equal(
        dataset.get_data_info(0)['smplx_mesh_cam'], binary
    )
    # corrupt -> PLYError naming the file, at fetch time
    path = copy / 'data' / '02_align.ply'
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(PLYError, match='02_align.ply'):
        dataset[1]
    # wrong topology
    write_ply(str(path), binary[:100])
    with pytest.raises(PLYError, match='02_align.ply: 100 vertices'):
        dataset[1]
    # missing -> FileNotFoundError naming it, when the list is parsed
    path.unlink()
    with pytest.raises(FileNotFoundError, match='02_align.ply'):
        build_dataset(
            test_cfg, str(copy), str(tmp_path / 'c'), use_cache=False
        )


def test_cache_is_used(ehf, test_cfg, tmp_path, monkeypatch):
    root, _ = ehf
    assert_cache_is_used(monkeypatch, test_cfg, root, str(tmp_path))


def test_malformed_annotation_names_file_and_id(ehf, test_cfg, tmp_path):
    root, _ = ehf
    copy = tmp_path / 'EHF'
    shutil.copytree(root, copy)
    path = copy / 'data' / 'EHF.json'
    with edited_json(path) as content:
        bad = content['annotations'][1]
        del bad['body_bbox']
    with pytest.raises(
        AnnotationError, match=rf'EHF.json: annotation {bad["id"]}'
    ):
        build_dataset(test_cfg, str(copy), str(tmp_path / 'c'))
    with edited_json(path) as content:
        bad = content['annotations'][1]
        bad['body_bbox'] = [0, 0, 50, 50]
        bad['face_bbox'] = [1, 2, 3]
    with pytest.raises(
        AnnotationError, match=rf'EHF.json: annotation {bad["id"]}'
    ):
        build_dataset(test_cfg, str(copy), str(tmp_path / 'c'))
    path.unlink()
    with pytest.raises(FileNotFoundError, match='EHF.json'):
        build_dataset(test_cfg, str(copy), str(tmp_path / 'c'))
