"""Render the (synthetic) body models to a PNG contact sheet.

Shows SMPL-X neutral from the front and the side, a posed SMPL-X (bent
elbows, curled fingers, open jaw, smile), the right MANO hand and FLAME.
Works headless through EGL.

Example:
    python tools/misc/render_synthetic_human_models.py --out mannequin.png
"""

import argparse
import os
import pathlib

os.environ.setdefault('PYOPENGL_PLATFORM', 'egl')

import numpy as np  # noqa: E402
import pyrender  # noqa: E402
import smplx  # noqa: E402
import torch  # noqa: E402
import trimesh  # noqa: E402
from PIL import Image  # noqa: E402

from h4w.body_models import load_model_data  # noqa: E402

SKIN = (0.85, 0.74, 0.64, 1.0)


def render(
    verts: np.ndarray,
    faces: np.ndarray,
    eye,
    target,
    yfov: float = 0.5,
    size: int = 480,
) -> np.ndarray:
    """Renders a mesh (V, 3), (F, 3) to an RGB image (size, size, 3)."""
    scene = pyrender.Scene(
        bg_color=(1.0, 1.0, 1.0, 1.0), ambient_light=(0.35, 0.35, 0.35)
    )
    material = pyrender.MetallicRoughnessMaterial(
        baseColorFactor=SKIN,
        metallicFactor=0.0,
        roughnessFactor=0.7,
        doubleSided=True,
    )
    mesh = trimesh.Trimesh(verts, faces, process=False)
    scene.add(pyrender.Mesh.from_trimesh(mesh, material=material))
    eye, target = np.asarray(eye, float), np.asarray(target, float)
    back = (eye - target) / np.linalg.norm(eye - target)
    right = np.cross([0.0, 1.0, 0.0], back)
    right /= np.linalg.norm(right)
    pose = np.eye(4)
    pose[:3, :3] = np.column_stack([right, np.cross(back, right), back])
    pose[:3, 3] = eye
    scene.add(pyrender.PerspectiveCamera(yfov=yfov), pose=pose)
    light = pose.copy()
    light[:3, 3] += right
    scene.add(pyrender.DirectionalLight(intensity=3.5), pose=light)
    renderer = pyrender.OffscreenRenderer(size, size)
    color, _ = renderer.render(scene)
    renderer.delete()
    return color


def smplx_views(root: pathlib.Path) -> list[np.ndarray]:
    model = smplx.create(
        str(root),
        model_type='smplx',
        gender='neutral',
        use_pca=False,
        ext='npz',
    )
    faces = model.faces
    rest = model().vertices[0].detach().numpy()
    body_pose = torch.zeros(1, 63)
    body_pose[0, 17 * 3 + 1] = -1.4
    body_pose[0, 18 * 3 + 1] = 1.4
    curl = 3.0 * model.left_hand_mean
    posed = model(
        body_pose=body_pose,
        left_hand_pose=curl[None] - model.left_hand_mean,
        right_hand_pose=(3.0 * model.right_hand_mean - model.right_hand_mean)[
            None
        ],
        jaw_pose=torch.tensor([[0.3, 0.0, 0.0]]),
        expression=torch.tensor([[0.0, 1.5] + [0.0] * 8]),
    )
    posed = posed.vertices[0].detach().numpy()
    centre = (0.0, -0.4, 0.0)
    return [
        render(rest, faces, (0.0, -0.4, 3.6), centre),
        render(rest, faces, (3.6, -0.4, 0.0), centre),
        render(posed, faces, (0.8, 1.6, 2.2), (0.0, -0.2, 0.0)),
        render(posed, faces, (0.15, 0.3, 0.55), (0.0, 0.28, 0.0)),
    ]


def mano_view(root: pathlib.Path) -> np.ndarray:
    data = load_model_data(str(root / 'mano' / 'MANO_RIGHT.pkl'))
    verts = data['v_template']
    centre = verts.mean(axis=0)
    return render(verts, data['f'], centre + (0.0, 0.3, 0.12), centre)


def flame_view(root: pathlib.Path) -> np.ndarray:
    data = load_model_data(str(root / 'flame' / 'FLAME_NEUTRAL.pkl'))
    verts = data['v_template']
    centre = verts.mean(axis=0)
    return render(verts, data['f'], centre + (0.25, 0.05, 0.5), centre)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--root',
        default='data/human_model_files',
        help='root of the human_model_files tree',
    )
    parser.add_argument(
        '--out', default='work_dirs/human_models.png', help='output PNG path'
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    root = pathlib.Path(args.root)
    views = smplx_views(root) + [mano_view(root), flame_view(root)]
    grid = np.concatenate(
        [np.concatenate(views[:3], axis=1), np.concatenate(views[3:], axis=1)],
        axis=0,
    )
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid).save(out)
    print(f'saved {out}')


if __name__ == '__main__':
    main()
