"""A small PLY reader for GT meshes (EHF ``<nn>_align.ply``).

Reads the ``vertex`` element of an ASCII, binary little-endian or binary
big-endian PLY file (format 1.0) and returns its ``x``, ``y``, ``z``
properties; other vertex properties (normals, colours) and other
elements (faces) are skipped. Only NumPy is used (no ``plyfile``).
"""

import os.path as osp
from typing import List, NamedTuple, Optional, Tuple

import numpy as np

__all__ = ['PLYError', 'read_ply_vertices']

#: PLY scalar type names (both spellings) -> NumPy type (no byte order).
PLY_TYPES = dict(
    char='i1',
    int8='i1',
    uchar='u1',
    uint8='u1',
    short='i2',
    int16='i2',
    ushort='u2',
    uint16='u2',
    int='i4',
    int32='i4',
    uint='u4',
    uint32='u4',
    float='f4',
    float32='f4',
    double='f8',
    float64='f8',
)

FORMATS = {
    'ascii': None,
    'binary_little_endian': '<',
    'binary_big_endian': '>',
}

#: Longest header accepted (lines), so that a non-PLY file fails fast.
MAX_HEADER_LINES = 1000


class PLYError(ValueError):
    """A PLY file that cannot be read; the message names the file."""


class _Property(NamedTuple):
    name: str
    dtype: str  # scalar type, or the item type of a list
    count_dtype: Optional[str]  # list length type; None for a scalar


class _Element(NamedTuple):
    name: str
    count: int
    properties: List[_Property]


def _parse_header(
    lines: List[str], path: str
) -> Tuple[Optional[str], List[_Element]]:
    """Byte order (None for ASCII) and the elements of a header."""
    if not lines or lines[0] != 'ply':
        raise PLYError(f'{path}: not a PLY file (no "ply" magic line)')
    order, seen_format = None, False
    elements: List[_Element] = []
    for line in lines[1:]:
        words = line.split()
        if not words or words[0] in ('comment', 'obj_info'):
            continue
        if words[0] == 'format':
            if len(words) != 3 or words[1] not in FORMATS:
                raise PLYError(f'{path}: unsupported PLY format line {line!r}')
            order, seen_format = FORMATS[words[1]], True
        elif words[0] == 'element':
            if len(words) != 3 or not words[2].isdigit():
                raise PLYError(f'{path}: bad element line {line!r}')
            elements.append(_Element(words[1], int(words[2]), []))
        elif words[0] == 'property':
            if not elements:
                raise PLYError(f'{path}: property before any element')
            if (
                len(words) == 5
                and words[1] == 'list'
                and words[2] in PLY_TYPES
                and words[3] in PLY_TYPES
            ):
                prop = _Property(
                    words[4], PLY_TYPES[words[3]], PLY_TYPES[words[2]]
                )
            elif len(words) == 3 and words[1] in PLY_TYPES:
                prop = _Property(words[2], PLY_TYPES[words[1]], None)
            else:
                raise PLYError(f'{path}: bad property line {line!r}')
            elements[-1].properties.append(prop)
        else:
            raise PLYError(f'{path}: unknown header line {line!r}')
    if not seen_format:
        raise PLYError(f'{path}: the header has no format line')
    return order, elements


def _read_header(data: bytes, path: str) -> Tuple[List[str], int]:
    """Header lines (stripped) and the offset of the body."""
    lines, offset = [], 0
    while len(lines) < MAX_HEADER_LINES:
        end = data.find(b'\n', offset)
        if end < 0:
            break
        try:
            line = data[offset:end].decode('ascii').strip()
        except UnicodeDecodeError:
            break
        offset = end + 1
        if line == 'end_header':
            return lines, offset
        lines.append(line)
    if not lines or lines[0] != 'ply':
        raise PLYError(f'{path}: not a PLY file (no "ply" magic line)')
    raise PLYError(f'{path}: the PLY header has no end_header line')


def _skip_binary(
    data: bytes, offset: int, element: _Element, order: str, path: str
) -> int:
    """Offset after the instances of ``element`` (binary body)."""
    if all(p.count_dtype is None for p in element.properties):
        size = sum(np.dtype(p.dtype).itemsize for p in element.properties)
        return offset + size * element.count
    for _ in range(element.count):
        for prop in element.properties:
            if prop.count_dtype is None:
                offset += np.dtype(prop.dtype).itemsize
                continue
            count_type = np.dtype(order + prop.count_dtype)
            if offset + count_type.itemsize > len(data):
                raise PLYError(f'{path}: truncated {element.name} data')
            num = int(np.frombuffer(data, count_type, 1, offset)[0])
            offset += count_type.itemsize + num * np.dtype(prop.dtype).itemsize
    return offset


