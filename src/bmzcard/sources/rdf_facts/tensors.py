"""Tensors and axes: the input and output tables, direct use, resolution, and the get-started code.

Tables are written from the RDF as its author wrote it (`written.tensors`), so a
0.4 `data_range` or `shape: {reference_tensor, scale, offset}` reads as written
and axis types come from 0.5's `type` or 0.4's axis letter.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path, PurePosixPath
from typing import Any

from bmzcard.facts import Fact, FactSet, Provenance, from_rdf, md_code, md_file_link, md_text
from bmzcard.sources.package import Package
from bmzcard.sources.tensor_images import TensorImage, tensor_images
from bmzcard.sources.rdf_facts import written
from bmzcard.sources.rdf_facts.common import image, kwargs_plain, package_link, text

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg")


def tensor_facts(description: Any, package: Package, card_dir, raw: dict, facts: FactSet, *,
                 card_name: str = "README.md", shows_covers: bool = False) -> None:
    inputs, outputs = written.tensors(raw, "inputs"), written.tensors(raw, "outputs")
    if not inputs:
        return
    samples = {t.field: _sample_image(t, package, card_dir) for t in [*inputs, *outputs]}
    shows_samples = any(samples.values())
    rendered: dict[str, list[TensorImage]] = {}
    if not shows_samples and not shows_covers and _inside_package(package, card_dir):
        stem = PurePosixPath(card_name).stem
        rendered = {t.field: tensor_images(t, package, stem, index)
                    for group in (inputs, outputs) for index, t in enumerate(group)}
        facts.files.update({image.name: image.data for images in rendered.values() for image in images})
    for key, tensors, field in (("input_specifications", inputs, "inputs"), ("output_specifications", outputs, "outputs")):
        shown = [t for t in tensors if rendered.get(t.field)]
        sources = [Provenance("rdf", field)] + [
            Provenance("file", t.test or "", f"{t.field}.test_tensor, rendered as "
                       + ", ".join(image.name for image in rendered[t.field])) for t in shown]
        facts.add(Fact(f"model_architecture_and_objective.{key}", _table(tensors, samples, rendered), tuple(sources)))
    facts.add(_direct_use(inputs, outputs, shows_samples, shows_test_images=any(rendered.values())))
    first = inputs[0]
    modality = md_text(", ".join(filter(None, [first.dimensionality, channel_text(first)])))
    facts.add(from_rdf("task_details.input_modality", modality, "inputs[0].axes"))
    for kind, key in (("space", "spatial_resolution"), ("time", "temporal_resolution")):
        parts = [f"{axis.id}: {axis.scale:g} {axis.unit}" for axis in first.axes
                 if axis.type == kind and axis.unit and axis.scale is not None]
        if parts:
            value = " per pixel, ".join(parts) + " per pixel" if kind == "space" else ", ".join(parts) + " per frame"
            facts.add(from_rdf(f"task_details.{key}", md_text(value), "inputs[0].axes"))
    if not any(a.type == "time" for t in inputs for a in t.axes):
        facts.add(from_rdf("task_details.temporal_resolution", "Not applicable: the model's inputs have no time axis",
                           "inputs[*].axes"))
    facts.add(_get_started(description, package, card_dir, inputs, outputs))


def channel_text(tensor: written.Tensor) -> str:
    for axis in tensor.axes:
        if axis.type == "channel":
            if axis.channel_names:
                count = len(axis.channel_names)
                return f"{count} channel{'s' if count != 1 else ''} ({', '.join(axis.channel_names)})"
            if axis.size.isdigit():
                return f"{axis.size} channel{'s' if axis.size != '1' else ''}"
    return ""


def _steps_text(tensor: written.Tensor) -> str:
    # arguments as code: `axes=[channel, y, x]` is a value, not a placeholder to fill
    return " → ".join(md_code(name) + (f" ({md_code(kwargs_plain(kwargs))})" if kwargs_plain(kwargs) else "")
                      for name, kwargs in tensor.steps)


def _inside_package(package: Package, card_dir) -> bool:
    """Whether the card's folder lies in the package's folder, where bmzcard may add its images."""
    if package.is_zip or card_dir is None:
        return False
    return Path(card_dir).resolve().is_relative_to(package.root.resolve())


def _table(tensors: list[written.Tensor], samples: dict[str, str | None],
           rendered: dict[str, list[TensorImage]] | None = None) -> str:
    rows = ["| id | axes (type: size, halo) | dtype | data range | description |", "|---|---|---|---|---|"]
    images, steps = [], []
    for tensor in tensors:
        description = text(tensor.description)
        if tensor.optional:
            description = "optional; " + description if description else "optional"
        axes = md_text(", ".join(axis.text() for axis in tensor.axes))
        cells = [md_code(tensor.id, in_table=True), axes, md_text(tensor.dtype), md_text(tensor.range_text()), description]
        rows.append("| " + " | ".join(cells) + " |")
        if samples.get(tensor.field):
            images.append(image(samples[tensor.field], f"sample {tensor.kind} {md_code(tensor.id)}"))
        if tensor.steps:
            what = "preprocessing" if tensor.kind == "input" else "postprocessing"
            steps.append(f"- {what} of {md_code(tensor.id)}: {_steps_text(tensor)}")
    lines = rows
    if steps:
        lines += ["", "Applied by bioimage.io consumer software at inference time, as declared in the RDF:", *steps]
    if images:
        lines += ["", *images]
    test_images = [md_file_link(image.name, md_text(image.alt), image=True)
                   for tensor in tensors for image in (rendered or {}).get(tensor.field, [])]
    if test_images:
        lines += ["", f"The test tensors ({md_code('test_tensor')}) as images, rendered by bmzcard: a 2D slice "
                  "(middle of other space axes, first of batch, time and index axes), per channel, "
                  "min-max scaled:", "", *test_images]
    return "\n".join(lines)


def _sample_image(tensor: written.Tensor, package: Package, card_dir) -> str | None:
    if tensor.sample is None or not tensor.sample.lower().endswith(IMAGE_SUFFIXES):
        return None
    return package_link(tensor.sample, package, card_dir)


def _direct_use(inputs: list[written.Tensor], outputs: list[written.Tensor], shows_samples: bool,
                shows_test_images: bool = False) -> Fact:
    lines = ["Apply the model without fine-tuning to images like its test data:"]
    for tensor in inputs:
        what = ", ".join(filter(None, [md_text(channel_text(tensor)), text(tensor.description)]))
        lines.append(f"- input {md_code(tensor.id)}{' (optional)' if tensor.optional else ''}: {tensor.dimensionality}"
                     + (f", {what}" if what else ""))
    for tensor in outputs:
        lines.append(f"- output {md_code(tensor.id)}: " + (text(tensor.description) or tensor.dimensionality))
    where = "shapes, data ranges, inference-time pre- and postprocessing" + (
        " and sample images" if shows_samples else " and images of the test tensors" if shows_test_images else "")
    lines += ["", f"See Technical Specifications for {where}, and How to Get Started for code."]
    return Fact("direct_use", "\n".join(lines), (Provenance("rdf", "inputs"), Provenance("rdf", "outputs")))


def _get_started(description, package: Package, card_dir, inputs: list[written.Tensor],
                 outputs: list[written.Tensor]) -> Fact:
    model_id = getattr(description, "id", None)
    if model_id:
        source = str(model_id)
    else:  # the package as seen from the card, so the snippet works wherever the folder is copied
        target = package.source if package.is_zip else package.rdf_path
        source = os.path.relpath(target, card_dir) if card_dir is not None else str(target)
        source = source.replace(os.sep, "/")
    required = [t.id for t in inputs if not t.optional]
    optional = [t.id for t in inputs if t.optional]
    # author strings as Python and shell literals, inside fences no backtick run of theirs can close
    literal = json.dumps
    input_args = ", ".join(f"{literal(tensor)}: {literal(tensor + '.npy')}" for tensor in required)
    python = [
        "from bioimageio.core import predict",
        "",
        f"sample = predict(model={literal(source)}, inputs={{{input_args}}})",
        *[f"{tensor.id if tensor.id.isidentifier() else 'output'} = sample.members[{literal(tensor.id)}].data.to_numpy()"
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
    ]
    if optional:
        lines += ["", "Optional inputs (" + ", ".join(md_code(t) for t in optional) + ") may be added to `inputs`."]
    lines += [
        "",
        "or on the command line (test the model on its own test tensors, then predict `<input id>.npy`):",
        "",
        f"{fence}bash",
        *shell,
        fence,
    ]
    return Fact("how_to_get_started", "\n".join(lines), (Provenance("rdf", "id" if model_id else "rdf path"),
                                                          Provenance("rdf", "inputs[*].id"),
                                                          Provenance("rdf", "outputs[*].id")))
