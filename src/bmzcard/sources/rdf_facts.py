"""Facts a model's RDF knows, for every card field it can fill.

Works on a `bioimageio.spec` model description: format 0.5 (most RDFs, upgraded
from 0.4 where the spec can) and 0.4 (when the upgrade fails), read by attribute
so both shapes pass. Card fields under `config.bioimageio` count only when the
author wrote them: bioimageio.spec fills some with boilerplate defaults, told
apart here by pydantic's `model_fields_set`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable
from urllib.parse import quote

from bmzcard.facts import (
    Fact,
    FactSet,
    Provenance,
    from_rdf,
    md_code,
    md_file_link,
    md_link,
    md_prose,
    md_text,
    safe_url,
)
from bmzcard.units import format_bytes
from bmzcard.sources.package import Package
from bmzcard.sources.rdf import AXIS_LETTER_TYPES

FRAMEWORK_NAMES = {
    "pytorch_state_dict": "PyTorch",
    "torchscript": "PyTorch (TorchScript)",
    "onnx": "ONNX",
    "tensorflow_saved_model_bundle": "TensorFlow (SavedModel)",
    "tensorflow_js": "TensorFlow.js",
    "keras_hdf5": "Keras (HDF5)",
    "keras_v3": "Keras 3",
}
_VERSION_FIELDS = ("pytorch_version", "tensorflow_version", "keras_version", "opset_version")

# Tags that name an architecture, a task, a structure, a modality or a technique.
_ARCHITECTURE_TAGS = ("unet", "u-net", "unet2d", "unet3d", "3d-unet", "stardist", "cellpose", "resnet",
                      "transformer", "vit", "care", "n2v", "noise2void", "deepstorm", "mask-rcnn", "yolo",
                      "inception", "densenet", "efficientnet", "hovernet", "fru-net", "pix2pix", "gan")
_TASK_TAGS = ("instance-segmentation", "semantic-segmentation", "segmentation", "classification",
              "detection", "denoising", "restoration", "super-resolution", "deconvolution",
              "image-reconstruction", "image-translation", "virtual-staining", "boundary-prediction",
              "pixel-classification", "regression", "tracking", "localization")
_STRUCTURE_TAGS = ("nuclei", "nucleus", "cells", "cell", "membrane", "membranes", "mitochondria",
                   "organelles", "vesicles", "neurons", "axons", "synapses", "tissue", "blood vessels",
                   "cytoplasm", "chromosomes", "actin", "microtubules", "platynereis", "arabidopsis")
_MODALITY_TAGS = ("fluorescence", "fluorescence-light-microscopy", "electron-microscopy", "em", "sem",
                  "tem", "fib-sem", "brightfield", "phase-contrast", "dic", "histology",
                  "histopathology", "light-microscopy", "x-ray", "mri", "ct")
_TECHNIQUE_TAGS = ("confocal", "widefield", "light-sheet", "lightsheet", "super-resolution microscopy",
                   "smlm", "sted", "two-photon", "spinning-disk", "tirf", "serial-section")


def facts_from_description(description: Any, package: Package, card_dir=None, raw: dict | None = None) -> FactSet:
    """Every fact the description gives, keyed by template field path."""
    facts = FactSet()
    config = _bioimageio_config(description, raw)
    tags = [str(t) for t in (getattr(description, "tags", None) or [])]
    extractors = (
        _title(description, package, card_dir, tags, raw or {}),
        _people(description),
        _model_type(description, config, tags),
        _license(description),
        _sources(description),
        _task(description, config, tags),
        _tensor_facts(description, package, card_dir),
        _training(description, config),
        _weights(description, package, config),
        _card_sections(config),
        _evaluations(config),
        _environmental_impact(config),
        _get_started(description, package, card_dir),
    )
    for produced in extractors:
        facts.extend(produced)
    return facts


# --- reading helpers -------------------------------------------------------


def _get(node: Any, name: str, default: Any = None) -> Any:
    if isinstance(node, dict):
        return node.get(name, default)
    return getattr(node, name, default)


def authored(node: Any, name: str) -> Any:
    """The value of `name` only when the RDF's author wrote it (not a spec default)."""
    if node is None:
        return None
    if isinstance(node, dict):
        return node.get(name)
    fields_set = getattr(node, "model_fields_set", None)
    if fields_set is not None and name not in fields_set:
        return None
    return getattr(node, name, None)


def _bioimageio_config(description: Any, raw: dict | None) -> Any:
    """`config.bioimageio` as typed node (0.5) or plain dict (0.4 and older)."""
    config = getattr(description, "config", None)
    node = _get(config, "bioimageio") if config is not None else None
    if node is None and raw is not None:
        node = (raw.get("config") or {}).get("bioimageio")
    return node if node is not None else {}


