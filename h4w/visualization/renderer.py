"""Shaded rendering of the reconstructed meshes of several people in one
image (spec §9.2), with pyrender (OpenGL) or an OpenCV fallback.

Every person comes with its own pinhole camera (``focal``, ``princpt`` in
pixels of the original image, spec §9.1 step 8). The renderer moves all
meshes into one shared camera (the first person's) with
:func:`h4w.structures.camera.to_common_camera`, which keeps each mesh's
image, so that the people occlude each other in one 3D scene.

Two backends draw the same scene:

* ``'pyrender'``: OpenGL through pyrender, headless with EGL (the
  variable ``PYOPENGL_PLATFORM`` is set to ``'egl'`` before pyrender is
  imported unless the user has set it). It follows the paper-era
  reference renderer: mesh rotated 180 degrees about x, flat shading, a
  ``MetallicRoughnessMaterial`` (metallic 0, opaque) per person, ambient
  light 0.3 and three white directional lights of intensity 0.8 (their
  poses are translations only, so all three shine along the viewing
  direction). True z-buffer occlusion; the person index map comes from a
  flat segmentation pass, exact per pixel.
* ``'opencv'``: filled triangles of all meshes, far to near (painter's
  algorithm on the mean face depth), with Lambert shading under the same
  lights. Faces that overlap within one depth interval can come out in
  the wrong order; the result is a preview, not a z-buffer.

Pixel convention: integer pixel coordinates are pixel centres, as in
:func:`h4w.structures.camera.project_points` and the OpenCV drawing
functions; the pyrender camera gets ``princpt + 0.5`` for this (OpenGL
samples pixel centres at half-integers). The reference renderer did not
shift and drew its meshes half a pixel up and to the left.

All images are RGB.
"""

import logging
import os
import threading
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from h4w.utils.arrays import to_numpy

__all__ = ['MeshRenderer', 'PALETTE', 'track_color']

ArrayLike = Union[np.ndarray, Sequence]

#: Default RGB colour (0-255) of each person, in order, repeated after the
#: last one. The first is the reference renderer's (1.0, 1.0, 0.9).
PALETTE: Tuple[Tuple[int, int, int], ...] = (
    (255, 255, 230),
    (110, 170, 255),
    (255, 150, 90),
    (120, 220, 120),
    (230, 120, 220),
    (250, 220, 90),
    (90, 220, 230),
    (180, 150, 255),
)


def track_color(track_id: int) -> Tuple[int, int, int]:
    """The palette colour of a person track (RGB, 0-255), cycled, so that
    a tracked person keeps its colour from frame to frame.

    Examples:
        >>> track_color(1) == PALETTE[1] == track_color(1 + len(PALETTE))
        True
    """
    return PALETTE[int(track_id) % len(PALETTE)]


#: Lighting of the reference renderer (spec §9.2).
AMBIENT = 0.3
LIGHT_INTENSITY = 0.8
LIGHT_POSITIONS = ((0.0, -1.0, 1.0), (0.0, 1.0, 1.0), (1.0, 1.0, 2.0))

#: Coordinates passed to OpenCV are clipped to this range (pixels): the
#: rasteriser works in fixed point and overflows on far-off vertices.
_CV_COORD_LIMIT = 8000.0

_INSTALL_HINT = (
    'install the optional renderer with `pip install h4w[viz]` '
    '(pyrender, trimesh); headless rendering needs PYOPENGL_PLATFORM=egl '
    'and the EGL library (libEGL, e.g. `apt install libegl1 '
    'libgl1-mesa-dri`)'
)

_FALLBACK_NOTICE_SHOWN = False


def _import_pyrender():
    """Import pyrender for headless EGL rendering (the platform variable
    is only set when the user has not chosen one)."""
    os.environ.setdefault('PYOPENGL_PLATFORM', 'egl')
    import pyrender

    return pyrender