def _vertex_columns(element: _Element, path: str) -> List[int]:
    names = [p.name for p in element.properties]
    if any(p.count_dtype is not None for p in element.properties):
        raise PLYError(
            f'{path}: list properties in the vertex element are not supported'
        )
    missing = [n for n in 'xyz' if n not in names]
    if missing:
        raise PLYError(
            f'{path}: the vertex element has no '
            f'{"/".join(missing)} property (has {names})'
        )
    return [names.index(n) for n in 'xyz']


def read_ply_vertices(path: str) -> np.ndarray:
    """The vertex positions of a PLY file.

    Args:
        path (str): ``.ply`` file (ASCII or binary, format 1.0) with a
            ``vertex`` element that has ``x``, ``y`` and ``z`` scalar
            properties (any PLY scalar type; extra properties ignored).

    Returns:
        np.ndarray: (V, 3) float32, in the file's units.

    Raises:
        FileNotFoundError: ``path`` does not exist (the message names it).
        PLYError: The file is not a readable PLY mesh: bad header, no
            vertex element, truncated or non-numeric vertex data,
            non-finite coordinates (the message names the file).

    Examples:
        >>> import tempfile
        >>> text = ('ply\\nformat ascii 1.0\\nelement vertex 1\\n'
        ...         'property float x\\nproperty float y\\n'
        ...         'property float z\\nend_header\\n1 2 3\\n')
        >>> with tempfile.NamedTemporaryFile('w', suffix='.ply') as f:
        ...     _ = f.write(text); f.flush()
        ...     read_ply_vertices(f.name).tolist()
        [[1.0, 2.0, 3.0]]
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'PLY mesh not found: {path}')
    with open(path, 'rb') as f:
        data = f.read()
    lines, offset = _read_header(data, path)
    order, elements = _parse_header(lines, path)
    index = [i for i, e in enumerate(elements) if e.name == 'vertex']
    if not index:
        raise PLYError(f'{path}: no vertex element')
    vertex = elements[index[0]]
    columns = _vertex_columns(vertex, path)
    if order is None:
        verts = _read_ascii(
            data[offset:], elements[: index[0]], vertex, columns, path
        )
    else:
        for element in elements[: index[0]]:
            offset = _skip_binary(data, offset, element, order, path)
        dtype = np.dtype(
            [
                (f'p{i}', order + p.dtype)
                for i, p in enumerate(vertex.properties)
            ]
        )
        if offset + dtype.itemsize * vertex.count > len(data):
            raise PLYError(
                f'{path}: truncated vertex data ({vertex.count} vertices '
                f'of {dtype.itemsize} bytes declared, '
                f'{max(len(data) - offset, 0)} bytes left)'
            )
        table = np.frombuffer(data, dtype, vertex.count, offset)
        verts = np.stack([table[f'p{c}'] for c in columns], axis=1)
    verts = verts.astype(np.float32)
    if not np.isfinite(verts).all():
        raise PLYError(f'{path}: non-finite vertex coordinates')
    return verts


def _read_ascii(
    body: bytes,
    before: List[_Element],
    vertex: _Element,
    columns: List[int],
    path: str,
) -> np.ndarray:
    """x, y, z columns of the vertex lines of an ASCII body."""
    try:
        text = body.decode('ascii')
    except UnicodeDecodeError as err:
        raise PLYError(f'{path}: non-ASCII data in an ASCII PLY') from err
    lines = [line for line in text.splitlines() if line.strip()]
    start = sum(e.count for e in before)
    rows = lines[start : start + vertex.count]
    if len(rows) < vertex.count:
        raise PLYError(
            f'{path}: truncated vertex data ({vertex.count} '
            f'vertices declared, {len(rows)} lines found)'
        )
    num_props = len(vertex.properties)
    verts = np.empty((vertex.count, 3), dtype=np.float64)
    for i, row in enumerate(rows):
        words = row.split()
        if len(words) != num_props:
            raise PLYError(
                f'{path}: vertex {i} has {len(words)} values, '
                f'{num_props} declared'
            )
        try:
            verts[i] = [float(words[c]) for c in columns]
        except ValueError as err:
            raise PLYError(
                f'{path}: vertex {i} is not numeric ({row!r})'
            ) from err
    return verts
