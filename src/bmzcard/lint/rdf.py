"""The RDF facts the consistency rules compare, asked of the same reader `generate` writes from.

Rules read the RDF as written (`sources.rdf_facts.written`, every format version)
with the vocabularies of `sources.rdf_facts.tables`, so a card and a check never
disagree about what the RDF says. Checking stays fast: no bioimageio.spec here.
"""

from __future__ import annotations

from bmzcard.sources.rdf_facts.tables import LENGTH_UNITS_UM, WEIGHT_FORMATS
from bmzcard.sources.rdf_facts.written import (
    Axis,
    Tensor,
    Weights,
    author_names,
    bioimageio_config,
    description,
    format_version,
    get,
    license_id,
    name,
    tensors,
    training_data,
    weights,
)

__all__ = ["Axis", "LENGTH_UNITS_UM", "Tensor", "Weights", "author_names", "bioimageio_config",
           "description", "evaluations", "format_version", "framework_of", "get", "input_axes", "license_id", "name",
           "tensors", "training_data", "weights"]


def framework_of(weight_format: str) -> str:
    """The framework family of a weight format (`keras_hdf5` -> `tensorflow`); the format itself when unknown."""
    known = WEIGHT_FORMATS.get(weight_format)
    return known.framework if known else weight_format


def evaluations(rdf: dict) -> list[dict]:
    found = bioimageio_config(rdf).get("evaluations") or []
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def input_axes(rdf: dict) -> list[tuple[Axis, ...]]:
    """The axes of each input tensor, in any format version."""
    return [tensor.axes for tensor in tensors(rdf, "inputs")]