class _SharedGLContext:
    """The process's one pyrender ``OffscreenRenderer``, shared by every
    :class:`MeshRenderer` that uses the pyrender backend.

    Deleting one pyrender ``OffscreenRenderer`` on EGL terminates the EGL
    display for every other one in the process (pyrender calls
    ``eglTerminate``), so h4w keeps a single OpenGL context, counts its
    users and deletes it when the last one closes. Creating it (and
    compiling the shaders at its first render) is the slow part; a new
    image size only re-creates its framebuffers (milliseconds), so one
    context serves every size.
    """

    lock = threading.RLock()
    renderer = None
    users = 0
    error: Optional[RuntimeError] = None

    @classmethod
    def acquire(cls) -> Optional[Exception]:
        """Count a user and create the context when needed; returns None,
        or why pyrender cannot render (an ImportError or a RuntimeError;
        the user is then not counted)."""
        try:
            pyrender = _import_pyrender()
        except Exception as exc:  # ImportError, or OpenGL's own errors
            return ImportError(f'pyrender cannot be imported ({exc!r})')
        with cls.lock:
            if cls.renderer is None:
                if cls.error is not None:
                    return cls.error
                try:
                    cls.renderer = pyrender.OffscreenRenderer(
                        8, 8, point_size=1
                    )
                except Exception as exc:
                    cls.error = RuntimeError(
                        'pyrender cannot create an OpenGL context '
                        f'(PYOPENGL_PLATFORM='
                        f'{os.environ.get("PYOPENGL_PLATFORM")}: {exc!r})'
                    )
                    return cls.error
            cls.users += 1
            return None

    @classmethod
    def release(cls) -> None:
        """Uncount a user; the last one deletes the context."""
        with cls.lock:
            cls.users = max(cls.users - 1, 0)
            if cls.users == 0 and cls.renderer is not None:
                renderer, cls.renderer = cls.renderer, None
                try:
                    renderer.delete()
                except Exception:  # the context may already be gone
                    pass

    @classmethod
    def get(cls, height: int, width: int):
        """The shared renderer with its viewport set to (height, width);
        call it holding ``lock``."""
        renderer = cls.renderer
        if renderer.viewport_width != width:
            renderer.viewport_width = width
        if renderer.viewport_height != height:
            renderer.viewport_height = height
        return renderer


def _fallback_notice(reason: str) -> None:
    """Log, once per process, that 'auto' falls back to OpenCV."""
    global _FALLBACK_NOTICE_SHOWN
    if _FALLBACK_NOTICE_SHOWN:
        return
    _FALLBACK_NOTICE_SHOWN = True
    from mmengine.logging import print_log

    print_log(
        f'MeshRenderer: pyrender is unavailable, using the OpenCV '
        f"renderer (painter's algorithm) instead; {reason}; to use "
        f'pyrender, {_INSTALL_HINT}.',
        logger='current',
        level=logging.WARNING,
    )


def _per_mesh(value, count: int, name: str) -> np.ndarray:
    """A (2,) or (K, 2) / (3,) or (K, 3) argument as (K, D) float64."""
    array = to_numpy(value, np.float64)
    if array.ndim == 1:
        array = np.broadcast_to(array, (count, array.shape[0]))
    if array.ndim != 2 or array.shape[0] != count:
        raise ValueError(
            f'{name} must be ({count}, D) for {count} meshes, '
            f'got shape {array.shape}'
        )
    return array


def _face_normals(tri: np.ndarray) -> np.ndarray:
    """(N, 3, 3) triangles -> (N, 3) unnormalised normals (right-hand
    rule, v0 -> v1 -> v2)."""
    return np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; zero rows stay zero."""
    norm = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norm > 0, norm, 1.0)


def _shade(normals: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Lambert shading of faces under the reference lights, close to what
    pyrender computes for a rough dielectric (diffuse ``base / pi``, no
    specular term, gamma 2.2).

    Args:
        normals (np.ndarray): (N, 3) face normals, camera frame.
        base (np.ndarray): (N, 3) base colours in [0, 1].

    Returns:
        np.ndarray: (N, 3) colours in [0, 1].
    """
    # All lights shine along the viewing direction +z; both sides lit.
    cos = np.abs(_unit(normals)[:, 2:3])
    light = AMBIENT + len(LIGHT_POSITIONS) * LIGHT_INTENSITY / np.pi * cos
    return np.clip(base * light, 0.0, 1.0) ** (1 / 2.2)


