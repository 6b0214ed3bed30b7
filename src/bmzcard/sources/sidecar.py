"""Read the provenance sidecar a card keeps beside it: which source gave each value.

Written by `bmzcard.outputs.provenance` as `<card name>.bmzcard.json`
(`README.md.bmzcard.json`). It is a source like the card itself: `generate`
reads it back to tell its own earlier values from human edits and to keep
earlier measurements, `check --verify` reads the evaluation record.

A sidecar that cannot be read, or is not shaped as bmzcard writes it, is an
error naming it, never silently replaced: it may hold the only record of an
evaluation. `generate --force` starts over after backing it up.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from bmzcard.errors import BmzcardError
from bmzcard.sources.limits import load_json
from bmzcard.sources.package import refuse_link_outside

SCHEMA = "bmzcard.provenance/1"
MAX_SIDECAR_BYTES = 20_000_000
_SOURCE_KINDS = ("rdf", "file", "measurement", "evaluation", "computed", "human")
_START_OVER = "; repair it, or run `bmzcard generate --force` to start over (the old one is backed up)"


def sidecar_path(card: Path) -> Path:
    return card.with_name(card.name + ".bmzcard.json")


def text_sha256(text: str) -> str:
    """The hash a sidecar keeps of its card's text (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_sidecar(card: Path) -> dict[str, Any]:
    """The sidecar's content; empty when there is none.

    Raises
    ------
    BmzcardError
        Naming the sidecar, when it is a link out of the card's folder, too
        large, not UTF-8 JSON, nested too deep, or not shaped as bmzcard writes it.
    """
    path = sidecar_path(card)
    if not path.exists() and not path.is_symlink():
        return {}
    refuse_link_outside(path, card.parent)
    try:
        if not path.is_file():
            raise BmzcardError("is not a file" + _START_OVER, path=path)
        if path.stat().st_size > MAX_SIDECAR_BYTES:
            raise BmzcardError(f"larger than the {MAX_SIDECAR_BYTES:,} bytes a sidecar may have" + _START_OVER,
                               path=path)
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise BmzcardError(f"cannot read: {error.strerror}", path=path) from None
    except UnicodeDecodeError as error:
        raise BmzcardError(f"not UTF-8 text (byte {error.start})" + _START_OVER, path=path) from None
    try:
        data = load_json(text, path)
    except BmzcardError as error:
        raise BmzcardError(error.message + _START_OVER, path=path) from None
    problem = _shape_problem(data)
    if problem is not None:
        field, message = problem
        raise BmzcardError(message + _START_OVER, path=path, field=field)
    return data


def _shape_problem(data: Any) -> tuple[str | None, str] | None:
    """What makes `data` not a sidecar bmzcard wrote: (field, message), or None."""
    if not isinstance(data, dict):
        return None, "not a bmzcard provenance sidecar (a JSON object is expected)"
    if data.get("schema") != SCHEMA:
        return "schema", f"not a bmzcard provenance sidecar (schema {data.get('schema')!r}, expected {SCHEMA!r})"
    for name in ("inputs", "evaluation", "replacing"):
        if name in data and not isinstance(data[name], dict):
            return name, "must be a JSON object"
    if "card_sha256" in data and not isinstance(data["card_sha256"], str):
        return "card_sha256", "must be a string"
    for name, facts in (("facts", data.get("facts", [])), ("replacing.facts", data.get("replacing", {}).get("facts", []))):
        problem = _facts_problem(facts)
        if problem is not None:
            return f"{name}{problem[0]}", problem[1]
    return None


def _facts_problem(facts: Any) -> tuple[str, str] | None:
    if not isinstance(facts, list):
        return "", "must be a list of facts"
    for index, fact in enumerate(facts):
        if not isinstance(fact, dict) or not isinstance(fact.get("key"), str) or not isinstance(fact.get("value"), str):
            return f"[{index}]", "must be an object with a string key and value"
        sources = fact.get("sources")
        if not isinstance(sources, list) or not all(
            isinstance(s, dict) and s.get("kind") in _SOURCE_KINDS and isinstance(s.get("where"), str)
            and isinstance(s.get("detail", ""), str) and set(s) <= {"kind", "where", "detail"}
            for s in sources
        ):
            return f"[{index}].sources", f"must be a list of {{kind, where, detail}} with kind one of {_SOURCE_KINDS}"
    return None


def previous_values(sidecar: dict[str, Any]) -> dict[str, str]:
    """What bmzcard wrote into the card last time, by field key, from a sidecar read by `read_sidecar`."""
    return {f["key"]: f["value"] for f in sidecar.get("facts", [])}


def sidecar_rdf(card: Path, sidecar: dict[str, Any] | None = None) -> Path | None:
    """The RDF file the card's sidecar names, when it still exists.

    Looked up from the card's folder first (the package moved with its card),
    then at the absolute path it had (a copy of the card elsewhere).
    """
    inputs = (read_sidecar(card) if sidecar is None else sidecar).get("inputs")
    if not isinstance(inputs, dict) or not isinstance(inputs.get("rdf"), str) or "!/" in inputs["rdf"]:
        return None
    for candidate in (card.parent / inputs["rdf"], inputs.get("rdf_absolute")):
        if isinstance(candidate, (str, Path)) and Path(candidate).is_file():
            return Path(candidate)
    return None

