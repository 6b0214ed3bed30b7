"""Weights and frameworks: formats with versions, conversions, sizes, dependencies, the format version."""

from __future__ import annotations

from typing import Any

from bmzcard.facts import Fact, FactSet, Provenance, from_rdf, md_code, md_text
from bmzcard.units import format_bytes
from bmzcard.sources.package import Package
from bmzcard.sources.rdf_facts import written
from bmzcard.sources.rdf_facts.common import authored, is_url, source_text, text
from bmzcard.sources.rdf_facts.tables import MEASURED_FORMATS, WEIGHT_FORMATS, weight_format_label


def weight_entries(description) -> list[tuple[str, Any]]:
    """The typed description's weight entries, by format name."""
    weights = description.weights
    formats = getattr(weights, "available_formats", None)
    if formats is None:
        formats = {name: getattr(weights, name) for name in WEIGHT_FORMATS if getattr(weights, name, None)}
    return list(formats.items())


def format_text(raw: dict, description) -> str:
    """`0.4.9 (read through bioimageio.spec's upgrade to 0.5.12)`: the format the author wrote first."""
    written_version = written.format_version(raw)
    read_as = str(getattr(description, "format_version", "") or "")
    if written_version is None:
        return md_text(read_as)
    if read_as and read_as != written_version:
        return f"{md_text(written_version)} (read by bmzcard through bioimageio.spec's upgrade to {md_text(read_as)})"
    return md_text(written_version)


def weight_facts(description: Any, package: Package, config, raw: dict, facts: FactSet) -> None:
    entries = written.weights(raw)
    sizes, sources, total = [], [], 0
    for entry in entries:
        sources.append(Provenance("rdf", f"weights.{entry.format}"))
        size = package.file_size(entry.source) if entry.source and not is_url(entry.source) else None
        if size is not None:
            total += size
            sizes.append(f"{md_text(entry.label)}: {format_bytes(size, digits=2)} ({md_code(entry.source)})")
            sources.append(Provenance("file", entry.source, detail=f"{size} bytes"))
        else:
            sizes.append(f"{md_text(entry.label)}: {md_code(entry.source)} (size unknown: file not in the package)")
    if entries:
        framework_text = "; ".join(entry.text() for entry in entries)
        facts.add(Fact("training_hyperparameters.framework", framework_text, tuple(sources)))
        facts.add(Fact("software_dependencies.framework", framework_text, tuple(sources)))
    parameters = authored(config, "model_parameter_count")
    count_source = Provenance("rdf", "config.bioimageio.model_parameter_count")
    if not parameters:
        parameters, count_source = _count_parameters(description, package)
    size_lines = ([f"{parameters:,} parameters"] if parameters else []) + sizes
    facts.add(Fact("speeds_sizes_times.model_size", "; ".join(size_lines),
                   tuple(sources) + ((count_source,) if parameters else ())))
    if total:
        facts.add(Fact("hardware_requirements.storage", f"{format_bytes(total, digits=2)} of weights in all formats",
                       tuple(s for s in sources if s.kind == "file")))
    libraries = []
    for name, weights in weight_entries(description):
        dependencies = getattr(weights, "dependencies", None)
        if dependencies is not None:
            libraries.append(f"{md_text(weight_format_label(name))}: environment in {md_code(source_text(dependencies))}")
    if libraries:
        facts.add(from_rdf("software_dependencies.libraries", "; ".join(libraries), "weights.*.dependencies"))
    facts.add(from_rdf(
        "software_dependencies.bioimageio_compatibility",
        f"bioimage.io model format {format_text(raw, description)}; runs with `bioimageio.core` "
        "(Python, CLI) and bioimage.io consumer software supporting "
        + ", ".join(md_code(entry.format) for entry in entries) + " weights",
        "format_version",
    ))
    for key, name in (("speeds_sizes_times.inference_time", "inference_time"),
                      ("speeds_sizes_times.memory_requirements", "memory_requirements_inference"),
                      ("hardware_requirements.inference", "memory_requirements_inference"),
                      ("hardware_requirements.training", "memory_requirements_training")):
        value = authored(config, name)
        if value:
            facts.add(from_rdf(key, text(value), f"config.bioimageio.{name}"))


def _count_parameters(description, package: Package) -> tuple[int | None, Provenance | None]:
    """Parameters read from the weight files themselves (ONNX, torch archives), never by running them."""
    from bmzcard.sources.weights import count_parameters

    if package.is_zip:
        return None, None
    for name, weights in weight_entries(description):
        source = source_text(weights)
        if name not in MEASURED_FORMATS or not package.has_file(source):
            continue
        counted = count_parameters(name, package.root / source)
        if counted.parameters:
            return counted.parameters, Provenance("file", source, detail=counted.counted)
    return None, None