class MeshRenderer:
    """Render the meshes of several people over an image, each seen
    through its own pinhole camera, in one scene with true occlusion.

    Args:
        backend (str): ``'auto'`` (pyrender when it can render here,
            otherwise OpenCV with a one-line notice, once per process),
            ``'pyrender'`` (raises when unavailable) or ``'opencv'``.
        palette (Sequence, optional): RGB colours (0-255) of the people in
            order, cycled; default :data:`PALETTE`.
        side_background (Sequence[int]): RGB colour of the side view's
            background.
        znear (float): Near clipping distance (metres) of the pyrender
            camera; the OpenCV backend drops faces with a vertex nearer.
            The far plane lies beyond the farthest vertex (people lie up
            to tens of metres away in the shared camera).
        cull_back_faces (bool): Skip the faces turned away from the
            camera (counter-clockwise winding seen from outside, as in
            SMPL-X, MANO and FLAME), as the reference renderer did
            (pyrender's default): about twice as fast, exact for closed
            meshes, but an opening (an eye socket of SMPL-X, the wrist of
            MANO) or a mesh wound inside out then shows the background
            where the inside would be seen. False draws every face, seen
            from either side.

    Attributes:
        backend (str): The backend in use: ``'pyrender'`` or
            ``'opencv'``.

    Raises:
        ValueError: Unknown ``backend``.
        ImportError: ``backend='pyrender'`` and pyrender cannot be
            imported.
        RuntimeError: ``backend='pyrender'`` and no OpenGL context can be
            created.

    Note:
        Shapes: K meshes, mesh k with V_k vertices and F_k faces, images
        of H x W pixels. Vertices are camera-frame points in metres
        (camera translation included, x right, y down, z forward), as
        ``smplx_mesh_cam`` of the model output.

    Examples:
        >>> import numpy as np
        >>> verts = np.array([[-.5, -.5, 3], [.5, -.5, 3], [0, .5, 3]])
        >>> with MeshRenderer(backend='opencv') as renderer:
        ...     out = renderer.rasterize(
        ...         [verts], np.array([[0, 2, 1]]), [(100, 100)],
        ...         [(32, 32)], (64, 64))
        >>> out['index'][[32, 0], [32, 0]].tolist()
        [0, -1]
        >>> round(float(out['depth'][32, 32]), 3)
        3.0
    """

    BACKENDS = ('auto', 'pyrender', 'opencv')

    def __init__(
        self,
        backend: str = 'auto',
        palette: Optional[Sequence[Sequence[int]]] = None,
        side_background: Sequence[int] = (40, 40, 40),
        znear: float = 0.05,
        cull_back_faces: bool = True,
    ) -> None:
        if backend not in self.BACKENDS:
            raise ValueError(
                f'backend must be one of {self.BACKENDS}, got {backend!r}'
            )
        self.palette = np.asarray(
            PALETTE if palette is None else palette, dtype=np.float64
        ).reshape(-1, 3)
        self.side_background = tuple(int(c) for c in side_background)
        self.znear = float(znear)
        self.cull_back_faces = bool(cull_back_faces)
        self._holds_context = False
        if backend == 'opencv':
            self.backend = 'opencv'
            return
        error = _SharedGLContext.acquire()
        if error is None:
            self._holds_context = True
            self.backend = 'pyrender'
        elif backend == 'pyrender':
            raise type(error)(f'{error}; {_INSTALL_HINT}')
        else:
            _fallback_notice(error)
            self.backend = 'opencv'

    def close(self) -> None:
        """Release the OpenGL context (deleted with its last user);
        calling it again does nothing."""
        if self._holds_context:
            self._holds_context = False
            _SharedGLContext.release()

    def __enter__(self) -> 'MeshRenderer':
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f'{type(self).__name__}(backend={self.backend!r})'

    # ------------------------------------------------------------------
    # Public API
    # ------------------------------------------------------------------
    def rasterize(
        self,
        vertices: Sequence[ArrayLike],
        faces: Union[ArrayLike, Sequence[ArrayLike]],
        focal: ArrayLike,
        princpt: ArrayLike,
        image_size: Tuple[int, int],
        colors: Optional[ArrayLike] = None,
    ) -> Dict[str, np.ndarray]:
        """Shaded colour, depth and person index of the meshes in one
        scene.

        Args:
            vertices (Sequence[np.ndarray]): K arrays (V_k, 3), each in its
                own camera frame (a single (V, 3) array is one mesh; K
                may be 0: nothing is drawn).
            faces (np.ndarray | Sequence[np.ndarray]): (F, 3) vertex
                indices shared by all meshes, or K arrays (F_k, 3).
            focal (np.ndarray): (K, 2) fx, fy of each person's camera (a
                (2,) array is used for all).
            princpt (np.ndarray): (K, 2) cx, cy (pixels), idem.
            image_size (tuple): (H, W) of the image.
            colors (np.ndarray, optional): (K, 3) or (3,) RGB colours
                (0-255); default: the palette.

        Returns:
            dict: ``color`` (H, W, 3) uint8 RGB, shaded meshes on black
            (pyrender: antialiased edges); ``depth`` (H, W) float32, the
            depth in the shared camera (the first person's), 0 on the
            background; ``index`` (H, W) int32, the mesh k seen at each
            pixel, -1 on the background; ``alpha`` (H, W) float32, the
            pixel coverage in [0, 1].
        """
        height, width = (int(s) for s in image_size)
        meshes, common_focal, common_princpt = self._to_shared_camera(
            vertices, faces, focal, princpt
        )
        colors = self._colors(colors, len(meshes))
        return self._draw(
            meshes, colors, common_focal, common_princpt, height, width
        )

    def render(
        self,
        img: np.ndarray,
        vertices: Sequence[ArrayLike],
        faces: Union[ArrayLike, Sequence[ArrayLike]],
        focal: ArrayLike,
        princpt: ArrayLike,
        colors: Optional[ArrayLike] = None,
        alpha: float = 1.0,
        side_view: bool = False,
    ) -> np.ndarray:
        """Overlay the shaded meshes on an image.

        Args:
            img (np.ndarray): (H, W, 3) uint8 RGB image (not modified).
            vertices, faces, focal, princpt, colors: As
                :meth:`rasterize`.
            alpha (float): Opacity of the meshes (1 replaces the image
                under them).
            side_view (bool): Append a view of the same scene turned 90
                degrees about the vertical axis through the scene's
                centre (the people seen from the image's right), scaled
                to stay in the panel, on a plain background.

        Returns:
            np.ndarray: (H, W, 3) uint8 RGB, or (H, 2W, 3) with
            ``side_view``.
        """
        img = np.asarray(img)
        if img.ndim != 3 or img.shape[2] != 3:
            raise ValueError(f'expected an (H, W, 3) RGB image: {img.shape}')
        height, width = img.shape[:2]
        meshes, common_focal, common_princpt = self._to_shared_camera(
            vertices, faces, focal, princpt
        )
        colors = self._colors(colors, len(meshes))
        out = self._draw(
            meshes,
            colors,
            common_focal,
            common_princpt,
            height,
            width,
            with_index=False,
        )
        panels = [_composite(img, out, alpha)]
        if side_view:
            side_meshes, side_princpt = self._side_view_scene(
                meshes, common_focal, height, width
            )
            side = self._draw(
                side_meshes,
                colors,
                common_focal,
                side_princpt,
                height,
                width,
                with_index=False,
            )
            background = np.empty_like(img, dtype=np.uint8)
            background[:] = self.side_background
            panels.append(_composite(background, side, 1.0))
        return np.concatenate(panels, axis=1)

    # ------------------------------------------------------------------
    # Scene preparation
    # ------------------------------------------------------------------
    @staticmethod
    def _to_shared_camera(
        vertices, faces, focal, princpt
    ) -> Tuple[List[Tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
        """[(vertices (V_k, 3) in the first camera, faces (F_k, 3))],
        focal (2,), princpt (2,); ``[], None, None`` without meshes."""
        from h4w.structures.camera import to_common_camera

        if hasattr(vertices, 'detach') or isinstance(vertices, np.ndarray):
            vertices = to_numpy(vertices, np.float64)
            vertices = [vertices] if vertices.ndim == 2 else list(vertices)
        vertices = [to_numpy(v, np.float64).reshape(-1, 3) for v in vertices]
        count = len(vertices)
        if count == 0:
            return [], None, None
        if isinstance(faces, np.ndarray) or hasattr(faces, 'detach'):
            faces_array = to_numpy(faces, np.int64)
            faces = (
                [faces_array] * count
                if faces_array.ndim == 2
                else list(faces_array)
            )
        faces = [to_numpy(f, np.int64).reshape(-1, 3) for f in faces]
        if len(faces) != count:
            raise ValueError(f'{len(faces)} face arrays for {count} meshes')
        focal = _per_mesh(focal, count, 'focal')
        princpt = _per_mesh(princpt, count, 'princpt')
        meshes = []
        for k, (verts, tris) in enumerate(zip(vertices, faces)):
            if tris.size and (tris.min() < 0 or tris.max() >= len(verts)):
                raise ValueError(
                    f'mesh {k}: face indices outside [0, {len(verts)})'
                )
            if k > 0:
                with np.errstate(divide='ignore', invalid='ignore'):
                    verts = to_common_camera(
                        verts, focal[k], princpt[k], focal[0], princpt[0]
                    )
            meshes.append((verts, tris))
        return meshes, focal[0], princpt[0]

    def _colors(self, colors, count: int) -> np.ndarray:
        """(K, 3) float64 RGB colours in [0, 255]."""
        if colors is None:
            return self.palette[np.arange(count) % len(self.palette)]
        return np.clip(_per_mesh(colors, count, 'colors'), 0, 255)

    def _side_view_scene(self, meshes, focal, height: int, width: int):
        """The meshes turned 90 degrees about the vertical axis through
        the scene's centre, moved back until they fit in 90 % of the
        image, with the principal point at the image centre."""
        princpt = np.array([(width - 1) / 2, (height - 1) / 2])
        if not meshes:
            return [], princpt
        points = np.concatenate([v for v, _ in meshes])
        points = points[np.isfinite(points).all(1)]
        centre = (
            (points.min(0) + points.max(0)) / 2 if len(points) else np.zeros(3)
        )
        # x' = z - cz, z' = -(x - cx): depth runs left to right.
        turn = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]])
        rel = (points - centre) @ turn.T
        depth = max(float(centre[2]), self.znear * 10)
        if len(rel):
            fit_x = focal[0] * np.abs(rel[:, 0]) / (0.45 * width) - rel[:, 2]
            fit_y = focal[1] * np.abs(rel[:, 1]) / (0.45 * height) - rel[:, 2]
            depth = max(
                depth,
                float(fit_x.max()),
                float(fit_y.max()),
                float(self.znear * 10 - rel[:, 2].min()),
            )
        offset = np.array([0.0, 0.0, depth])
        side = [((v - centre) @ turn.T + offset, f) for v, f in meshes]
        return side, princpt

    # ------------------------------------------------------------------
    # Backends
    # ------------------------------------------------------------------
    def _draw(
        self,
        meshes,
        colors: np.ndarray,
        focal: np.ndarray,
        princpt: np.ndarray,
        height: int,
        width: int,
        with_index: bool = True,
    ) -> Dict[str, np.ndarray]:
        if not meshes:
            return dict(
                color=np.zeros((height, width, 3), np.uint8),
                depth=np.zeros((height, width), np.float32),
                index=np.full((height, width), -1, np.int32),
                alpha=np.zeros((height, width), np.float32),
            )
        if self.backend == 'pyrender':
            if not self._holds_context:
                raise RuntimeError('MeshRenderer is closed')
            return self._draw_pyrender(
                meshes, colors, focal, princpt, height, width, with_index
            )
        return self._draw_opencv(
            meshes, colors, focal, princpt, height, width, with_index
        )

    def _draw_pyrender(
        self, meshes, colors, focal, princpt, height, width, with_index
    ) -> Dict[str, np.ndarray]:
        """One lit pass (colour, coverage) and, for the index map, one
        segmentation pass (flat id colours, no antialiasing, exact)."""
        pyrender = _import_pyrender()
        scene = pyrender.Scene(
            bg_color=(0.0, 0.0, 0.0, 0.0),
            ambient_light=(AMBIENT, AMBIENT, AMBIENT),
        )
        camera = pyrender.IntrinsicsCamera(
            fx=float(focal[0]),
            fy=float(focal[1]),
            cx=float(princpt[0]) + 0.5,
            cy=float(princpt[1]) + 0.5,
            znear=self.znear,
            zfar=_far_plane(meshes),
        )
        scene.add(camera, pose=np.eye(4))
        for position in LIGHT_POSITIONS:
            pose = np.eye(4)
            pose[:3, 3] = position
            light = pyrender.DirectionalLight(
                color=np.ones(3), intensity=LIGHT_INTENSITY
            )
            scene.add(light, pose=pose)
        seg_node_map = {}
        for k, (verts, tris) in enumerate(meshes):
            primitive = _pyrender_primitive(
                pyrender, verts, tris, colors[k] / 255.0, self.cull_back_faces
            )
            if primitive is None:
                continue
            node = scene.add(pyrender.Mesh(primitives=[primitive]))
            mesh_id = k + 1  # 0 is the background
            seg_node_map[node] = np.array(
                [mesh_id & 255, (mesh_id >> 8) & 255, (mesh_id >> 16) & 255]
            )
        flags = pyrender.RenderFlags
        with _SharedGLContext.lock:
            renderer = _SharedGLContext.get(height, width)
            rgba, depth = renderer.render(scene, flags=flags.RGBA)
            if with_index:
                seg, depth = renderer.render(
                    scene, flags=flags.SEG, seg_node_map=seg_node_map
                )
        out = dict(
            color=np.ascontiguousarray(rgba[:, :, :3]),
            alpha=rgba[:, :, 3].astype(np.float32) / 255.0,
        )
        if with_index:
            seg = seg.astype(np.int32)
            out['index'] = (
                seg[:, :, 0] + (seg[:, :, 1] << 8) + (seg[:, :, 2] << 16) - 1
            )
            out['depth'] = np.where(out['index'] >= 0, depth, 0).astype(
                np.float32
            )
        return out

    def _draw_opencv(
        self, meshes, colors, focal, princpt, height, width, with_index
    ) -> Dict[str, np.ndarray]:
        """Painter's algorithm over the faces of all meshes into a face-id
        map, then colour, index and (per-pixel, exact plane) depth by
        lookup."""
        tri = np.concatenate([v[f] for v, f in meshes]).reshape(-1, 3, 3)
        owner = np.concatenate(
            [np.full(len(f), k, np.int32) for k, (_, f) in enumerate(meshes)]
        )
        # Faces with a vertex behind the near plane or not finite, and
        # faces wholly outside the image, are dropped.
        z = tri[:, :, 2]
        keep = np.isfinite(tri).all((1, 2)) & (z > self.znear).all(1)
        tri, owner = tri[keep], owner[keep]
        normals = _face_normals(tri)
        if self.cull_back_faces:
            front = np.einsum('ij,ij->i', normals, tri[:, 0]) < 0
            tri, owner, normals = tri[front], owner[front], normals[front]
        uv = tri[:, :, :2] / tri[:, :, 2:] * focal + princpt
        lower, upper = uv.min(1), uv.max(1)
        inside = (upper >= -1).all(1) & (lower <= (width, height)).all(1)
        tri, owner, uv = tri[inside], owner[inside], uv[inside]
        normals = normals[inside]
        base = colors[owner] / 255.0
        face_rgb = np.round(255 * _shade(normals, base)).astype(np.uint8)
        # Far to near; the faces' order in the input breaks ties.
        order = np.argsort(-tri[:, :, 2].mean(1), kind='stable')
        points = np.round(
            np.clip(uv, -_CV_COORD_LIMIT, _CV_COORD_LIMIT) * 4
        ).astype(np.int32)
        face_map = np.full((height, width), -1, np.int32)
        for face in order.tolist():
            cv2.fillConvexPoly(
                face_map, points[face], face, lineType=cv2.LINE_8, shift=2
            )
        covered = face_map >= 0
        face = face_map[covered]
        color = np.zeros((height, width, 3), np.uint8)
        color[covered] = face_rgb[face]
        out = dict(color=color, alpha=covered.astype(np.float32))
        if with_index:
            out['index'] = np.full((height, width), -1, np.int32)
            out['index'][covered] = owner[face]
            out['depth'] = np.zeros((height, width), np.float32)
            out['depth'][covered] = _plane_depth(
                np.nonzero(covered), tri[face], normals[face], focal, princpt
            )
        return out