def _text(value: Any) -> str:
    """Author text as literal Markdown on one line (see `bmzcard.facts.md_text`)."""
    return md_text(value)


def _link(url: Any, text: Any = None) -> str:
    return md_link(url, text)


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _matching_tags(tags: list[str], vocabulary: tuple[str, ...]) -> list[str]:
    return [t for t in tags if t.lower() in vocabulary]


def _kwargs_text(kwargs: Any) -> str:
    """Operation arguments in words: `axes=['x', 'y'], eps=1e-06`."""
    if kwargs is None:
        return ""
    if hasattr(kwargs, "model_dump"):
        kwargs = kwargs.model_dump(exclude_none=True)
    if not isinstance(kwargs, dict) or not kwargs:
        return ""
    return md_text(", ".join(f"{k}={_plain(v)}" for k, v in kwargs.items()))


def _plain(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) + "}"
    return str(value)


# --- title and people -------------------------------------------------------


def _title(description, package: Package, card_dir, tags: list[str], raw: dict) -> list[Fact]:
    # the name as the author wrote it: upgrading to 0.5 drops characters such as `&`
    name = raw.get("name") if isinstance(raw.get("name"), str) else description.name
    facts = [from_rdf("title.name", _text(name), "name")]
    lines = [_text(getattr(description, "description", ""))]
    sources = [Provenance("rdf", "description")]
    meta = []
    if getattr(description, "version", None) is not None:
        meta.append(f"version {md_text(description.version)}")
        sources.append(Provenance("rdf", "version"))
    if getattr(description, "id", None):
        meta.append(f"bioimage.io id {md_code(description.id)}")
        sources.append(Provenance("rdf", "id"))
    if tags:
        meta.append("tags: " + ", ".join(md_code(t) for t in tags))
        sources.append(Provenance("rdf", "tags"))
    if meta:
        lines += ["", meta[0][0].upper() + meta[0][1:] + "".join(f" · {m}" for m in meta[1:])]
    for index, cover in enumerate(getattr(description, "covers", None) or []):
        target = package_link(cover, package, card_dir)
        if target:
            lines += ["", _image(target, md_text(f"cover image {index + 1} of {description.name}"))]
            sources.append(Provenance("file", _source_text(cover)))
    facts.append(Fact("title", "\n".join(lines).strip(), tuple(sources)))
    return facts


def _person(person: Any) -> str:
    parts = [_text(person.name)]
    if getattr(person, "affiliation", None):
        parts.append(_text(person.affiliation))
    if getattr(person, "orcid", None):
        parts.append(_link(f"https://orcid.org/{quote(str(person.orcid), safe='')}", f"ORCID {person.orcid}"))
    if getattr(person, "github_user", None):
        parts.append(_link(f"https://github.com/{quote(str(person.github_user), safe='')}", f"@{person.github_user}"))
    return ", ".join(parts)


def _people(description) -> list[Fact]:
    facts = []
    weight_authors = []
    for name, weights in _weight_formats(description):
        for index, author in enumerate(getattr(weights, "authors", None) or []):
            weight_authors.append((author, f"weights.{name}.authors[{index}]"))
    rdf_authors = [(a, f"authors[{i}]") for i, a in enumerate(description.authors or [])]
    authors = weight_authors or rdf_authors
    if authors:
        text = "; ".join(_person(a) for a, _ in authors)
        if weight_authors and rdf_authors and {a.name for a, _ in weight_authors} != {a.name for a, _ in rdf_authors}:
            text += "; model description by " + "; ".join(_person(a) for a, _ in rdf_authors)
            authors = authors + rdf_authors
        facts.append(
            Fact("model_description.developed_by", text, tuple(Provenance("rdf", where) for _, where in authors))
        )
    uploader = getattr(description, "uploader", None)
    if uploader is not None:
        name = _text(getattr(uploader, "name", None) or uploader.email)
        facts.append(from_rdf("model_description.shared_by", name, "uploader"))
    elif getattr(description, "maintainers", None):
        facts.append(
            Fact(
                "model_description.shared_by",
                "; ".join(_person(m) for m in description.maintainers),
                tuple(Provenance("rdf", f"maintainers[{i}]") for i in range(len(description.maintainers))),
            )
        )
    return facts


