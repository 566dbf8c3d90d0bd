"""Shared machinery of the h4w body-model layers.

Every layer wraps a class of the ``smplx`` package built from the official
file (read without chumpy), fills parameters that the caller leaves out
with zeros, and returns a dict of tensors.
"""

import os.path as osp
import pickle
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor, nn

from h4w.body_models.model_files import (
    GENDERS,
    ModelFileError,
    chumpy_free_smplx,
    load_pickle,
    missing_model_file,
)


def resolve_path(root: str, path: Optional[str]) -> Optional[str]:
    """``path`` relative to the human-model root unless it is absolute."""
    if path is None:
        return None
    return path if osp.isabs(path) else osp.join(root, path)


def check_gender(gender: str) -> str:
    """``gender`` if it is one of :data:`GENDERS`, else a ValueError."""
    if gender not in GENDERS:
        raise ValueError(f'gender must be one of {GENDERS}, got {gender}')
    return gender


def load_aux_array(
    root: str, path: str, model_type: str, what: str
) -> np.ndarray:
    """Load an auxiliary ``.npy`` / ``.pkl`` array (regressor, ids)."""
    full = resolve_path(root, path)
    if not osp.isfile(full):
        raise missing_model_file(full, model_type, what)
    try:
        if full.endswith('.npy'):
            return np.load(full, allow_pickle=False)
        return load_pickle(full)
    except (pickle.UnpicklingError, ValueError, OSError, EOFError) as err:
        raise ModelFileError(f'{full} ({what}) is unreadable: {err}') from err


def regressor_from_sources(
    sources: Sequence[Tuple[str, int]], joint_regressor: Tensor
) -> Tensor:
    """Stack regressor rows given as ('joint', row) or ('vertex', id).

    Args:
        sources: One entry per output joint.
        joint_regressor (Tensor): Kinematic regressor (J, V).

    Returns:
        Tensor: Regressor (len(sources), V).
    """
    num_verts = joint_regressor.shape[1]
    rows = []
    for kind, index in sources:
        if kind == 'joint':
            rows.append(joint_regressor[index])
        else:
            one_hot = joint_regressor.new_zeros(num_verts)
            one_hot[index] = 1
            rows.append(one_hot)
    return torch.stack(rows)


class BaseBodyModel(nn.Module):
    """Base of :class:`SMPLXModel`, :class:`SMPLModel`, :class:`MANOModel`
    and :class:`FLAMEModel`.

    Args:
        model_type (str): ``'smplx'``, ``'smpl'``, ``'mano'`` or ``'flame'``.
        model_path (str): The ``human_model_files`` root folder.
        file_name (str): The model file inside ``<root>/<model_type>/``.
        layer_kwargs (dict): Arguments of the ``smplx`` class.
        param_dims (dict): Parameter name -> size, for zero defaults.

    Class attributes: ``model_type`` (the folder of its files) and
    ``param_layout`` (:class:`h4w.body_models.ParamLayout`: how its
    parameters and targets are laid out, read by the target generator
    and the estimators).
    """

    model_type = ''
    param_layout = None

    def __init__(
        self,
        model_path: Optional[str],
        file_name: str,
        layer_kwargs: Dict,
        param_dims: Dict[str, int],
    ) -> None:
        super().__init__()
        if model_path is None:
            raise ValueError(
                f'{type(self).__name__} needs model_path: the '
                'human_model_files root folder (set it in the config)'
            )
        self.model_path = model_path
        self.model_file = osp.join(model_path, self.model_type, file_name)
        if not osp.isfile(self.model_file):
            raise missing_model_file(self.model_file, self.model_type)
        self.param_dims = dict(param_dims)
        self.layer = self._build_layer(layer_kwargs)
        self.register_buffer(
            'faces',
            torch.as_tensor(np.asarray(self.layer.faces, dtype=np.int64)),
            persistent=False,
        )

    def add_aux_buffer(
        self, name: str, path: str, what: str, dtype=torch.float32
    ) -> np.ndarray:
        """Load an auxiliary array (regressor, vertex ids; ``path``
        relative to the model root) into the non-persistent buffer
        ``name`` (``name`` None: only load it) and return it."""
        array = load_aux_array(self.model_path, path, self.model_type, what)
        if name is not None:
            self.register_buffer(
                name, torch.as_tensor(array, dtype=dtype), persistent=False
            )
        return array

    def _build_layer(self, layer_kwargs: Dict) -> nn.Module:
        import smplx

        layer_kwargs = dict(layer_kwargs)
        for name in list(self.param_dims) + ['transl']:
            layer_kwargs[f'create_{name}'] = False
        try:
            with chumpy_free_smplx():
                layer = smplx.create(
                    self.model_path, self.model_type, **layer_kwargs
                )
        except (
            KeyError,
            AttributeError,
            ValueError,
            IndexError,
            RuntimeError,
            pickle.UnpicklingError,
            EOFError,
        ) as err:
            raise ModelFileError(
                f'{self.model_file} is not a valid {self.model_type.upper()}'
                f' model file ({type(err).__name__}: {err}). Check that it '
                'is the official file, unmodified.'
            ) from err
        # The model file is an input, not a weight: keep its arrays out of
        # checkpoints (upstream drops `smplx_layer.*` keys before saving).
        for module in layer.modules():
            for name, buf in list(module.named_buffers(recurse=False)):
                module.register_buffer(name, buf, persistent=False)
        return layer

    def _full_params(self, params: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Check names and fill missing parameters with zeros."""
        unknown = set(params) - set(self.param_dims) - {'transl'}
        if unknown:
            raise TypeError(
                f'{type(self).__name__} got unknown parameters '
                f'{sorted(unknown)}; it takes '
                f'{sorted(self.param_dims)} and transl'
            )
        given = [p for p in params.values() if p is not None]
        if not given:
            raise ValueError('pass at least one parameter tensor')
        batch = given[0].shape[0]
        ref = self.layer.v_template
        full = {
            name: params.get(name)
            if params.get(name) is not None
            else ref.new_zeros(batch, dim)
            for name, dim in self.param_dims.items()
        }
        if params.get('transl') is not None:
            full['transl'] = params['transl']
        return full

    def run_layer(self, **params: Tensor):
        """Forward the wrapped smplx layer with zero-filled parameters."""
        return self.layer(**self._full_params(params), return_verts=True)
