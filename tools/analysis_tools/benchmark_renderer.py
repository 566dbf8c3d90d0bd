"""Frames per second of MeshRenderer, per backend and number of people.

Renders the demo mesh (``output.obj``: SMPL-X, 20908 faces; or, when the
file is missing, a synthetic ellipsoid person of the same size) for 1, 3,
... people standing side by side, each seen through its own camera (the
focal lengths differ, so the shared-camera move runs), over an image of
``--size``. Times ``render`` (the overlay of a demo frame) and
``rasterize`` (colour, depth and person index). The first call of each
setting is a warm-up (pyrender compiles its shaders). Numbers are for
comparison on one machine, never asserted; pyrender runs on whatever
OpenGL driver EGL finds (the line says which).

    python tools/analysis_tools/benchmark_renderer.py \\
        --backend pyrender opencv --size 480 640 --people 1 3 --iters 20
"""

import argparse
import os.path as osp
import sys
import time

import numpy as np

sys.path.insert(
    0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
)

from h4w.utils.mesh_io import read_obj  # noqa: E402
from h4w.visualization import MeshRenderer  # noqa: E402

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_OBJ = osp.join(osp.dirname(REPO_ROOT), 'shared', 'data', 'output.obj')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark MeshRenderer (frames per second).',
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        '--backend',
        nargs='+',
        default=['pyrender', 'opencv'],
        choices=['auto', 'pyrender', 'opencv'],
    )
    parser.add_argument(
        '--size',
        type=int,
        nargs=2,
        default=[480, 640],
        metavar=('H', 'W'),
        help='image size',
    )
    parser.add_argument('--people', type=int, nargs='+', default=[1, 3])
    parser.add_argument(
        '--iters', type=int, default=20, help='timed frames per setting'
    )
    parser.add_argument(
        '--obj',
        default=DEFAULT_OBJ,
        help='mesh to render (default: ../shared/data/output.obj next to '
        'the repository; a synthetic mesh when missing)',
    )
    return parser.parse_args(argv)


def synthetic_person(rings: int = 100, segments: int = 105):
    """An ellipsoid 0.5 x 1.7 x 0.3 m with about as many faces as SMPL-X
    (2 * segments * (rings - 1)), centred at the origin, y down."""
    theta = np.linspace(0, np.pi, rings)[:, None]
    phi = np.linspace(0, 2 * np.pi, segments, endpoint=False)[None]
    verts = np.stack(
        [
            0.25 * np.sin(theta) * np.cos(phi),
            0.85 * np.cos(theta) * np.ones_like(phi),
            0.15 * np.sin(theta) * np.sin(phi),
        ],
        axis=-1,
    ).reshape(-1, 3)
    ring = np.arange(rings - 1)[:, None] * segments
    seg = np.arange(segments)[None]
    a = ring + seg
    b = ring + (seg + 1) % segments
    c, d = a + segments, b + segments
    faces = np.concatenate(
        [np.stack([a, c, b], -1), np.stack([b, c, d], -1)]
    ).reshape(-1, 3)
    return verts, faces


def load_mesh(path: str):
    """(vertices centred at the origin, faces, source name)."""
    if path and osp.isfile(path):
        verts, faces = read_obj(path)
        source = path
    else:
        verts, faces = synthetic_person()
        source = f'synthetic ellipsoid ({path} not found)'
    verts = verts - (verts.min(0) + verts.max(0)) / 2
    return verts, faces, source


def scene(verts, faces, people: int, size):
    """Vertices, focal and princpt of ``people`` copies side by side, each
    in its own camera, filling about 80 % of the image height."""
    height, width = size
    extent = np.ptp(verts, axis=0)
    base_focal = 1000.0
    depth = base_focal * extent[1] / (0.8 * height)
    spacing = 0.7 * extent[0]
    all_verts, focal, princpt = [], [], []
    for k in range(people):
        scale = 1.0 + 0.25 * k  # each person's own focal length
        offset = np.array(
            [(k - (people - 1) / 2) * spacing, 0.0, depth * scale]
        )
        all_verts.append(verts + offset * [scale, 1, 1])
        focal.append([base_focal * scale] * 2)
        princpt.append([width / 2, height / 2])
    return all_verts, faces, np.array(focal), np.array(princpt)


def gl_renderer_name() -> str:
    """The OpenGL renderer string of the current context, if any."""
    try:
        from OpenGL.GL import GL_RENDERER, glGetString

        return glGetString(GL_RENDERER).decode()
    except Exception:
        return 'unknown OpenGL renderer'


def fps(call, iters: int) -> float:
    call()  # warm-up
    start = time.perf_counter()
    for _ in range(iters):
        call()
    return iters / (time.perf_counter() - start)


def main(argv=None):
    args = parse_args(argv)
    verts, faces, source = load_mesh(args.obj)
    size = tuple(args.size)
    img = np.full(size + (3,), 128, np.uint8)
    print(
        f'mesh {source}: {len(verts)} vertices, {len(faces)} faces; '
        f'image {size[0]}x{size[1]}; {args.iters} frames per setting'
    )
    rows = []
    for backend in args.backend:
        try:
            renderer = MeshRenderer(backend=backend)
        except (ImportError, RuntimeError) as exc:
            print(f'{backend:8s} unavailable: {exc}', flush=True)
            continue
        with renderer:
            for people in args.people:
                meshes, tris, focal, princpt = scene(
                    verts, faces, people, size
                )
                render_fps = fps(
                    lambda: renderer.render(img, meshes, tris, focal, princpt),
                    args.iters,
                )
                raster_fps = fps(
                    lambda: renderer.rasterize(
                        meshes, tris, focal, princpt, size
                    ),
                    args.iters,
                )
                device = (
                    f' ({gl_renderer_name()})'
                    if renderer.backend == 'pyrender'
                    else ''
                )
                row = dict(
                    backend=renderer.backend,
                    people=people,
                    render_fps=render_fps,
                    rasterize_fps=raster_fps,
                )
                rows.append(row)
                print(
                    f'{renderer.backend:8s} people {people:2d}  '
                    f'render {render_fps:7.2f} fps  '
                    f'rasterize {raster_fps:7.2f} fps{device}',
                    flush=True,
                )
    return rows


if __name__ == '__main__':
    main()
