"""Read the tensors of a PyTorch zip archive without torch and without running its code.

TorchScript files and ``torch.save`` state dicts are zip archives whose
``data.pkl`` describes the objects and whose ``data/<key>`` entries hold the
raw storages. Unpickling ``data.pkl`` normally imports torch and the classes it
names; here a restricted unpickler maps every allowed global to an inert
stand-in and refuses all others, so nothing from the package is imported or
executed. Tensors come back as `TensorRef` (shape, dtype, storage key).

For TorchScript, which attributes are parameters and which are buffers is
declared in the archive's ``code/`` files (``__parameters__ = [...]`` and
``__buffers__ = [...]`` of each class); they are read as text.
"""

from __future__ import annotations

import math
import pickle
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

# Bytes per element of the storage classes and dtypes torch writes into pickles.
_ITEM_SIZES = {
    "Double": 8, "Float": 4, "Half": 2, "BFloat16": 2, "Long": 8, "Int": 4, "Short": 2,
    "Char": 1, "Byte": 1, "Bool": 1, "ComplexFloat": 8, "ComplexDouble": 16,
    "float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "int64": 8, "int32": 4,
    "int16": 2, "int8": 1, "uint8": 1, "bool": 1, "complex64": 8, "complex128": 16,
}  # fmt: skip
_FLOATING = {"Double", "Float", "Half", "BFloat16", "float64", "float32", "float16", "bfloat16"}


class UnsafeArchiveError(Exception):
    """``data.pkl`` names something outside the allowed tensor-rebuilding globals."""


@dataclass(frozen=True)
class Storage:
    key: str
    dtype: str  # "Float", "float32", ...
    numel: int


@dataclass(frozen=True)
class TensorRef:
    """A tensor as described by the pickle: no data is read."""

    storage: Storage
    offset: int
    shape: tuple[int, ...]
    is_parameter: bool = False  # wrapped in torch.nn.Parameter by the pickle

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    @property
    def floating(self) -> bool:
        return self.storage.dtype in _FLOATING


class ScriptObject:
    """Stand-in for a TorchScript class instance (``__torch__.*``): its class name and state."""

    qualified_name = ""  # set on the per-class subclass made by `_script_class`

    def __new__(cls, *_args: Any) -> "ScriptObject":
        self = super().__new__(cls)
        self.state = {}
        return self

    def __setstate__(self, state: Any) -> None:
        self.state = state if isinstance(state, dict) else {"__state__": state}


class _StateDict(dict):
    """Stand-in for ``collections.OrderedDict``; takes attributes such as ``_metadata``."""


class _DType:
    """Stand-in for ``torch.float32`` and the like."""

    def __init__(self, name: str) -> None:
        self.name = name


def _rebuild_tensor(storage, offset, shape, *_rest) -> TensorRef:
    return TensorRef(storage, int(offset), tuple(int(s) for s in shape))


def _rebuild_parameter(data, *_rest) -> TensorRef:
    if not isinstance(data, TensorRef):
        raise UnsafeArchiveError("a parameter that is not a plain tensor")
    return TensorRef(data.storage, data.offset, data.shape, is_parameter=True)


def _script_class(qualified_name: str) -> type:
    # NEWOBJ calls cls.__new__, so each TorchScript class gets an inert subclass.
    return type(qualified_name.rsplit(".", 1)[-1], (ScriptObject,), {"qualified_name": qualified_name})


_ALLOWED = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("collections", "OrderedDict"): _StateDict,
    # TorchScript wraps typed containers in these; they only return their argument.
    ("torch.jit._pickle", "restore_type_tag"): lambda value, _type=None: value,
    ("torch.jit._pickle", "build_intlist"): list,
    ("torch.jit._pickle", "build_doublelist"): list,
    ("torch.jit._pickle", "build_boollist"): list,
    ("torch.jit._pickle", "build_tensorlist"): list,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file, storage_sizes: dict[str, int]) -> None:
        super().__init__(file)
        self._storage_sizes = storage_sizes

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module == "torch" and (name.endswith("Storage") or name in _ITEM_SIZES):
            return _DType(name.removesuffix("Storage") or "Untyped")
        if module.startswith("__torch__"):
            return _script_class(f"{module}.{name}")
        raise UnsafeArchiveError(f"refusing to load {module}.{name} from the pickle")

    def persistent_load(self, pid: Any) -> Storage:
        # ('storage', storage type or dtype, key, location, numel)
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise UnsafeArchiveError(f"unexpected persistent id {pid!r}")
        kind, key, numel = pid[1], str(pid[2]), int(pid[4])
        dtype = kind.name if isinstance(kind, _DType) else "Untyped"
        if dtype == "Untyped":
            # An untyped storage counts bytes; the file size says the same.
            numel = self._storage_sizes.get(key, numel)
            dtype = "Byte"
        return Storage(key, dtype, numel)


