"""Writer of Python-2 style pickles like the official body model files.

The official ``.pkl`` files were written by Python 2 with chumpy and an old
scipy. This module emits the same protocol-2 opcode stream directly:
``str`` values become Python 2 byte strings (loadable with
``encoding='latin1'``), arrays are rebuilt by
``numpy.core.multiarray._reconstruct`` with their raw little-endian bytes,
and :class:`LegacyObject` stands in for ``chumpy.ch.Ch`` and
``scipy.sparse.csc.csc_matrix`` instances (class path plus ``__dict__``
state). Nothing is imported or registered in ``sys.modules``, so reading
such a file back with plain :func:`pickle.load` needs chumpy, exactly as
with the official files.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np


@dataclass
class LegacyObject:
    """An instance of a class that is not importable here.

    Attributes:
        module: Module path of the class, e.g. ``'chumpy.ch'``.
        name: Class name, e.g. ``'Ch'``.
        state: The instance ``__dict__`` restored by BUILD.
    """

    module: str
    name: str
    state: dict


def chumpy_array(value: np.ndarray) -> LegacyObject:
    """A ``chumpy.ch.Ch`` leaf holding ``value`` (state key ``'x'``)."""
    return LegacyObject('chumpy.ch', 'Ch', {'x': np.asarray(value)})


def csc_matrix(dense: np.ndarray) -> LegacyObject:
    """A ``scipy.sparse.csc.csc_matrix`` with the nonzeros of ``dense``."""
    cols = [np.flatnonzero(col) for col in dense.T]
    indptr = np.concatenate([[0], np.cumsum([len(c) for c in cols])])
    indices = np.concatenate(cols) if cols else np.zeros(0)
    data = np.concatenate([dense[c, j] for j, c in enumerate(cols)])
    state = {
        '_shape': tuple(int(s) for s in dense.shape),
        'maxprint': 50,
        'indices': indices.astype(np.int32),
        'indptr': indptr.astype(np.int32),
        'data': data.astype(np.float64),
        'format': 'csc',
    }
    return LegacyObject('scipy.sparse.csc', 'csc_matrix', state)


class _Writer:
    """Emits protocol-2 opcodes for a small set of types."""

    def __init__(self, stream: BinaryIO) -> None:
        self.out = stream

    def dump(self, obj: Any) -> None:
        self.out.write(b'\x80\x02')
        self.save(obj)
        self.out.write(b'.')

    def save(self, obj: Any) -> None:
        if obj is None:
            self.out.write(b'N')
        elif isinstance(obj, (bool, np.bool_)):
            self.out.write(b'\x88' if obj else b'\x89')
        elif isinstance(obj, (int, np.integer)):
            self.save_int(int(obj))
        elif isinstance(obj, float):
            self.out.write(b'G' + struct.pack('>d', obj))
        elif isinstance(obj, str):
            self.save_bytes(obj.encode('latin1'))
        elif isinstance(obj, tuple):
            self.save_tuple(obj)
        elif isinstance(obj, dict):
            self.save_dict(obj)
        elif isinstance(obj, np.ndarray):
            self.save_array(obj)
        elif isinstance(obj, LegacyObject):
            self.save_global(obj.module, obj.name)
            self.out.write(b')\x81')
            self.save_dict(obj.state)
            self.out.write(b'b')
        else:
            raise TypeError(f'cannot write {type(obj).__name__}')

    def save_int(self, value: int) -> None:
        if 0 <= value < 256:
            self.out.write(b'K' + struct.pack('<B', value))
        elif 0 <= value < 65536:
            self.out.write(b'M' + struct.pack('<H', value))
        elif -(2**31) <= value < 2**31:
            self.out.write(b'J' + struct.pack('<i', value))
        else:
            raw = value.to_bytes(
                (value.bit_length() + 8) // 8, 'little', signed=True
            )
            self.out.write(b'\x8a' + struct.pack('<B', len(raw)) + raw)

    def save_bytes(self, raw) -> None:
        if len(raw) < 256:
            self.out.write(b'U' + struct.pack('<B', len(raw)))
        else:
            self.out.write(b'T' + struct.pack('<I', len(raw)))
        self.out.write(raw)

    def save_tuple(self, items: tuple) -> None:
        if not items:
            self.out.write(b')')
            return
        if len(items) > 3:
            self.out.write(b'(')
        for item in items:
            self.save(item)
        self.out.write(
            b't'
            if len(items) > 3
            else b'\x85\x86\x87'[len(items) - 1 : len(items)]
        )

    def save_dict(self, mapping: dict) -> None:
        self.out.write(b'}')
        if mapping:
            self.out.write(b'(')
            for key, value in mapping.items():
                self.save(key)
                self.save(value)
            self.out.write(b'u')

    def save_global(self, module: str, name: str) -> None:
        self.out.write(b'c' + f'{module}\n{name}\n'.encode('ascii'))

    def save_array(self, array: np.ndarray) -> None:
        dtype = (
            array.dtype.newbyteorder('<')
            if array.dtype.itemsize > 1
            else array.dtype
        )
        data = np.ascontiguousarray(array, dtype=dtype)
        self.save_global('numpy.core.multiarray', '_reconstruct')
        self.save_global('numpy', 'ndarray')
        self.out.write(b'K\x00\x85')
        self.save_bytes(b'b')
        self.out.write(b'\x87R(K\x01')
        self.save_tuple(tuple(int(s) for s in data.shape))
        self.save_global('numpy', 'dtype')
        self.save_bytes(f'{dtype.kind}{dtype.itemsize}'.encode('ascii'))
        self.out.write(b'K\x00K\x01\x87R(K\x03')
        self.save_bytes(dtype.byteorder.replace('=', '<').encode('ascii'))
        self.out.write(b'NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89')
        self.out.write(b'T' + struct.pack('<I', data.nbytes))
        self.out.write(memoryview(data).cast('B'))
        self.out.write(b'tb')


def dump(obj: Any, path) -> None:
    """Writes ``obj`` to ``path`` as a Python-2 style protocol-2 pickle.

    Args:
        obj: Nested dicts, tuples, str, int, float, bool, None, numpy
            arrays and :class:`LegacyObject` instances.
        path: Destination file.
    """
    with open(path, 'wb') as stream:
        _Writer(stream).dump(obj)