def _model_type(description, config, tags: list[str]) -> list[Fact]:
    architecture_type = authored(config, "architecture_type")
    if architecture_type:
        return [from_rdf("model_description.model_type", _text(architecture_type), "config.bioimageio.architecture_type")]
    callable_name = _architecture_callable(description)
    if callable_name:
        return [from_rdf("model_description.model_type", md_code(callable_name), "weights.pytorch_state_dict.architecture")]
    matches = _matching_tags(tags, _ARCHITECTURE_TAGS)
    if matches:
        return [from_rdf("model_description.model_type", md_text(", ".join(matches)), "tags", detail="architecture tags")]
    return []


def _architecture_callable(description) -> str | None:
    weights = getattr(description.weights, "pytorch_state_dict", None)
    if weights is None:
        return None
    architecture = getattr(weights, "architecture", None)
    name = getattr(architecture, "callable", None)
    if name is None:
        return " ".join(str(architecture).split()) or None
    module = getattr(architecture, "import_from", None)
    return f"{module}.{name}" if module else str(name)


@lru_cache(maxsize=1)
def _spdx() -> dict[str, tuple[str, str]]:
    from bioimageio.spec.utils import get_spdx_licenses

    return {
        entry["licenseId"].lower(): (entry["licenseId"], entry["name"], entry["reference"])
        for entry in get_spdx_licenses()["licenses"]
    }


def _license(description) -> list[Fact]:
    license_id = getattr(description, "license", None)
    if license_id is None:
        return []
    if not isinstance(license_id, str):  # a license file
        return [from_rdf("model_description.license", f"see {md_file_link(_source_text(license_id))}", "license")]
    known = _spdx().get(str(license_id).lower())
    if known is None:
        return [from_rdf("model_description.license", f"{md_code(license_id)} (not an SPDX identifier)", "license")]
    spdx_id, name, reference = known
    return [from_rdf("model_description.license", f"[{name}]({reference}) (SPDX: `{spdx_id}`)", "license")]


def _sources(description) -> list[Fact]:
    facts = []
    parent = getattr(description, "parent", None)
    if parent is not None:
        parent_id = _get(parent, "id") or parent
        version = _get(parent, "version")
        text = md_code(parent_id) + (f" (version {md_text(version)})" if version else "")
        facts.append(from_rdf("model_description.finetuned_from", text, "parent"))
    if getattr(description, "git_repo", None):
        facts.append(from_rdf("model_sources.repository", _link(description.git_repo), "git_repo"))
        facts.append(from_rdf("downstream_use", "Training and fine-tuning code may be available in the model's "
                              f"repository, {_link(description.git_repo)}.", "git_repo"))
    citations = []
    for index, cite in enumerate(getattr(description, "cite", None) or []):
        text = _text(cite.text)
        if getattr(cite, "doi", None):
            citations.append((f"{text}, DOI: {_link(f'https://doi.org/{quote(str(cite.doi))}', cite.doi)}", index))
        elif getattr(cite, "url", None):
            citations.append((f"{text}, {_link(cite.url)}", index))
        else:
            citations.append((text, index))
    if citations:
        value = citations[0][0] if len(citations) == 1 else _bullets(c for c, _ in citations)
        facts.append(Fact("model_sources.paper", value, tuple(Provenance("rdf", f"cite[{i}]") for _, i in citations)))
    demos = [
        (str(link), f"links[{i}]")
        for i, link in enumerate(getattr(description, "links", None) or [])
        if re.match(r"https?://", str(link)) and re.search(r"colab|notebook|\.ipynb|demo|binder", str(link), re.I)
    ]
    if demos:
        facts.append(
            Fact("model_sources.demo", ", ".join(_link(u) for u, _ in demos), tuple(Provenance("rdf", w) for _, w in demos))
        )
    return facts


# --- task and tensors -------------------------------------------------------


