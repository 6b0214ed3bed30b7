"""Hugging Face Hub model cards: the Hub's vocabulary, and reading a Hub card back into RDF fields.

A Hub card is Markdown under a YAML header (license, tags, datasets, base_model,
pipeline_tag, `model-index`, `co2_eq_emissions`). `export hf` writes one
(:mod:`bmzcard.outputs.huggingface`); this module holds what both directions
share (the Hub's licenses, task and split names, Hub ids) and reads a card from
a stranger for `import hf`: the header is split as `huggingface_hub` splits it,
parsed by bmzcard's safe YAML reader (aliases that would expand past a bound
are refused), sizes and list lengths are bounded, and every field that does not
fit an RDF is reported instead of dropped silently.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from bmzcard.errors import BmzcardError
from bmzcard.sources.rdf import parse_raw
from bmzcard.sources.rdf_facts.tables import spdx_licenses
from bmzcard.sources.readme import decode_card, read_card_bytes

MAX_HEADER_BYTES = 1_000_000
MAX_LIST_ENTRIES = 1_000  # tags, datasets, base models, model-index entries
MAX_EVAL_RESULTS = 10_000  # metric values over the whole model-index
MAX_TEXT_CHARS = 1_000  # one scalar value carried into an RDF field

#: Tags `export hf` adds to every card; `import hf` leaves them out again.
ADDED_TAGS = ("bioimage-io", "biology")
#: The header key holding where a card came from (zoo id, version, format, RDF hash).
NAMESPACE = "bioimageio"
#: bioimage.io ids of resources hosted on the Hub start with this (as bioimageio.spec reads them).
HUB_ID_PREFIX = "huggingface/"

# Words of a task (config.bioimageio.task, or a task tag) -> the Hub's pipeline tag; first match wins.
_PIPELINE_TAGS = (
    ("pixel classification", "image-segmentation"),
    ("segmentation", "image-segmentation"),
    ("classification", "image-classification"),
    ("detection", "object-detection"),
    ("restoration", "image-to-image"),
    ("denoising", "image-to-image"),
    ("super resolution", "image-to-image"),
    ("deconvolution", "image-to-image"),
)
#: The Hub's pipeline tag -> the task word it stands for, when a card does not carry the task's own words.
TASK_OF_PIPELINE = {
    "image-segmentation": "segmentation",
    "image-classification": "classification",
    "object-detection": "detection",
    "image-to-image": "restoration",
}
#: bioimageio.spec's `dataset_role` values; each is written as the Hub's `dataset.split` unchanged.
DATASET_ROLES = ("train", "validation", "test", "independent", "unknown")


@lru_cache(maxsize=1)
def hub_licenses() -> dict[str, str]:
    """The Hub's license identifiers and their full names (bundled copy of `shared/hf/hub-licenses.tsv`)."""
    path = Path(__file__).parent / "data" / "hub-licenses.tsv"
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream, delimiter="\t"))
    return {row["id"]: row["fullname"] for row in rows}


def pipeline_tag(task: str) -> str | None:
    """The Hub's pipeline tag for a task in words (`semantic segmentation` -> `image-segmentation`)."""
    words = " ".join(re.split(r"[\s_-]+", task.lower()))
    return next((tag for word, tag in _PIPELINE_TAGS if word in words), None)