@dataclass
class TorchArchive:
    """What a PyTorch zip archive contains, read safely."""

    root: Any  # the unpickled object tree: dicts, lists, ScriptObject, TensorRef
    declared: dict[str, tuple[list[str], list[str]]]  # TorchScript class -> (parameters, buffers)
    is_torchscript: bool


def _declared_members(archive: zipfile.ZipFile, prefix: str) -> dict[str, tuple[list[str], list[str]]]:
    """``__parameters__``/``__buffers__`` of each class in the archive's ``code/`` files."""
    declared: dict[str, tuple[list[str], list[str]]] = {}
    code_dir = f"{prefix}code/"
    for name in archive.namelist():
        if not (name.startswith(code_dir) and name.endswith(".py")):
            continue
        module = name[len(code_dir) : -len(".py")].replace("/", ".")
        text = archive.read(name).decode("utf-8", errors="replace")
        for match in re.finditer(
            r"^class (\w+)\(.*?\):\s*\n\s*__parameters__ = \[(.*?)\]\s*\n\s*__buffers__ = \[(.*?)\]",
            text,
            flags=re.MULTILINE | re.DOTALL,
        ):
            params, buffers = (re.findall(r'"([^"]*)"', group) for group in match.group(2, 3))
            declared[f"{module}.{match.group(1)}"] = (params, buffers)
    return declared


def read_archive(path: Path) -> TorchArchive:
    """Unpickle ``data.pkl`` of a PyTorch zip archive with inert stand-ins.

    Parameters
    ----------
    path
        A TorchScript file or a ``torch.save`` file in the zip format (torch >= 1.6).

    Returns
    -------
    TorchArchive

    Raises
    ------
    UnsafeArchiveError
        If the pickle names anything but tensors, storages, ordered dicts and
        TorchScript classes, is empty, or nests deeper than `MAX_PICKLE_DEPTH`.
    zipfile.BadZipFile
        If the file is not a zip archive (e.g. a legacy ``torch.save`` file).
    """
    with zipfile.ZipFile(path) as archive:
        pickles = [n for n in archive.namelist() if n.endswith("data.pkl") and n.count("/") == 1]
        if not pickles:
            raise UnsafeArchiveError("no <folder>/data.pkl in the archive")
        prefix = pickles[0][: -len("data.pkl")]
        storage_sizes = {
            info.filename[len(prefix) + len("data/") :]: info.file_size
            for info in archive.infolist()
            if info.filename.startswith(f"{prefix}data/")
        }
        with archive.open(pickles[0]) as file:
            try:
                root = _RestrictedUnpickler(file, storage_sizes).load()
            except EOFError:
                raise UnsafeArchiveError(f"{pickles[0]} is empty or cut short") from None
        _check_depth(root, pickles[0])
        declared = _declared_members(archive, prefix)
        is_torchscript = any(n.startswith(f"{prefix}code/") for n in archive.namelist())
    return TorchArchive(root, declared, is_torchscript)


#: Deepest nesting of containers accepted in a pickle: real weight files nest a few dozen levels.
MAX_PICKLE_DEPTH = 1000


def _check_depth(root: Any, name: str) -> None:
    """Refuse an object tree nested deeper than `MAX_PICKLE_DEPTH`, before anything recurses into it."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_PICKLE_DEPTH:
            raise UnsafeArchiveError(f"{name} nests more than {MAX_PICKLE_DEPTH} levels deep")
        if isinstance(node, ScriptObject):
            node = node.state
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend((value, depth + 1) for value in node)


def walk_tensors(node: Any, path: str = "") -> Iterator[tuple[str, TensorRef, ScriptObject | None]]:
    """Yield (attribute path, tensor, owning TorchScript object or None) for every tensor."""
    owner = node if isinstance(node, ScriptObject) else None
    items: Any
    if isinstance(node, ScriptObject):
        items = node.state.items()
    elif isinstance(node, dict):
        items = node.items()
    elif isinstance(node, (list, tuple)):
        items = enumerate(node)
    else:
        return
    for key, value in items:
        child = f"{path}.{key}" if path else str(key)
        if isinstance(value, TensorRef):
            yield child, value, owner
        else:
            yield from walk_tensors(value, child)

