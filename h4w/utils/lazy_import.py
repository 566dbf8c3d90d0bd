"""Package attributes imported on first use (PEP 562).

The NumPy-only paths (the onnxruntime backend, the model-file checker)
import h4w packages whose other modules need torch; a package lists those
names here instead of importing them eagerly, so that
``from h4w.apis import ONNXMeshModel`` does not load torch while
``from h4w.apis import init_model`` still works.
"""

import importlib
from typing import Callable, Dict

__all__ = ['lazy_attributes']


def lazy_attributes(package: str, names: Dict[str, str]) -> Callable:
    """A module ``__getattr__`` that imports ``names[attr]`` (a module
    relative to ``package``) when ``attr`` is first looked up.

    Args:
        package (str): The package's ``__name__``.
        names (dict): Attribute -> relative module that defines it, e.g.
            ``{'MeshDataSample': '.mesh_data_sample'}``.

    Returns:
        callable: Assign it to the package's ``__getattr__``.
    """

    def __getattr__(name: str):
        if name not in names:
            raise AttributeError(
                f'module {package!r} has no attribute {name!r}'
            )
        module = importlib.import_module(names[name], package)
        return getattr(module, name)

    return __getattr__