def hub_repo_id(reference: Any, kind: str = "model") -> str | None:
    """The Hub repository id in a bioimage.io id or URL (`huggingface/org/name`,
    `https://huggingface.co/[datasets/]org/name`), or None when it names no Hub repository."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    text = str(reference or "").strip()
    if text.startswith(HUB_ID_PREFIX):
        candidate = text[len(HUB_ID_PREFIX):]
    else:
        prefix = "datasets/" if kind == "dataset" else ""
        match = re.match(rf"https?://(?:www\.)?(?:huggingface\.co|hf\.co)/{prefix}([^/?#]+/[^/?#]+)", text)
        if match is None or (kind == "model" and match.group(1).split("/")[0] in ("datasets", "spaces")):
            return None
        candidate = match.group(1)
    try:
        validate_repo_id(candidate)
    except HFValidationError:
        return None
    return candidate if candidate.count("/") == 1 else None


def decimal_scale(value: float, factor: int) -> float:
    """`value * factor` (or `/` for a negative factor) on the decimal digits, so kg <-> g round-trips exactly."""
    number = Decimal(repr(float(value)))
    return float(number * factor if factor > 0 else number / -factor)


# --- reading a Hub card -----------------------------------------------------


@dataclass
class HubCard:
    """A Hub card as read: its header (plain data), Markdown body and evaluation results."""

    path: str
    header: dict[str, Any]
    body: str
    # one entry per model-index entry: (model name, its results); read one by one,
    # because huggingface_hub folds several entries into one list under the last name
    evaluations: list[tuple[str, list[Any]]] = field(default_factory=list)
    lossy: list[str] = field(default_factory=list)


def read_hub_card(path: Path) -> HubCard:
    """Read a Hugging Face model card from disk; see :func:`parse_hub_card`."""
    return parse_hub_card(read_card_bytes(path), str(path))


def parse_hub_card(data: bytes, where: str) -> HubCard:
    """Split, parse and bound-check a Hub card.

    Raises
    ------
    BmzcardError
        For a card that is binary, not UTF-8, too large, has no YAML header, or
        whose header is not valid YAML, not a mapping, too large, expands its
        aliases past the bound, or holds a list longer than `MAX_LIST_ENTRIES`.
        Fields that are present but unusable are listed in `HubCard.lossy`.
    """
    from huggingface_hub.repocard import REGEX_YAML_BLOCK

    text = decode_card(data, where).text
    match = REGEX_YAML_BLOCK.search(text)
    if match is None:
        raise BmzcardError("no YAML header (a `---` block at the top): not a Hugging Face model card", path=where)
    header_text = match.group(2)
    if len(header_text.encode("utf-8")) > MAX_HEADER_BYTES:
        raise BmzcardError(f"the YAML header is larger than {MAX_HEADER_BYTES:,} bytes", path=where)
    header = _parse_header(header_text, where)
    card = HubCard(where, header, text[match.end():])
    for key, value in header.items():
        if isinstance(value, list) and len(value) > MAX_LIST_ENTRIES:
            raise BmzcardError(f"has {len(value):,} entries, more than {MAX_LIST_ENTRIES:,}", path=where, field=str(key))
    card.evaluations = _evaluations(header.get("model-index"), card)
    return card


def _parse_header(header_text: str, where: str) -> dict[str, Any]:
    if not header_text.strip():
        return {}
    try:
        data = parse_raw(header_text.encode("utf-8"), where)
    except BmzcardError as error:
        if "not a YAML mapping" in error.message:  # the reader's words are about RDFs
            raise BmzcardError("the YAML header is not a mapping of fields", path=where) from None
        raise
    return {str(key): value for key, value in data.items()}


def _evaluations(model_index: Any, card: HubCard) -> list[tuple[str, list[Any]]]:
    """Each model-index entry through huggingface_hub's own reader; malformed entries are reported."""
    from huggingface_hub.repocard_data import model_index_to_eval_results

    if model_index is None:
        return []
    if not isinstance(model_index, list):
        card.lossy.append("model-index: not a list; no evaluation results read")
        return []
    read, count = [], 0
    for index, entry in enumerate(model_index):
        entry = _well_formed(entry, f"model-index[{index}]", card.lossy)
        if entry is None:
            continue
        try:
            name, results = model_index_to_eval_results([entry])
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            card.lossy.append(f"model-index[{index}]: malformed ({type(error).__name__}: {error}); skipped")
            continue
        count += len(results)
        if count > MAX_EVAL_RESULTS:
            raise BmzcardError(f"more than {MAX_EVAL_RESULTS:,} metric values", path=card.path, field="model-index")
        read.append((str(name), results))
    return read


def _well_formed(entry: Any, where: str, lossy: list[str]) -> dict | None:
    """A model-index entry with only its results and metrics of the shape huggingface_hub reads; the rest reported.

    One malformed result or metric costs itself only, and is named in words.
    """
    if not isinstance(entry, dict) or "name" not in entry or not isinstance(entry.get("results"), list):
        lossy.append(f"{where}: not an entry with a name and a list of results; skipped")
        return None
    results = []
    for number, result in enumerate(entry["results"]):
        at = f"{where}.results[{number}]"
        task, dataset = (result.get(key) if isinstance(result, dict) else None for key in ("task", "dataset"))
        if not (isinstance(task, dict) and "type" in task and isinstance(dataset, dict)
                and "type" in dataset and "name" in dataset and isinstance(result.get("metrics"), list)
                and isinstance(result.get("source") or {}, dict)):
            lossy.append(f"{at}: not a result with a task type, a dataset type and name, and a list of metrics; "
                         "skipped")
            continue
        metrics = []
        for position, metric in enumerate(result["metrics"]):
            if isinstance(metric, dict) and "type" in metric and "value" in metric:
                metrics.append(metric)
            else:
                lossy.append(f"{at}.metrics[{position}]: not a metric with a type and a value; skipped")
        results.append({**result, "metrics": metrics})
    return {**entry, "results": results}


