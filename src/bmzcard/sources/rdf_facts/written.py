"""The RDF as its author wrote it, read into typed records for every format version.

bioimageio.spec's 0.4 -> 0.5 upgrade drops or re-states some fields (a 0.4
`data_range`, a `shape: {reference_tensor, scale, offset}`); what a card says
about tensors, axes, weights and the format must be what the author wrote. This
module reads the plain YAML data (0.3, 0.4 and 0.5 shapes) into records that
`generate` writes and `check` compares, so both ask one reader the same question.
Nothing here trusts the data's types: a field of the wrong type reads as absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bmzcard.facts import md_code, md_text
from bmzcard.sources.rdf_facts.tables import AXIS_DEFAULT_IDS, AXIS_LETTER_TYPES, WEIGHT_FORMATS


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


def format_version(raw: dict) -> str | None:
    """`format_version` as written (`0.4.9`), None when absent."""
    value = raw.get("format_version")
    return str(value) if value is not None else None


# --- identity and people ---------------------------------------------------------


def name(raw: dict) -> str | None:
    """`name` as written: upgrading to 0.5 drops characters such as `&` and `’`."""
    value = raw.get("name")
    return value if isinstance(value, str) and value.strip() else None


def description(raw: dict) -> str | None:
    """`description` as written."""
    value = raw.get("description")
    return value if isinstance(value, str) and value.strip() else None


def license_id(raw: dict) -> str | None:
    """`license` as written (an SPDX identifier, or whatever the author put there), None when absent."""
    value = raw.get("license")
    return value.strip() if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class Person:
    """An author or maintainer as written (0.3's plain-name strings too)."""

    name: str
    field: str  # `authors[0]`
    affiliation: str | None = None
    orcid: str | None = None
    github_user: str | None = None
    email: str | None = None

    @property
    def plain_name(self) -> str:
        """The name without the `;@github_user` suffix some RDFs carry."""
        return self.name.split(";")[0].strip()


def people(raw: dict, key: str = "authors") -> list[Person]:
    """`authors` (or `maintainers`) as written, each with a name or a GitHub user; others are left out."""
    written = raw.get(key)
    found = []
    for index, person in enumerate(written if isinstance(written, list) else []):
        if isinstance(person, str):
            person = {"name": person}
        if not isinstance(person, dict):
            continue
        values = {k: str(person[k]) for k in ("name", "affiliation", "orcid", "github_user", "email")
                  if isinstance(person.get(k), (str, int, float)) and str(person[k]).strip()}
        if values.get("name") or values.get("github_user"):
            found.append(Person(values.pop("name", ""), f"{key}[{index}]", **values))
    return found


def author_names(raw: dict) -> list[str]:
    """The RDF authors' names, without the `;@github` suffix some RDFs carry."""
    return [person.plain_name for person in people(raw) if person.plain_name]


@dataclass(frozen=True)
class WebLink:
    """A web address the RDF gives, with what it is: `repository`, `documentation`, a citation's text."""

    label: str
    url: str
    field: str  # `git_repo`, `cite[0]`, `links[2]`


def web_links(raw: dict) -> list[WebLink]:
    """The http(s) addresses as written: `git_repo`, `documentation`, each `cite` (DOI or URL), `links`."""
    found = []

    def add(label: Any, url: Any, where: str) -> None:
        if isinstance(url, str) and url.strip().startswith(("http://", "https://")):
            found.append(WebLink(str(label), url.strip(), where))

    add("repository", raw.get("git_repo"), "git_repo")
    documentation = raw.get("documentation")
    add("documentation", documentation.get("source") if isinstance(documentation, dict) else documentation,
        "documentation")
    for index, cite in enumerate(raw.get("cite") if isinstance(raw.get("cite"), list) else []):
        if not isinstance(cite, dict):
            continue
        label = cite.get("text") if isinstance(cite.get("text"), str) and cite["text"].strip() else "citation"
        doi = cite.get("doi")
        if isinstance(doi, str) and doi.strip():
            doi = doi.strip().removeprefix("https://doi.org/")
            add(label, f"https://doi.org/{doi}", f"cite[{index}]")
        else:
            add(label, cite.get("url"), f"cite[{index}]")
    for index, url in enumerate(raw.get("links") if isinstance(raw.get("links"), list) else []):
        add(url, url, f"links[{index}]")
    return found


def number_text(value: Any) -> str:
    """A number as a reader writes it: `2` not `2.0`, `0.5`, `-∞`/`∞` for infinities."""
    if isinstance(value, float):
        if value == float("inf"):
            return "∞"
        if value == float("-inf"):
            return "-∞"
        if value.is_integer():
            return str(int(value))
        return f"{value:g}"
    return str(value)


# --- tensors and axes ----------------------------------------------------------


@dataclass(frozen=True)
class SizeReference:
    """An axis whose size follows another tensor's axis: `size = reference × factor + offset`."""

    tensor: str
    axis: str
    factor: float
    offset: float

    def text(self) -> str:
        """`= raw.y`, `= raw.y / 2`, `= input.x × 4 + 1`."""
        text = f"= {self.tensor}.{self.axis}"
        if self.factor != 1:
            inverse = 1 / self.factor if self.factor else 0
            if self.factor < 1 and abs(inverse - round(inverse)) < 1e-9:
                text += f" / {round(inverse)}"
            else:
                text += f" × {number_text(float(self.factor))}"
        if self.offset:
            text += f" {'+' if self.offset > 0 else '-'} {number_text(float(abs(self.offset)))}"
        return text


@dataclass(frozen=True)
class Axis:
    id: str
    type: str  # batch, channel, index, space, time
    size: str = ""  # in words: `64 + n·16`, `1`, `= raw.y / 2`, `any`
    reference: SizeReference | None = None
    halo: int | None = None
    scale: float | None = None
    unit: str | None = None
    channel_names: tuple[str, ...] = ()

    def text(self) -> str:
        """`y: = raw.y / 2 (halo 16)`, `t (space): 64`: the type where the id alone does not say it."""
        text = self.id
        if self.id != self.type and not (self.type == "space" and self.id in ("x", "y", "z")):
            text += f" ({self.type})"
        text += f": {self.size}" if self.size else ""
        if self.channel_names:
            names = self.channel_names if len(self.channel_names) <= 8 else (
                *self.channel_names[:3], "…", self.channel_names[-1])
            text += f" ({', '.join(names)})"
        if self.halo:
            text += f" (halo {self.halo})"
        return text


@dataclass(frozen=True)
class Tensor:
    id: str
    kind: str  # input or output
    axes: tuple[Axis, ...]
    dtype: str
    data_range: tuple[Any, Any] | None  # as written; None when the RDF gives none
    range_field: str  # where the range came from: `data_range`, `data.range`, or "" when none was written
    unit: str | None = None
    description: str = ""
    optional: bool = False
    steps: tuple[tuple[str, dict], ...] = ()  # pre- or postprocessing: (name, kwargs)
    sample: str | None = None
    test: str | None = None
    field: str = ""  # `inputs[0]`

    @property
    def dimensionality(self) -> str:
        """`2D`, `3D`, `2D + time`, from the space and time axes."""
        space = sum(1 for a in self.axes if a.type == "space")
        time = any(a.type == "time" for a in self.axes)
        return (f"{space}D" if space else "no spatial axes") + (" + time" if time else "")

    def range_text(self) -> str:
        """The data range as the author wrote it, or as the dtype bounds it; `unbounded` otherwise."""
        low, high = self.data_range if self.data_range is not None else (None, None)
        low = None if low == float("-inf") else low
        high = None if high == float("inf") else high
        if low is None and high is None:
            bounds = dtype_bounds(self.dtype)
            if bounds is not None:
                return f"{number_text(bounds[0])} to {number_text(bounds[1])} (the range of {self.dtype})"
            text = "unbounded"
        elif low is None:
            text = f"≤ {number_text(high)}"
        elif high is None:
            text = f"≥ {number_text(low)}"
        else:
            text = f"{number_text(low)} to {number_text(high)}"
        return text + (f" (unit: {self.unit})" if self.unit else "")


def dtype_bounds(dtype: str) -> tuple[int, int] | None:
    """The values an image dtype of 8 or 16 bits holds (`uint8`: 0 to 255); None for floats and wide integers.

    A 32- or 64-bit integer's range says nothing a reader can use, so it stays unbounded.
    """
    import numpy as np

    if dtype == "bool":
        return 0, 1
    try:
        numpy_dtype = np.dtype(dtype)
        info = np.iinfo(numpy_dtype)
    except (TypeError, ValueError):
        return None
    return (int(info.min), int(info.max)) if numpy_dtype.itemsize <= 2 else None


def tensors(raw: dict, kind: str) -> list[Tensor]:
    """The RDF's `inputs` or `outputs` as written, in any format version."""
    written = raw.get(kind)
    if not isinstance(written, list):
        return []
    inputs = raw.get("inputs") if isinstance(raw.get("inputs"), list) else []
    found = []
    for index, data in enumerate(written):
        if isinstance(data, dict):
            reader = _tensor_05 if isinstance(data.get("axes"), list) else _tensor_04
            found.append(reader(data, kind, index, inputs, raw))
    return found


def _tensor_04(data: dict, kind: str, index: int, inputs: list, raw: dict) -> Tensor:
    letters = data.get("axes") if isinstance(data.get("axes"), str) else ""
    shape = data.get("shape")
    halo = data.get("halo") if isinstance(data.get("halo"), list) else []
    reference_letters = _reference_letters(shape, inputs, raw)
    axes = []
    for position, letter in enumerate(letters.lower()):
        kind_of_axis = AXIS_LETTER_TYPES.get(letter, "index")
        size, reference = _size_04(shape, position, kind_of_axis, reference_letters, letter)
        halo_here = halo[position] if position < len(halo) and isinstance(halo[position], int) else None
        axes.append(Axis(letter, kind_of_axis, size, reference, halo_here or None))
    data_range = data.get("data_range")
    written_range = tuple(data_range) if isinstance(data_range, list) and len(data_range) == 2 else None
    return Tensor(
        id=str(data.get("name") or kind[:-1]),
        kind=kind[:-1],
        axes=tuple(axes),
        dtype=str(data.get("data_type") or ""),
        data_range=written_range,
        range_field="data_range" if written_range is not None else "",
        description=str(data.get("description") or ""),
        steps=_steps(data.get("preprocessing" if kind == "inputs" else "postprocessing")),
        sample=_first_file(raw, f"sample_{kind}", index),
        test=_first_file(raw, f"test_{kind}", index),
        field=f"{kind}[{index}]",
    )


def _reference_letters(shape: Any, inputs: list, raw: dict) -> str | None:
    if not isinstance(shape, dict) or "reference_tensor" not in shape:
        return None
    reference = shape.get("reference_tensor")
    for tensor in [*inputs, *(raw.get("outputs") or [])]:
        if isinstance(tensor, dict) and tensor.get("name") == reference and isinstance(tensor.get("axes"), str):
            return tensor["axes"].lower()
    return None


def _size_04(shape: Any, position: int, axis_type: str, reference_letters: str | None,
             letter: str) -> tuple[str, SizeReference | None]:
    if isinstance(shape, list):
        value = shape[position] if position < len(shape) else None
        return (number_text(value) if value is not None else ""), None
    if not isinstance(shape, dict):
        return "", None
    if "min" in shape:
        low, step = get(shape, "min", position), get(shape, "step", position, default=0)
        if low is None:
            return "", None
        if axis_type == "batch" and low in (0, 1) and step in (0, 1):
            return "any", None
        return (f"{low} + n·{step}" if step else str(low)), None
    if "reference_tensor" in shape:
        # format 0.4: size = reference size × scale + 2 × offset; a scale of null (or 0) makes a new axis
        scale, offset = get(shape, "scale", position), get(shape, "offset", position, default=0) or 0
        if not isinstance(offset, (int, float)):
            offset = 0
        if not isinstance(scale, (int, float)) or scale == 0:
            return number_text(float(2 * offset)), None
        if axis_type == "batch" and scale == 1 and not offset:
            return "any", None
        axis = reference_letters[position] if reference_letters and position < len(reference_letters) else letter
        reference = SizeReference(str(shape["reference_tensor"]), axis, float(scale), float(2 * offset))
        return reference.text(), reference
    return "", None


def _tensor_05(data: dict, kind: str, index: int, inputs: list, raw: dict) -> Tensor:
    scales = _axis_scales(raw)
    axes = []
    tensor_id = str(data.get("id") or kind[:-1])
    for axis in data["axes"]:
        if not isinstance(axis, dict):
            continue
        axis_type, axis_id = _axis_type_and_id(axis)
        scale = axis.get("scale") if isinstance(axis.get("scale"), (int, float)) else None
        names = axis.get("channel_names") if isinstance(axis.get("channel_names"), list) else []
        size, reference = _size_05(axis, axis_type, scale, names, scales)
        halo = axis.get("halo") if isinstance(axis.get("halo"), int) else None
        unit = axis.get("unit") if isinstance(axis.get("unit"), str) else None
        axes.append(Axis(axis_id, axis_type, size, reference, halo or None, scale, unit, tuple(map(str, names))))
    description = data.get("data")
    first = description[0] if isinstance(description, list) and description else description
    first = first if isinstance(first, dict) else {}
    data_range = first.get("range")
    written_range = tuple(data_range) if isinstance(data_range, list) and len(data_range) == 2 else None
    dtype = str(first.get("type") or "float32")  # the spec's default data type
    unit = first.get("unit") if isinstance(first.get("unit"), str) and first.get("unit") != "arbitrary unit" else None
    return Tensor(
        id=tensor_id,
        kind=kind[:-1],
        axes=tuple(axes),
        dtype=dtype,
        data_range=written_range,
        range_field="data.range" if written_range is not None else "",
        unit=unit,
        description=str(data.get("description") or ""),
        optional=data.get("optional") is True,
        steps=_steps(data.get("preprocessing" if kind == "inputs" else "postprocessing")),
        sample=_source(data.get("sample_tensor")),
        test=_source(data.get("test_tensor")),
        field=f"{kind}[{index}]",
    )


def _axis_type_and_id(axis: dict) -> tuple[str, str]:
    """A format 0.5 axis's type and id, each with the spec's default where not written."""
    axis_type = str(axis.get("type") or "index")
    return axis_type, str(axis.get("id") or AXIS_DEFAULT_IDS.get(axis_type, "index"))


def _axis_scales(raw: dict) -> dict[tuple[str, str], float]:
    """(tensor id, axis id) -> scale, for every axis of format 0.5 (default scale 1)."""
    scales = {}
    for kind in ("inputs", "outputs"):
        for tensor in raw.get(kind) or []:
            if not isinstance(tensor, dict) or not isinstance(tensor.get("axes"), list):
                continue
            for axis in tensor["axes"]:
                if isinstance(axis, dict):
                    scale = axis.get("scale")
                    scales[(str(tensor.get("id") or kind[:-1]), _axis_type_and_id(axis)[1])] = (
                        float(scale) if isinstance(scale, (int, float)) else 1.0
                    )
    return scales


def _size_05(axis: dict, axis_type: str, scale: float | None, names: list,
             scales: dict[tuple[str, str], float]) -> tuple[str, SizeReference | None]:
    size = axis.get("size")
    if size is None:
        if names:
            return str(len(names)), None
        return ("any" if axis_type == "batch" else ""), None
    if isinstance(size, int):
        return str(size), None
    if not isinstance(size, dict):
        return "", None
    if "tensor_id" in size:
        # format 0.5: size = reference size × reference scale / own scale + offset
        tensor, axis_id = str(size.get("tensor_id")), str(size.get("axis_id"))
        offset = size.get("offset") if isinstance(size.get("offset"), (int, float)) else 0
        factor = scales.get((tensor, axis_id), 1.0) / (scale or 1.0)
        reference = SizeReference(tensor, axis_id, factor, float(offset))
        return reference.text(), reference
    if "min" in size and "step" in size:
        return (f"{size['min']} + n·{size['step']}" if size["step"] else str(size["min"])), None
    if "min" in size or "max" in size:
        return "data-dependent", None
    return "", None


def _steps(written: Any) -> tuple[tuple[str, dict], ...]:
    steps = []
    for step in written if isinstance(written, list) else []:
        if isinstance(step, dict):
            name = step.get("id") or step.get("name")
            kwargs = step.get("kwargs") if isinstance(step.get("kwargs"), dict) else {}
            if name:
                steps.append((str(name), kwargs))
    return tuple(steps)


def _source(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("source")
    return str(value) if isinstance(value, str) and value else None


def _first_file(raw: dict, key: str, index: int) -> str | None:
    files = raw.get(key)
    return _source(files[index]) if isinstance(files, list) and index < len(files) else None


# --- weights -------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    format: str  # the RDF's key: `pytorch_state_dict`
    label: str  # `PyTorch (state dict)`
    framework: str  # pytorch, tensorflow, onnx, or the key for an unknown format
    version: str | None  # as written
    version_of: str  # whose version: `TensorFlow` for Keras HDF5
    parent: str | None  # the entry it was converted from
    source: str
    children: tuple[str, ...] = field(default=())  # entries converted from this one

    def text(self) -> str:
        """`Keras (HDF5), TensorFlow 1.15`; `ONNX opset 12`; `(training framework)` only with evidence."""
        text = md_text(self.label)
        if self.version is not None:
            version = md_text(self.version)
            text += f" opset {version}" if self.format == "onnx" else (
                f", {self.version_of} {version}" if self.version_of not in self.label else f" {version}")
        if self.parent:
            text += f" (converted from {md_code(self.parent)})"
        elif self.children:
            text += " (training framework: " + ", ".join(md_code(c) for c in self.children) + " converted from it)"
        return text


def weights(raw: dict) -> list[Weights]:
    """The RDF's weight entries as written, each with its version and conversion links."""
    written = raw.get("weights")
    if not isinstance(written, dict):
        return []
    entries = {str(k): v for k, v in written.items() if isinstance(v, dict)}
    found = []
    for name, entry in entries.items():
        known = WEIGHT_FORMATS.get(name)
        version_field = known.version_field if known else None
        version = entry.get(version_field) if version_field else None
        parent = entry.get("parent") if isinstance(entry.get("parent"), str) else None
        children = tuple(n for n, e in entries.items() if e.get("parent") == name and n != name)
        found.append(Weights(
            format=name,
            label=known.label if known else name,
            framework=known.framework if known else name,
            version=str(version) if version is not None else None,
            version_of=known.version_of if known else name,
            parent=parent,
            source=str(_source(entry) or ""),
            children=children,
        ))
    return found


def tags(raw: dict) -> list[str]:
    written = raw.get("tags")
    return [str(t) for t in written if isinstance(t, (str, int, float))] if isinstance(written, list) else []


# --- training and the card fields under config -------------------------------------


def bioimageio_config(raw: dict) -> dict:
    """`config.bioimageio` as written (the card fields an author keeps in the RDF); {} when absent or not a mapping."""
    config = get(raw, "config", "bioimageio")
    return config if isinstance(config, dict) else {}


@dataclass(frozen=True)
class TrainingData:
    """`training_data` as written: a bioimage.io dataset's id, or an inline description's name and source."""

    id: str | None = None
    name: str | None = None
    source: str | None = None

    @property
    def key(self) -> str | None:
        """What names the data, to compare with an evaluation's `dataset_id`: the id, else the name, else the source."""
        return next((value for value in (self.id, self.name, self.source) if value is not None), None)


def training_data(raw: dict) -> TrainingData | None:
    """`training_data` as written; a bare string reads as a dataset id. None when absent."""
    data = raw.get("training_data")
    if isinstance(data, str):
        return TrainingData(id=data)
    if not isinstance(data, dict):
        return None
    return TrainingData(**{key: data[key] for key in ("id", "name", "source") if isinstance(data.get(key), str)})
