"""Plain-dict access to the RDF fields the consistency rules compare (every format version).

Rules read the RDF as written (`Package.raw`), not through bioimageio.spec, so
checking stays fast; these helpers hide the differences between format 0.3/0.4
(axes as a string like "bcyx") and 0.5 (axes as a list of mappings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bmzcard.sources.rdf import AXIS_LETTER_TYPES

# Weight formats -> the framework family that runs or produced them. ONNX is an
# exchange format that any framework exports, so it names no training framework.
WEIGHT_FRAMEWORKS = {
    "pytorch_state_dict": "pytorch",
    "torchscript": "pytorch",
    "tensorflow_saved_model_bundle": "tensorflow",
    "tensorflow_js": "tensorflow",
    "keras_hdf5": "tensorflow",
    "keras_v3": "tensorflow",
    "onnx": "onnx",
}


# Length units of axis scales -> micrometres per unit.
LENGTH_UNITS_UM = {
    "nanometer": 1e-3,
    "nm": 1e-3,
    "micrometer": 1.0,
    "micron": 1.0,
    "µm": 1.0,
    "μm": 1.0,
    "um": 1.0,
    "millimeter": 1e3,
    "mm": 1e3,
    "angstrom": 1e-4,
    "å": 1e-4,
    "centimeter": 1e4,
    "meter": 1e6,
}


def get(data: Any, *path: str | int, default: Any = None) -> Any:
    """`data[path[0]][path[1]]...`, or `default` where any step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int) and isinstance(data, list) and -len(data) <= step < len(data):
            data = data[step]
        elif isinstance(step, str) and isinstance(data, dict) and step in data:
            data = data[step]
        else:
            return default
    return data


def bioimageio_config(rdf: dict) -> dict:
    config = get(rdf, "config", "bioimageio", default={})
    return config if isinstance(config, dict) else {}


def evaluations(rdf: dict) -> list[dict]:
    found = bioimageio_config(rdf).get("evaluations") or []
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def training_dataset_id(rdf: dict) -> str | None:
    """The training data's id (`training_data.id`), or its name/source for an inline description."""
    data = rdf.get("training_data")
    if isinstance(data, dict):
        for key in ("id", "name", "source"):
            if isinstance(data.get(key), str):
                return data[key]
    return data if isinstance(data, str) else None


@dataclass(frozen=True)
class Axis:
    type: str  # batch, channel, index, space, time
    id: str
    scale: float | None = None
    unit: str | None = None


def input_axes(rdf: dict) -> list[list[Axis]]:
    """The axes of each input tensor, in any format version."""
    tensors = []
    for tensor in rdf.get("inputs") or []:
        axes = tensor.get("axes") if isinstance(tensor, dict) else None
        if isinstance(axes, str):
            tensors.append([Axis(AXIS_LETTER_TYPES.get(a, "index"), a) for a in axes.lower()])
        elif isinstance(axes, list):
            tensors.append([_axis(a) for a in axes if isinstance(a, dict)])
    return tensors


def _axis(data: dict) -> Axis:
    kind = str(data.get("type", "index"))
    default_id = {"space": "x", "time": "time", "batch": "batch", "channel": "channel"}.get(kind, "i")
    scale = data.get("scale")
    return Axis(
        kind,
        str(data.get("id", default_id)),
        float(scale) if isinstance(scale, (int, float)) else None,
        str(data["unit"]) if isinstance(data.get("unit"), str) else None,
    )


def weight_formats(rdf: dict) -> list[str]:
    weights = rdf.get("weights")
    return [str(k) for k, v in weights.items() if v is not None] if isinstance(weights, dict) else []


def author_names(rdf: dict) -> list[str]:
    """Authors' names as given, without the `;@github` suffix some RDFs carry."""
    names = []
    for author in rdf.get("authors") or []:
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str) and name.strip():
            names.append(name.split(";")[0].strip())
    return names