# --- Hub card -> RDF fields -------------------------------------------------


@dataclass
class RdfFields:
    """RDF fields recovered from a Hub card, and what could not be carried over."""

    fields: dict[str, Any]  # top-level RDF keys; card fields under fields["config"]["bioimageio"]
    lossy: list[str]
    source_sha256: str | None = None  # the RDF the card was exported from, as the card says


def rdf_fields(card: HubCard) -> RdfFields:
    """Map a Hub card's header back to RDF fields (the reverse of `export hf`'s mapping)."""
    header = dict(card.header)
    lossy = list(card.lossy)
    fields: dict[str, Any] = {}
    config: dict[str, Any] = {}
    namespace = header.pop(NAMESPACE, None)
    sha256 = None
    if isinstance(namespace, dict):
        for key in ("id", "version", "format_version"):
            if _scalar(namespace.get(key)):
                fields[key] = _text(namespace[key])
        if _scalar(namespace.get("task")):
            config["task"] = _text(namespace["task"])
        sha256 = _text(namespace["rdf_sha256"]) if _scalar(namespace.get("rdf_sha256")) else None
    elif namespace is not None:
        lossy.append(f"{NAMESPACE}: not a mapping; ignored")

    license_id = _license(header.pop("license", None), header.pop("license_name", None),
                          header.pop("license_link", None), lossy)
    if license_id:
        fields["license"] = license_id
    tags = _strings(header.pop("tags", None), "tags", lossy)
    tags = [t for t in tags if t not in ADDED_TAGS]
    if tags:
        fields["tags"] = tags
    pipeline = header.pop("pipeline_tag", None)
    if "task" not in config and _scalar(pipeline):
        if str(pipeline) in TASK_OF_PIPELINE:
            config["task"] = TASK_OF_PIPELINE[str(pipeline)]
            lossy.append(f"pipeline_tag: {pipeline!s} read as the task {config['task']!r} (the task's own words are not in the card)")
        else:
            lossy.append(f"pipeline_tag: {_text(pipeline)!r} is no bioimage task bmzcard knows; not carried over")
    bases = _strings(header.pop("base_model", None), "base_model", lossy)
    if bases:
        fields["parent"] = {"id": HUB_ID_PREFIX + bases[0]}
        lossy += [f"base_model: {b!r} dropped (an RDF has one parent)" for b in bases[1:]]
    datasets = _strings(header.pop("datasets", None), "datasets", lossy)
    if datasets:
        fields["training_data"] = {"id": HUB_ID_PREFIX + datasets[0]}
        lossy += [f"datasets: {d!r} dropped (an RDF has one training_data)" for d in datasets[1:]]
    header.pop("model-index", None)
    evaluations = _rdf_evaluations(card.evaluations, lossy)
    if evaluations:
        config["evaluations"] = evaluations
    impact = _impact(header.pop("co2_eq_emissions", None), lossy)
    if impact:
        config["environmental_impact"] = impact
    if header.pop("library_name", None) is not None:
        lossy.append("library_name: not carried over (an RDF's weight formats say which framework runs it)")
    for key in header:
        lossy.append(f"{key}: no place for it in an RDF")
    if config:
        fields["config"] = {"bioimageio": config}
    return RdfFields(fields, lossy, sha256)


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool) and len(str(value)) <= MAX_TEXT_CHARS


def _text(value: Any) -> str:
    return " ".join(str(value).split())


