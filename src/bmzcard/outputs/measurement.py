"""A measurement into the RDF's `config.bioimageio` and the card (`bmzcard measure --write-card`)."""

from __future__ import annotations

from pathlib import Path

from bmzcard.generate import default_output
from bmzcard.outputs.card import GenerateReport, generate_card
from bmzcard.sources.sidecar import read_sidecar
from bmzcard.outputs.rdf_config import rdf_text_with_config, write_rdf
from bmzcard.sources.package import open_package
from bmzcard.sources.records.measurement import measurement_facts


def write_measurements(source: str | Path, measurement: dict, *, card: Path | None = None) -> GenerateReport:
    """Fill a package's card and its RDF's `config.bioimageio` with a measurement.

    The RDF is edited first (validated, then written atomically with a backup);
    the card follows, so a refused RDF edit leaves both untouched.
    """
    package = open_package(source)
    read_sidecar(card or default_output(package))  # an unreadable sidecar stops the run before anything is written
    text = rdf_text_with_config(package, rdf_config_values(measurement))
    write_rdf(package, text)
    return generate_card(package.rdf_path, card, extra_facts=measurement_facts(measurement))


def rdf_config_values(measurement: dict) -> dict:
    """`config.bioimageio` entries from a measurement, as the RDF spec names them.

    The parameter count is the largest count over the weight formats (all
    formats of one model hold the same parameters; a format that could not be
    read counts none); inference time and memory are the card's sentences.
    """
    values: dict = {}
    counts = [w["parameters"] for w in measurement["weights"] if w.get("parameters")]
    if counts:
        values["model_parameter_count"] = max(counts)
    facts = {f.key: f.value for f in measurement_facts(measurement)}
    if "speeds_sizes_times.inference_time" in facts:
        values["inference_time"] = facts["speeds_sizes_times.inference_time"]
        values["memory_requirements_inference"] = facts["speeds_sizes_times.memory_requirements"]
    return values