def _task(description, config, tags: list[str]) -> list[Fact]:
    facts = []
    for key, name, vocabulary, path in (
        ("task_details.task_type", "task", _TASK_TAGS, "config.bioimageio.task"),
        ("model_description.modality", "modality", _MODALITY_TAGS, "config.bioimageio.modality"),
        ("task_details.target_structures", "target_structure", _STRUCTURE_TAGS, "config.bioimageio.target_structure"),
    ):
        value = authored(config, name)
        if value:
            text = md_text(", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value)
            facts.append(from_rdf(key, text, path))
        elif matches := _matching_tags(tags, vocabulary):
            facts.append(from_rdf(key, md_text(", ".join(matches)), "tags", detail=f"{name} tags"))
    if techniques := _matching_tags(tags, _TECHNIQUE_TAGS):
        facts.append(from_rdf("task_details.imaging_technique", md_text(", ".join(techniques)), "tags",
                              detail="technique tags"))
    return facts


def _axes(tensor: Any) -> list[Any]:
    """Axes as objects with `.id` and `.type`; 0.4's axis letters become simple records."""
    axes = tensor.axes
    if isinstance(axes, str):
        return [_LetterAxis(letter, AXIS_LETTER_TYPES.get(letter, "space")) for letter in axes]
    return list(axes)


class _LetterAxis:
    def __init__(self, letter: str, kind: str) -> None:
        self.id, self.type = letter, kind
        self.scale, self.unit, self.size, self.halo = None, None, None, None


def _axis_type(axis: Any) -> str:
    return str(getattr(axis, "type", "space"))


def dimensionality(tensor: Any) -> str:
    """`2D`, `3D`, `2D + time`, from the tensor's space and time axes."""
    axes = _axes(tensor)
    space = sum(1 for a in axes if _axis_type(a) == "space")
    time = any(_axis_type(a) == "time" for a in axes)
    text = f"{space}D" if space else "no spatial axes"
    return text + (" + time" if time else "")


def _channel_text(tensor: Any) -> str:
    for axis in _axes(tensor):
        if _axis_type(axis) == "channel":
            names = getattr(axis, "channel_names", None)
            if names:
                return f"{len(names)} channel{'s' if len(names) != 1 else ''} ({md_text(', '.join(map(str, names)))})"
    return ""


def _size_text(axis: Any) -> str:
    size = getattr(axis, "size", None)
    if size is None:
        return "any" if _axis_type(axis) == "batch" else ""
    if isinstance(size, int):
        return str(size)
    if hasattr(size, "min") and hasattr(size, "step"):
        return f"{size.min} + n·{size.step}"
    if hasattr(size, "tensor_id"):
        offset = f" {size.offset:+d}" if getattr(size, "offset", 0) else ""
        return f"= {size.tensor_id}.{size.axis_id}{offset}"
    return "data-dependent"


def _axes_text(tensor: Any) -> str:
    parts = []
    for axis in _axes(tensor):
        size = _size_text(axis)
        part = f"{axis.id}" + (f": {size}" if size else "")
        if getattr(axis, "halo", None):
            part += f" (halo {axis.halo})"
        parts.append(part)
    return ", ".join(parts)


def _range_text(tensor: Any) -> str:
    data = getattr(tensor, "data", None)
    if data is None:  # format 0.4
        data_range = getattr(tensor, "data_range", None)
        low, high = data_range if data_range else (None, None)
    elif isinstance(data, (list, tuple)):
        return "; ".join(_range_of(d) for d in data)
    else:
        return _range_of(data)
    return _interval(low, high)


def _range_of(data: Any) -> str:
    values = getattr(data, "values", None)
    if values is not None:
        return "values " + md_text(", ".join(map(str, values)))
    low, high = getattr(data, "range", (None, None))
    text = _interval(low, high)
    unit, scale = getattr(data, "unit", None), getattr(data, "scale", 1.0)
    details = [f"unit: {unit}" if unit else "", f"scale {scale:g}" if scale not in (None, 1.0) else ""]
    details = [d for d in details if d]
    return text + (f" ({', '.join(details)})" if details else "")


def _interval(low: Any, high: Any) -> str:
    if low is None and high is None:
        return "unbounded"
    return f"[{'-∞' if low is None else low}, {'∞' if high is None else high}]"


def _dtype(tensor: Any) -> str:
    dtype = getattr(tensor, "dtype", None) or getattr(tensor, "data_type", None)
    if dtype is None:
        data = getattr(tensor, "data", None)
        dtype = getattr(data, "type", None)
    return str(dtype) if dtype is not None else ""


def _tensor_id(tensor: Any) -> str:
    return str(getattr(tensor, "id", None) or getattr(tensor, "name", ""))


def _tensor_table(tensors: list[Any], kind: str, package: Package, card_dir) -> str:
    rows = ["| id | axes (size, halo) | dtype | data range | description |", "|---|---|---|---|---|"]
    samples = []
    for tensor in tensors:
        # dtype and range are the spec's types and numbers; ids, names and the description are the author's
        cells = [md_text(_axes_text(tensor)), _dtype(tensor), _range_text(tensor),
                 md_text(getattr(tensor, "description", ""))]
        rows.append(f"| {md_code(_tensor_id(tensor), in_table=True)} | " + " | ".join(cells) + " |")
        sample = getattr(tensor, "sample_tensor", None)
        target = package_link(sample, package, card_dir) if sample is not None else None
        if target and _source_text(sample).lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".svg")):
            samples.append(_image(target, f"sample {kind} {md_code(_tensor_id(tensor))}"))
    return "\n".join(rows + (["", *samples] if samples else []))