def _pyrender_primitive(pyrender, verts, tris, base_color, cull: bool):
    """A flat-shaded pyrender primitive of one mesh in the OpenGL camera
    frame (rotated 180 degrees about x), or None when it has no face to
    draw.

    With ``cull``, the faces turned away from the camera are left out
    (OpenGL would cull them anyway). Without, they are re-wound to face
    the camera, normals included: pyrender always culls back faces in its
    segmentation pass, so this is how every face gets drawn, the z-buffer
    alone decides what is seen, and faces seen from behind are lit like
    front faces.
    """
    tri = verts[tris].reshape(-1, 3, 3) * np.array([1.0, -1.0, -1.0])
    tri = tri[np.isfinite(tri).all((1, 2))]
    if not len(tri):
        return None
    normals = _face_normals(tri)
    away = np.einsum('ij,ij->i', normals, tri[:, 0]) > 0
    if cull:
        tri, normals = tri[~away], normals[~away]
        if not len(tri):
            return None
    else:
        tri[away] = tri[away][:, ::-1]
        normals[away] *= -1
    positions = tri.reshape(-1, 3)
    normals = np.repeat(_unit(normals), 3, axis=0)
    material = pyrender.MetallicRoughnessMaterial(
        metallicFactor=0.0,
        alphaMode='OPAQUE',
        baseColorFactor=(*(float(c) for c in base_color), 1.0),
    )
    return pyrender.Primitive(
        positions=positions.astype(np.float32),
        normals=normals.astype(np.float32),
        material=material,
    )


