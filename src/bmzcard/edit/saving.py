"""Saving an edited card through the output stage, the one place `edit` writes files.

The card goes out as `generate` writes it (backup, atomic write) and its
provenance sidecar is updated so that what the author changed is the author's:
a fact bmzcard recorded for a field whose value the author replaced is dropped
from the sidecar, so a later `generate` sees a human value there and keeps it.
Card fields that the RDF holds as text under `config.bioimageio` are written
back there too (only their lines change; comments, key order and unknown
fields stay byte for byte), and a `documentation.sha256` that pins the card is
updated. The RDF is edited and validated before anything is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bmzcard.card.placeholders import is_placeholder_body, is_placeholder_value
from bmzcard.edit.form import card_value, template_keys
from bmzcard.facts import Fact
from bmzcard.outputs.files import atomic_write, backup
from bmzcard.outputs.provenance import commit_card, sidecar_data
from bmzcard.sources.sidecar import read_sidecar, sidecar_path
from bmzcard.sources.package import Package
from bmzcard.sources.readme import MAX_CARD_BYTES, CardDocument, decode_card, parse_card
from bmzcard.sources.sidecar import text_sha256
from bmzcard.template import TEMPLATE

# Card fields whose text the RDF can hold as is, and where under `config.bioimageio`
# (bioimageio.spec's `BioimageioConfig`; `sources/rdf_facts.py` reads them back).
RDF_CARD_FIELDS: dict[str, tuple[str, ...]] = {
    "model_description.funded_by": ("funded_by",),
    "out_of_scope_use": ("out_of_scope_use",),
    "known_biases": ("bias_risks_limitations", "known_biases"),
    "risks": ("bias_risks_limitations", "risks"),
    "limitations": ("bias_risks_limitations", "limitations"),
    "recommendations": ("bias_risks_limitations", "recommendations"),
    "speeds_sizes_times.inference_time": ("inference_time",),
    "speeds_sizes_times.memory_requirements": ("memory_requirements_inference",),
    "hardware_requirements.training": ("memory_requirements_training",),
    "environmental_impact.hardware_type": ("environmental_impact", "hardware_type"),
    "environmental_impact.cloud_provider": ("environmental_impact", "cloud_provider"),
    "environmental_impact.compute_region": ("environmental_impact", "compute_region"),
}
AUTHOR_EDITS = "author_edits"  # the sidecar's list of keys the author changed in `bmzcard edit`


@dataclass
class SaveResult:
    """What a save did, or the card on disk when it changed since the editor loaded it."""

    saved: bool
    disk_sha256: str  # the card on disk now
    written: list[str] = field(default_factory=list)  # what was written, in words
    conflict: str | None = None  # the card's text on disk, when saving was refused


def recorded_facts(card: Path) -> list:
    """The facts the card's sidecar records (JSON entries with key, value and sources); [] without one."""
    facts = read_sidecar(card).get("facts", [])
    return facts if isinstance(facts, list) else []


def read_disk(card: Path) -> tuple[str, str]:
    """The card's text and the sha256 of its bytes ("" and the empty hash when it does not exist)."""
    if not card.exists():
        return "", text_sha256("")
    with card.open("rb") as stream:
        data = stream.read(MAX_CARD_BYTES + 1)  # decode_card refuses anything longer
    return decode_card(data, card).text, hashlib.sha256(data).hexdigest()