def _steps(tensor: Any, attribute: str) -> list[str]:
    steps = []
    for op in getattr(tensor, attribute, None) or []:
        name = getattr(op, "id", None) or getattr(op, "name", None)
        kwargs = _kwargs_text(getattr(op, "kwargs", None))
        steps.append(md_code(name) + (f" ({kwargs})" if kwargs else ""))
    return steps


def _tensor_facts(description, package: Package, card_dir) -> list[Fact]:
    inputs, outputs = list(description.inputs), list(description.outputs)
    facts = [
        from_rdf("model_architecture_and_objective.input_specifications",
                 _tensor_table(inputs, "input", package, card_dir), "inputs"),
        from_rdf("model_architecture_and_objective.output_specifications",
                 _tensor_table(outputs, "output", package, card_dir), "outputs"),
    ]
    first = inputs[0]
    facts.append(_direct_use(inputs, outputs))
    modality = ", ".join(filter(None, [dimensionality(first), _channel_text(first)]))
    facts.append(from_rdf("task_details.input_modality", modality, "inputs[0].axes"))
    for kind, key in (("space", "spatial_resolution"), ("time", "temporal_resolution")):
        parts = []
        for axis in _axes(first):
            if _axis_type(axis) == kind and getattr(axis, "unit", None):
                parts.append(md_text(f"{axis.id}: {axis.scale:g} {axis.unit}"))
        if parts:
            facts.append(from_rdf(f"task_details.{key}", " per pixel, ".join(parts) + " per pixel"
                                  if kind == "space" else ", ".join(parts) + " per frame", "inputs[0].axes"))
    return facts


def _direct_use(inputs: list[Any], outputs: list[Any]) -> Fact:
    lines = ["Apply the model without fine-tuning to images like its test data:"]
    for tensor in inputs:
        lines.append(f"- input {md_code(_tensor_id(tensor))}: {dimensionality(tensor)} "
                     + ", ".join(filter(None, [_channel_text(tensor), _text(getattr(tensor, 'description', ''))])))
    for tensor in outputs:
        lines.append(f"- output {md_code(_tensor_id(tensor))}: " + (_text(getattr(tensor, "description", "")) or dimensionality(tensor)))
    lines += ["", "The preprocessing listed under Training Procedure is part of the model and applied automatically "
              "by bioimage.io consumer software; see Technical Specifications for shapes and sample images, and "
              "How to Get Started for code."]
    return Fact("direct_use", "\n".join(lines),
                (Provenance("rdf", "inputs"), Provenance("rdf", "outputs")))


# --- training, weights, card sections -----------------------------------------


def _training(description, config) -> list[Fact]:
    facts = []
    data = getattr(description, "training_data", None)
    if data is not None:
        dataset_id = _get(data, "id")
        name = _get(data, "name")
        if dataset_id:
            text = f"bioimage.io dataset {md_code(dataset_id)}"
        else:
            source = _get(data, "source")
            text = _text(name or "inline dataset description") + (f", {_link(source)}" if source else "")
        facts.append(from_rdf("training_data.source", text, "training_data"))
    training = authored(config, "training") or {}
    values = {
        "training_hyperparameters.epochs": ("training_epochs", None),
        "training_hyperparameters.batch_size": ("training_batch_size", None),
        "training_hyperparameters.regularization": ("regularization", None),
    }
    for key, (name, _) in values.items():
        value = authored(training, name)
        if value is not None:
            facts.append(from_rdf(key, _number(value), f"config.bioimageio.training.{name}"))
    rate = authored(training, "initial_learning_rate")
    schedule = authored(training, "learning_rate_schedule")
    if rate is not None or schedule:
        text = ", ".join(filter(None, [f"initial {_number(rate)}" if rate is not None else "", _text(schedule)]))
        facts.append(from_rdf("training_hyperparameters.learning_rate", text,
                              "config.bioimageio.training.initial_learning_rate"))
    for key, name in (("loss_function", "loss_function"), ("optimizer", "optimizer")):
        value = authored(training, name)
        if value:
            kwargs = _kwargs_text(authored(training, f"{name}_kwargs"))
            text = md_code(value) + (f" with {kwargs}" if kwargs else "")
            facts.append(from_rdf(f"training_hyperparameters.{key}", text, f"config.bioimageio.training.{name}"))
            if name == "loss_function":
                facts.append(from_rdf("model_architecture_and_objective.objective_function", text,
                                      "config.bioimageio.training.loss_function"))
    duration = authored(training, "training_duration")
    if duration is not None:
        facts.append(from_rdf("speeds_sizes_times.training_time", _hours(duration),
                              "config.bioimageio.training.training_duration"))
    steps = []
    training_preprocessing = authored(training, "training_preprocessing")
    if training_preprocessing:
        steps.append(md_prose(training_preprocessing))
    inference_steps = []
    for tensor in description.inputs:
        if pre := _steps(tensor, "preprocessing"):
            inference_steps.append(f"- input {md_code(_tensor_id(tensor))}: " + " → ".join(pre))
    for tensor in description.outputs:
        if post := _steps(tensor, "postprocessing"):
            inference_steps.append(f"- output {md_code(_tensor_id(tensor))} (postprocessing): " + " → ".join(post))
    if inference_steps:
        steps += ["", "Applied by bioimage.io consumer software at inference time, as declared in the RDF:",
                  *inference_steps]
    if steps:
        facts.append(Fact("preprocessing", "\n".join(steps).strip(),
                          (Provenance("rdf", "config.bioimageio.training.training_preprocessing"),
                           Provenance("rdf", "inputs[*].preprocessing"),
                           Provenance("rdf", "outputs[*].postprocessing"))))
    architecture = authored(config, "architecture_description")
    architecture_type = authored(config, "architecture_type")
    callable_name = _architecture_callable(description)
    if architecture or architecture_type or callable_name:
        text = " — ".join(filter(None, [_text(architecture_type), md_code(callable_name) if callable_name else "",
                                         _text(architecture)]))
        for key in ("training_hyperparameters.architecture", "model_architecture_and_objective.architecture"):
            facts.append(from_rdf(key, text, "config.bioimageio.architecture_description"))
    return facts


