"""Parameter counts of weight files, read without executing any package code.

What is counted, per format:

- ONNX: elements of floating-point initializers. BatchNormalization's running
  mean and variance (its 4th and 5th inputs) are reported as buffers, integer
  initializers (shapes, indices) and ``Constant`` nodes as constants; neither
  is counted as parameters.
- TorchScript: elements of tensors that their module class declares in
  ``__parameters__`` (the archive's ``code/`` files); tensors declared in
  ``__buffers__`` (e.g. BatchNorm running statistics) are buffers. Each tensor
  is counted once even if shared.
- PyTorch state dict: state dicts do not say which entries are buffers, so
  floating-point tensors count as parameters except those named
  ``running_mean``/``running_var``, and non-floating tensors (such as
  ``num_batches_tracked``) are buffers. Custom registered buffers with other
  names are counted as parameters.
- Other formats (Keras, TensorFlow): file size only.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

from bmzcard.sources.torch_archive import TensorRef, read_archive, walk_tensors

_STATE_DICT_BUFFER_NAMES = ("running_mean", "running_var")


@dataclass(frozen=True)
class ParameterCount:
    """Size of one weight format of a package."""

    weight_format: str
    file: str
    file_bytes: int
    parameters: int | None  # None where the format cannot be read without its framework
    buffers: int | None  # non-trainable state, e.g. BatchNorm running statistics
    constants: int | None  # other stored values that are not parameters
    counted: str  # what `parameters` means for this format, in words

    def to_json(self) -> dict:
        return asdict(self)


def _onnx_count(path: Path) -> tuple[int, int, int, str]:
    import onnx

    try:
        # External data is not needed: initializer shapes are in the graph itself.
        model = onnx.load(str(path), load_external_data=False)
    except Exception as error:  # onnx raises protobuf's DecodeError and others
        raise ValueError(f"not a readable ONNX model ({error})") from None
    floating = {
        onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16,
        onnx.TensorProto.BFLOAT16,
    }  # fmt: skip
    running_stats = {
        name
        for node in model.graph.node
        if node.op_type == "BatchNormalization"
        for name in node.input[3:5]
    }
    parameters = buffers = constants = 0
    for tensor in model.graph.initializer:
        size = math.prod(tensor.dims)
        if tensor.name in running_stats:
            buffers += size
        elif tensor.data_type in floating:
            parameters += size
        else:
            constants += size
    for sparse in model.graph.sparse_initializer:
        parameters += math.prod(sparse.values.dims)
    return (
        parameters,
        buffers,
        constants,
        "elements of floating-point initializers, excluding BatchNorm running statistics "
        "(buffers) and integer initializers and Constant nodes (constants)",
    )


def _split_torchscript(tensors: list[tuple[str, TensorRef, object]], declared) -> tuple[int, int, int]:
    seen: set[tuple[str, int, tuple[int, ...]]] = set()
    parameters = buffers = other = 0
    for path, tensor, owner in tensors:
        identity = (tensor.storage.key, tensor.offset, tensor.shape)
        if identity in seen:
            continue
        seen.add(identity)
        attribute = path.rsplit(".", 1)[-1]
        params, bufs = declared.get(getattr(owner, "qualified_name", ""), ((), ()))
        if attribute in params:
            parameters += tensor.numel
        elif attribute in bufs:
            buffers += tensor.numel
        else:
            other += tensor.numel
    return parameters, buffers, other


def _split_state_dict(tensors: list[tuple[str, TensorRef, object]]) -> tuple[int, int]:
    parameters = buffers = 0
    for path, tensor, _owner in tensors:
        if not tensor.floating or path.endswith(_STATE_DICT_BUFFER_NAMES):
            buffers += tensor.numel
        else:
            parameters += tensor.numel
    return parameters, buffers


def _torch_count(path: Path) -> tuple[int, int, int, str]:
    archive = read_archive(path)
    tensors = list(walk_tensors(archive.root))
    if archive.is_torchscript and archive.declared:
        parameters, buffers, other = _split_torchscript(tensors, archive.declared)
        return (
            parameters,
            buffers,
            other,
            "elements of tensors declared as module parameters (__parameters__); "
            "__buffers__ such as BatchNorm running statistics are buffers",
        )
    parameters, buffers = _split_state_dict(tensors)
    return (
        parameters,
        buffers,
        0,
        "elements of floating-point tensors except running_mean/running_var "
        "(buffers; a state dict does not mark buffers, so others are counted)",
    )


def count_parameters(weight_format: str, path: Path) -> ParameterCount:
    """Count the parameters stored in one weight file.

    Parameters
    ----------
    weight_format
        The bioimage.io weight format key (``onnx``, ``torchscript``, ...).
    path
        The local weight file.

    Returns
    -------
    ParameterCount
        Counts are None, with the reason in `counted`, where the format is not
        readable without its framework or the file refuses safe reading.
    """
    file_bytes = path.stat().st_size if path.is_file() else sum(
        f.stat().st_size for f in path.rglob("*") if f.is_file()
    )
    parameters = buffers = constants = None
    try:
        if weight_format == "onnx":
            parameters, buffers, constants, counted = _onnx_count(path)
        elif weight_format in ("torchscript", "pytorch_state_dict"):
            parameters, buffers, constants, counted = _torch_count(path)
        else:
            counted = f"not counted: {weight_format} weights are not read without their framework"
    except Exception as error:  # noqa: BLE001 - a hostile file may break its parser anywhere: then it is not counted
        counted = f"not counted: {' '.join(str(error).split()) or type(error).__name__}"
    return ParameterCount(weight_format, path.name, file_bytes, parameters, buffers, constants, counted)