def save_card(
    card: Path,
    package: Package | None,
    *,
    base_text: str,
    base_sha256: str,
    text: str,
    overwrite: str | None = None,
) -> SaveResult:
    """Write the edited card (and its RDF fields) unless the card on disk is no longer `base_sha256`.

    `overwrite` is the sha256 of a conflicting version the author has seen and
    chosen to replace: saving goes ahead when the card on disk is still that one.

    Raises
    ------
    BmzcardError
        When the RDF would not validate with the new values, or a file cannot be
        written; nothing is written then.
    """
    disk_text, disk_sha = read_disk(card)
    if overwrite is not None and overwrite == disk_sha:
        base_text, base_sha256 = disk_text, disk_sha  # the author's changes are now relative to it
    if disk_sha != base_sha256:
        return SaveResult(False, disk_sha, conflict=disk_text)
    if text == disk_text:
        return SaveResult(False, disk_sha)
    before, after = parse_card(base_text), parse_card(text)
    changed = [key for key in template_keys() if _norm(card_value(before, key)) != _norm(card_value(after, key))]
    rdf_text = _rdf_text(package, card, after, changed, text)
    result = SaveResult(True, text_sha256(text))
    saved = _write_card(card, text, after, changed)
    result.written.append(card.name)
    if saved is not None:
        result.written.append(f"backup {saved.name}")
    if sidecar_path(card).is_file():
        result.written.append(sidecar_path(card).name)
    if rdf_text is not None:
        from bmzcard.outputs.rdf_config import write_rdf

        write_rdf(package, rdf_text)
        result.written.append(f"{package.rdf_name} (backup kept)")
    return result


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def _rdf_text(package: Package | None, card: Path, document: CardDocument, changed: list[str], text: str) -> str | None:
    """The RDF with the changed card fields under `config.bioimageio` (validated), or None when unchanged."""
    if package is None or package.is_zip:
        return None
    from ruamel.yaml.scalarstring import LiteralScalarString

    from bmzcard.generate import pinned_documentation
    from bmzcard.outputs.rdf_config import CONFIG_PATH, rdf_text_with_values
    from bmzcard.sources.rdf import read_raw
    from bmzcard.sources.rdf_facts.written import bioimageio_config

    raw = read_raw(package)
    config = bioimageio_config(raw)
    updates: dict[tuple[str, ...], Any] = {}
    for key in changed:
        path = RDF_CARD_FIELDS.get(key)
        value = card_value(document, key)
        if path is None or value is None or _is_placeholder(key, value):
            continue  # a cleared field leaves the RDF as it was: bmzcard never writes TODO into an RDF
        node: Any = config
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None or _norm(str(node)) != _norm(value):
            updates[(*CONFIG_PATH, *path)] = LiteralScalarString(value) if "\n" in value else value
    pinned = pinned_documentation(raw, package, card)
    if pinned is not None and pinned != text_sha256(text):
        updates[("documentation", "sha256")] = text_sha256(text)
    return rdf_text_with_values(package, updates) if updates else None


def _is_placeholder(key: str, value: str) -> bool:
    if "." in key:
        return is_placeholder_value(value)
    return is_placeholder_body(value.split("\n"), TEMPLATE.section(key))


def _write_card(card: Path, text: str, document: CardDocument, changed: list[str]) -> Path | None:
    """Write the card (with its sidecar, as one change, when it has one); return the old card's backup.

    The sidecar drops the recorded facts the author replaced and notes the author's keys.
    """
    data = read_sidecar(card)
    if not data:
        saved = backup(card) if card.exists() else None
        atomic_write(card, text)
        return saved
    facts = {}
    for entry in data.get("facts", []):
        fact = Fact.from_json(entry)
        if fact.key in changed and _norm(card_value(document, fact.key)) != _norm(fact.value):
            continue  # no longer bmzcard's value: a later generate must keep the author's
        facts[fact.key] = fact
    keep = dict(data, **{AUTHOR_EDITS: sorted(set(data.get(AUTHOR_EDITS, [])) | set(changed))})
    return commit_card(card, text, sidecar_data(facts, data.get("inputs", {}), text, keep=keep), replaced=data)



# -- drafts: unsaved text kept beside the card, restored on the next start ----------

DRAFT_SCHEMA = "bmzcard.draft/1"


@dataclass
class Draft:
    text: str  # the edited card
    base_text: str  # the card as it was on disk when the editing started
    base_sha256: str


def draft_path(card: Path) -> Path:
    return card.with_name(card.name + ".bmzcard-draft.json")


def write_draft(card: Path, draft: Draft) -> None:
    """Keep unsaved text (atomically: a killed server leaves the last complete draft)."""
    from bmzcard.outputs.files import write_json

    write_json(draft_path(card), {"schema": DRAFT_SCHEMA, "text": draft.text, "base_text": draft.base_text,
                                  "base_sha256": draft.base_sha256})


def read_draft(card: Path) -> Draft | None:
    """The draft beside the card, or None when there is none or it is not a bmzcard draft."""
    import json

    path = draft_path(card)
    try:
        if path.stat().st_size > 3 * MAX_CARD_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != DRAFT_SCHEMA:
            return None
        return Draft(str(data["text"]), str(data["base_text"]), str(data["base_sha256"]))
    except (OSError, ValueError, KeyError, AttributeError):
        return None


def drop_draft(card: Path) -> None:
    draft_path(card).unlink(missing_ok=True)