def _hours(value: Any) -> str:
    """`0.08126` hours as `0.08126 hours (4.9 minutes)`: short runs read better in minutes."""
    text = f"{_number(value)} hours"
    if isinstance(value, (int, float)) and 0 < value < 1:
        text += f" ({value * 60:.1f} minutes)"
    return text


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _text(value)


def _weight_formats(description) -> list[tuple[str, Any]]:
    weights = description.weights
    formats = getattr(weights, "available_formats", None)
    if formats is None:
        formats = {name: getattr(weights, name) for name in FRAMEWORK_NAMES if getattr(weights, name, None)}
    return list(formats.items())


def _weights(description, package: Package, config) -> list[Fact]:
    frameworks, sizes, sources = [], [], []
    total = 0
    for name, weights in _weight_formats(description):
        version = next((getattr(weights, v) for v in _VERSION_FIELDS if getattr(weights, v, None) is not None), None)
        label = FRAMEWORK_NAMES.get(name, name)
        if version is not None:
            label += f" opset {md_text(version)}" if name == "onnx" else f" {md_text(version)}"
        parent = getattr(weights, "parent", None)
        label += f" (converted from {md_text(parent)})" if parent else " (training framework)"
        frameworks.append(label)
        sources.append(Provenance("rdf", f"weights.{name}"))
        source = _source_text(weights)
        size = package.file_size(source) if not source.startswith(("http://", "https://")) else None
        if size is not None:
            total += size
            sizes.append(f"{FRAMEWORK_NAMES.get(name, name)}: {format_bytes(size, digits=2)} ({md_code(source)})")
            sources.append(Provenance("file", source, detail=f"{size} bytes"))
        else:
            sizes.append(f"{FRAMEWORK_NAMES.get(name, name)}: {md_code(source)} (size unknown: file not in the package)")
    facts = []
    framework_text = "; ".join(frameworks)
    facts.append(Fact("training_hyperparameters.framework", framework_text, tuple(sources[:1] + sources[1:])))
    facts.append(Fact("software_dependencies.framework", framework_text, tuple(sources)))
    parameters = authored(config, "model_parameter_count")
    count_source = Provenance("rdf", "config.bioimageio.model_parameter_count")
    if not parameters:
        parameters, count_source = _count_parameters(description, package)
    size_lines = ([f"{parameters:,} parameters"] if parameters else []) + sizes
    size_sources = tuple(sources) + ((count_source,) if parameters else ())
    facts.append(Fact("speeds_sizes_times.model_size", "; ".join(size_lines), size_sources))
    if total:
        facts.append(Fact("hardware_requirements.storage", f"{format_bytes(total, digits=2)} of weights in all formats",
                          tuple(s for s in sources if s.kind == "file")))
    libraries = []
    for name, weights in _weight_formats(description):
        dependencies = getattr(weights, "dependencies", None)
        if dependencies is not None:
            libraries.append(f"{FRAMEWORK_NAMES.get(name, name)}: environment in {md_code(_source_text(dependencies))}")
    if libraries:
        facts.append(from_rdf("software_dependencies.libraries", "; ".join(libraries), "weights.*.dependencies"))
    facts.append(
        from_rdf(
            "software_dependencies.bioimageio_compatibility",
            f"bioimage.io model format {description.format_version}; runs with `bioimageio.core` "
            "(Python, CLI) and bioimage.io consumer software supporting "
            + ", ".join(f"`{name}`" for name, _ in _weight_formats(description))
            + " weights",
            "format_version",
        )
    )
    for key, name in (("speeds_sizes_times.inference_time", "inference_time"),
                      ("speeds_sizes_times.memory_requirements", "memory_requirements_inference"),
                      ("hardware_requirements.inference", "memory_requirements_inference"),
                      ("hardware_requirements.training", "memory_requirements_training")):
        value = authored(config, name)
        if value:
            facts.append(from_rdf(key, _text(value), f"config.bioimageio.{name}"))
    return facts