def _strings(value: Any, key: str, lossy: list[str]) -> list[str]:
    """A list of short strings (a lone string counts as a list of one); other entries reported."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    kept = []
    for index, item in enumerate(items):
        if isinstance(item, str) and item.strip() and len(item) <= MAX_TEXT_CHARS:
            if item not in kept:
                kept.append(item)
        else:
            lossy.append(f"{key}[{index}]: not a short string; dropped")
    return kept


def _license(license_id: Any, name: Any, link: Any, lossy: list[str]) -> str | None:
    """The SPDX identifier a Hub license stands for; reported when there is none."""
    if license_id is None:
        return None
    if not _scalar(license_id):
        lossy.append("license: not a string; dropped")
        return None
    hub_id = str(license_id).strip().lower()
    if hub_id == "other":
        if not _scalar(name):
            lossy.append("license: `other` without a license_name; no license carried over")
            return None
        known = spdx_licenses().get(str(name).strip().lower())
        if known is None:
            lossy.append(f"license_name: {_text(name)!r} is no SPDX identifier"
                         + (f" (license_link {_text(link)})" if _scalar(link) else "") + "; no license carried over")
            return None
        return known.id
    if hub_id not in hub_licenses():
        lossy.append(f"license: {_text(license_id)!r} is not a license the Hub accepts; dropped")
        return None
    known = spdx_licenses().get(hub_id)
    if known is None:
        lossy.append(f"license: the Hub's {hub_id!r} ({hub_licenses()[hub_id]}) is no SPDX identifier; dropped")
        return None
    return known.id


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _rdf_evaluations(groups: list[tuple[str, list[Any]]], lossy: list[str]) -> list[dict[str, Any]]:
    """`config.bioimageio.evaluations` entries: one per dataset and split, factors from dataset configs."""
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for _, results in groups:
        for result in results:
            dataset = _text(result.dataset_type)
            split = _text(result.dataset_split) if result.dataset_split is not None else "unknown"
            if split not in DATASET_ROLES:
                lossy.append(f"model-index: dataset {dataset!r} split {split!r} is no bioimage.io dataset role; "
                             "read as 'unknown'")
                split = "unknown"
            entry = entries.setdefault((dataset, split), {"dataset_id": dataset, "dataset_role": split,
                                                          "evaluation_factors": [], "metrics": [], "cells": {}})
            factor = _text(result.dataset_config) if result.dataset_config is not None else "Overall"
            metric = _text(result.metric_name or result.metric_type)
            value = result.metric_value
            if _number(value) is None:
                if isinstance(value, str) and 0 < len(value) <= MAX_TEXT_CHARS:
                    lossy.append(f"model-index: {metric} at {factor} on {dataset} is not a number ({value!r}); "
                                 "kept as text")
                    value = _text(value)
                else:
                    lossy.append(f"model-index: {metric} at {factor} on {dataset} has no usable value; dropped")
                    continue
            for key, item in (("evaluation_factors", factor), ("metrics", metric)):
                if item not in entry[key]:
                    entry[key].append(item)
            entry["cells"][(metric, factor)] = value
    evaluations = []
    for index, entry in enumerate(entries.values()):
        cells = entry.pop("cells")
        entry["results"] = [[cells.get((m, f), "n/a") for f in entry["evaluation_factors"]] for m in entry["metrics"]]
        missing = [f"{m} at {f}" for m in entry["metrics"] for f in entry["evaluation_factors"] if (m, f) not in cells]
        if missing:
            lossy.append(f"evaluations[{index}]: no value for {', '.join(missing)} (written as 'n/a')")
        lossy.append(f"evaluations[{index}]: dataset_source, sample_count, evaluation_factors_long and "
                     "metrics_long are not on the Hub; fill them in before adding the entry to an RDF")
        evaluations.append(entry)
    return evaluations


def _impact(emissions: Any, lossy: list[str]) -> dict[str, Any]:
    """`config.bioimageio.environmental_impact` from `co2_eq_emissions` (grams -> kg)."""
    if emissions is None:
        return {}
    if not isinstance(emissions, dict):
        emissions = {"emissions": emissions}
    impact: dict[str, Any] = {}
    grams = _number(emissions.get("emissions"))
    if grams is not None:
        impact["co2_emitted"] = decimal_scale(grams, -1000)
    elif "emissions" in emissions:
        lossy.append("co2_eq_emissions.emissions: not a number; dropped")
    for hub_key, rdf_key in (("hardware_used", "hardware_type"), ("geographical_location", "compute_region")):
        if _scalar(emissions.get(hub_key)):
            impact[rdf_key] = _text(emissions[hub_key])
    for key in emissions:
        if key not in ("emissions", "hardware_used", "geographical_location"):
            lossy.append(f"co2_eq_emissions.{key}: no place for it in an RDF")
    return impact