def _far_plane(meshes) -> float:
    """A far clipping distance beyond every vertex (pyrender's
    IntrinsicsCamera has no infinite projection); at least 100 m."""
    far = 100.0
    for verts, _ in meshes:
        z = verts[:, 2][np.isfinite(verts[:, 2])]
        if len(z):
            far = max(far, 2.0 * float(z.max()))
    return far


def _plane_depth(
    pixels: Tuple[np.ndarray, np.ndarray],
    tri: np.ndarray,
    normals: np.ndarray,
    focal: np.ndarray,
    princpt: np.ndarray,
) -> np.ndarray:
    """Depth where the viewing ray of each pixel meets the plane of its
    face, limited to the face's depth range.

    Args:
        pixels (tuple): (rows (N,), columns (N,)).
        tri (np.ndarray): (N, 3, 3) the face seen at each pixel.
        normals (np.ndarray): (N, 3) its unnormalised normal.
        focal, princpt (np.ndarray): (2,) the camera.

    Returns:
        np.ndarray: (N,) depths.
    """
    rows, cols = pixels
    rays = np.stack(
        (
            (cols - princpt[0]) / focal[0],
            (rows - princpt[1]) / focal[1],
            np.ones(len(rows)),
        ),
        axis=1,
    )
    denom = np.einsum('ij,ij->i', normals, rays)
    numer = np.einsum('ij,ij->i', normals, tri[:, 0])
    mean_z = tri[:, :, 2].mean(1)
    with np.errstate(divide='ignore', invalid='ignore'):
        depth = np.where(np.abs(denom) > 1e-12, numer / denom, mean_z)
    depth = np.where(np.isfinite(depth), depth, mean_z)
    return np.clip(depth, tri[:, :, 2].min(1), tri[:, :, 2].max(1))


def _composite(
    img: np.ndarray, layer: Dict[str, np.ndarray], alpha: float
) -> np.ndarray:
    """``layer['color']`` (premultiplied by its coverage) over ``img``
    with opacity ``alpha``; only the covered pixels are computed."""
    out = np.array(img, dtype=np.uint8, copy=True)
    rows, cols = np.nonzero(layer['alpha'] > 0)
    if len(rows):
        coverage = layer['alpha'][rows, cols, None] * np.float32(alpha)
        pixels = layer['color'][rows, cols] * np.float32(alpha)
        pixels += img[rows, cols] * (1 - coverage)
        out[rows, cols] = np.clip(np.rint(pixels), 0, 255).astype(np.uint8)
    return out