def _count_parameters(description, package: Package) -> tuple[int | None, Provenance | None]:
    """Parameters read from the weight files themselves (ONNX, TorchScript), never by running them."""
    from bmzcard.sources.weights import count_parameters

    if package.is_zip:
        return None, None
    for name, weights in _weight_formats(description):
        source = _source_text(weights)
        if name not in ("onnx", "torchscript", "pytorch_state_dict") or not package.has_file(source):
            continue
        counted = count_parameters(name, package.root / source)
        if counted.parameters:
            return counted.parameters, Provenance("file", source, detail=counted.counted)
    return None, None


def _card_sections(config) -> list[Fact]:
    facts = []
    out_of_scope = authored(config, "out_of_scope_use")
    if out_of_scope:
        facts.append(from_rdf("out_of_scope_use", md_prose(out_of_scope), "config.bioimageio.out_of_scope_use"))
    funded_by = authored(config, "funded_by")
    if funded_by:
        facts.append(from_rdf("model_description.funded_by", _text(funded_by), "config.bioimageio.funded_by"))
    risks = authored(config, "bias_risks_limitations")
    for key, name in (("known_biases", "known_biases"), ("risks", "risks"), ("limitations", "limitations"),
                      ("recommendations", "recommendations")):
        value = authored(risks, name)
        if value:
            facts.append(from_rdf(key, md_prose(value), f"config.bioimageio.bias_risks_limitations.{name}"))
    return facts


def _evaluations(config) -> list[Fact]:
    evaluations = authored(config, "evaluations") or []
    if not evaluations:
        return []
    internal = [(i, e) for i, e in enumerate(evaluations) if _get(e, "dataset_role") != "independent"]
    external = [(i, e) for i, e in enumerate(evaluations) if _get(e, "dataset_role") == "independent"]
    facts = []
    if internal:
        where = tuple(Provenance("rdf", f"config.bioimageio.evaluations[{i}]") for i, _ in internal)
        sources, sizes, factors, metrics, tables, summaries = [], [], [], [], [], []
        for _, evaluation in internal:
            dataset = _get(evaluation, "dataset_id")
            source = _get(evaluation, "dataset_source")
            role = _get(evaluation, "dataset_role")
            sources.append((_link(source, dataset) if source else md_code(dataset)) + f" (dataset role: {md_text(role)})")
            sizes.append(f"{_get(evaluation, 'sample_count')} evaluated samples")
            factors += [f"**{_text(f)}**: {_text(l)}" for f, l in zip(_get(evaluation, "evaluation_factors") or [],
                                                                 _get(evaluation, "evaluation_factors_long") or [])]
            metrics += [f"**{_text(m)}**: {_text(l)}" for m, l in zip(_get(evaluation, "metrics") or [],
                                                                _get(evaluation, "metrics_long") or [])]
            tables.append(results_table(evaluation))
            if _get(evaluation, "results_summary"):
                summaries.append(md_prose(_get(evaluation, "results_summary")))
        facts += [
            Fact("testing_data.source", "; ".join(sources), where),
            Fact("testing_data.size", "; ".join(sizes), where),
            Fact("factors", _bullets(dict.fromkeys(factors)), where),
            Fact("metrics", _bullets(dict.fromkeys(metrics)), where),
            Fact("quantitative_results", "\n\n".join(tables), where),
            Fact("summary", "\n\n".join(summaries), where),
        ]
    if external:
        blocks = []
        for _, evaluation in external:
            dataset = _get(evaluation, "dataset_id")
            source = _get(evaluation, "dataset_source")
            blocks.append(
                f"On {_link(source, dataset) if source else _text(dataset)} "
                f"({_get(evaluation, 'sample_count')} samples, independent data):\n\n" + results_table(evaluation)
            )
        facts.append(Fact("validation_on_external_data", "\n\n".join(blocks),
                          tuple(Provenance("rdf", f"config.bioimageio.evaluations[{i}]") for i, _ in external)))
    return facts


