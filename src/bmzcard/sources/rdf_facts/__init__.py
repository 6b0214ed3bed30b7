"""Facts a model's RDF knows, for every card field it can fill, one module per card part.

- `written`: the RDF as its author wrote it (format version, tensors and axes,
  weights), read the same way by `generate` and by `check`'s consistency rules;
- `tables`: what bmzcard knows about RDF vocabularies (weight formats, axis
  types, tag vocabularies), one table per kind;
- `identity`, `tensors`, `weights`, `training`, `evaluation`: the facts of the
  card sections they serve.

Typed values come from a `bioimageio.spec` description (0.5 where the spec can
upgrade, else the format written); card fields under `config.bioimageio` count
only when the author wrote them (pydantic's `model_fields_set`).
"""

from __future__ import annotations

from typing import Any

from bmzcard.facts import FactSet
from bmzcard.sources.package import Package
from bmzcard.sources.rdf_facts.common import authored, bioimageio_config, package_link
from bmzcard.sources.rdf_facts.evaluation import (
    card_section_facts,
    evaluation_facts,
    glossary_facts,
    impact_facts,
    results_table,
)
from bmzcard.sources.rdf_facts.identity import cover_links, identity_facts
from bmzcard.sources.rdf_facts.tensors import tensor_facts
from bmzcard.sources.rdf_facts.training import training_facts
from bmzcard.sources.rdf_facts.weights import weight_facts

__all__ = ["authored", "facts_from_description", "package_link", "results_table"]


def facts_from_description(description: Any, package: Package, card_dir=None, raw: dict | None = None,
                           card_name: str = "README.md") -> FactSet:
    """Every fact the description gives, keyed by template field path; `raw` is the RDF as written.

    A package without sample images (no sample tensor or cover the card can
    show) gets its test tensors as images beside the card (`card_dir`, named
    after `card_name`), in the returned set's `files`.
    """
    if raw is None:  # no file as written: the description's own fields stand for it
        raw = description.model_dump(mode="json", exclude_unset=True)
    facts = FactSet()
    config = bioimageio_config(description, raw)
    identity_facts(description, package, card_dir, raw, facts)
    shows_covers = bool(cover_links(description, package, card_dir))
    tensor_facts(description, package, card_dir, raw, facts, card_name=card_name, shows_covers=shows_covers)
    training_facts(description, config, raw, facts)
    weight_facts(description, package, config, raw, facts)
    facts.extend(card_section_facts(config))
    facts.extend(evaluation_facts(config))
    facts.extend(impact_facts(config))
    glossary_facts(raw, config, facts)
    return facts