def results_table(evaluation: Any) -> str:
    """The template's results table: one row per metric, one column per factor."""
    factors = [str(f) for f in _get(evaluation, "evaluation_factors") or []]
    rows = ["| Metric | " + " | ".join(map(md_text, factors)) + " |", "|" + "---|" * (len(factors) + 1)]
    for metric, results in zip(_get(evaluation, "metrics") or [], _get(evaluation, "results") or []):
        rows.append(f"| {md_text(metric)} | " + " | ".join(_text(r) for r in results) + " |")
    return "\n".join(rows)


def _environmental_impact(config) -> list[Fact]:
    impact = authored(config, "environmental_impact")
    facts = []
    for key, name, unit in (("hardware_type", "hardware_type", ""), ("hours_used", "hours_used", " hours"),
                            ("cloud_provider", "cloud_provider", ""), ("compute_region", "compute_region", ""),
                            ("carbon_emitted", "co2_emitted", " kg CO2eq")):
        value = authored(impact, name)
        if value is not None and value != "":
            text = _hours(value) if key == "hours_used" and isinstance(value, (int, float)) else f"{_number(value)}{unit}"
            facts.append(from_rdf(f"environmental_impact.{key}", text,
                                  f"config.bioimageio.environmental_impact.{name}"))
    return facts


def _get_started(description, package: Package, card_dir) -> list[Fact]:
    import json
    import os
    import shlex

    model_id = getattr(description, "id", None)
    if model_id:
        source = str(model_id)
    else:  # the package as seen from the card, so the snippet works wherever the folder is copied
        target = package.source if package.is_zip else package.rdf_path
        source = os.path.relpath(target, card_dir) if card_dir is not None else str(target)
        source = source.replace(os.sep, "/")
    inputs = [_tensor_id(t) for t in description.inputs]
    outputs = [_tensor_id(t) for t in description.outputs]
    # author strings as Python and shell literals, inside fences no backtick run of theirs can close
    literal = json.dumps
    input_args = ", ".join(f"{literal(tensor)}: {literal(tensor + '.npy')}" for tensor in inputs)
    python = [
        "from bioimageio.core import predict",
        "",
        f"sample = predict(model={literal(source)}, inputs={{{input_args}}})",
        *[f"{tensor if tensor.isidentifier() else 'output'} = sample.members[{literal(tensor)}].data.to_numpy()"
          for tensor in outputs],
    ]
    shell = [f"bioimageio test {shlex.quote(source)}",
             f'bioimageio predict --inputs "{{input_id}}.npy" {shlex.quote(source)}']
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", "\n".join(python + shell))), default=0))
    lines = [
        "Install `bioimageio.core` (`pip install bioimageio.core`), then in Python:",
        "",
        f"{fence}python",
        *python,
        fence,
        "",
        "or on the command line (test the model on its own test tensors, then predict `<input id>.npy`):",
        "",
        f"{fence}bash",
        *shell,
        fence,
    ]
    return [Fact("how_to_get_started", "\n".join(lines), (Provenance("rdf", "id" if model_id else "rdf path"),
                                                          Provenance("rdf", "inputs[*].id"),
                                                          Provenance("rdf", "outputs[*].id")))]


# --- files ------------------------------------------------------------------


def _source_text(file_descr: Any) -> str:
    source = getattr(file_descr, "source", file_descr)
    return str(source)


def _image(target: str, alt: str) -> str:
    """An image (`alt`: Markdown) from a web address (http/https only) or a package file."""
    if target.startswith(("http://", "https://")):
        url = safe_url(target)
        return f"![{alt}]({url})" if url else alt
    return md_file_link(target, alt, image=True)


def package_link(file_descr: Any, package: Package, card_dir) -> str | None:
    """A link to a package file usable from the card, or None when it cannot be embedded."""
    import os

    source = _source_text(file_descr)
    if source.startswith(("http://", "https://")):
        return source
    if package.is_zip or not package.has_file(source):
        return None
    target = package.root / source
    if not target.resolve().is_relative_to(package.root.resolve()):  # `../`, or a link out of the package
        return None
    if card_dir is None:
        return source
    return os.path.relpath(target, card_dir).replace(os.sep, "/")
