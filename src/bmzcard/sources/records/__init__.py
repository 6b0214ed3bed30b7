"""Records of earlier bmzcard runs as facts: `measure --json`, `track`, `carbon --json`.

`generate --record FILE` reads them, and `generate` picks up a
`bmzcard-track.json` lying beside the RDF by itself, so a training run tracked
with `bmzcard track --training` fills Environmental Impact and Training time.
Each kind is read here (records are a source, like the RDF): `measurement`
and `track` turn their records into facts, `bmzcard.carbon` its estimates.
"""

from __future__ import annotations

from pathlib import Path

from bmzcard.carbon import Estimate, estimate_facts
from bmzcard.errors import BmzcardError
from bmzcard.facts import Fact
from bmzcard.sources.limits import load_json
from bmzcard.sources.paths import relative_to_card
from bmzcard.sources.records.measurement import measurement_facts
from bmzcard.sources.records.track import TRACK_RECORD, track_facts

MAX_RECORD_BYTES = 5_000_000


def record_kind(content: dict) -> str:
    """`measure`, `track` or `carbon`, told from the keys each command writes."""
    if "weights" in content and "inference" in content:
        return "measure"
    if "measured" in content and "wall_hours" in content:
        return "track"
    if "tdp_w" in content and "co2_kg" in content:
        return "carbon"
    raise BmzcardError("not a record of bmzcard measure, track or carbon")


def facts_from_record(path: Path, card_dir: Path | None = None) -> list[Fact]:
    """The card facts a record gives; a clear error for anything else.

    Their provenance names the record by its path from ``card_dir`` (the
    card's folder) when given, as the sidecar stores it.
    """
    try:
        if path.stat().st_size > MAX_RECORD_BYTES:
            raise BmzcardError(f"larger than the {MAX_RECORD_BYTES:,} bytes a bmzcard record may have", path=path)
        content = load_json(path.read_text(encoding="utf-8"), path)
    except OSError as error:
        raise BmzcardError(f"cannot read: {error.strerror}", path=path) from None
    except UnicodeDecodeError as error:
        raise BmzcardError(f"not UTF-8 text (byte {error.start})", path=path) from None
    if not isinstance(content, dict):
        raise BmzcardError("not a record of bmzcard measure, track or carbon", path=path)
    try:
        kind = record_kind(content)
    except BmzcardError as error:
        raise BmzcardError(error.message, path=path) from None
    where = str(path) if card_dir is None else relative_to_card(path, card_dir)
    try:
        if kind == "measure":
            return measurement_facts(content, where=where)
        if kind == "track":
            return track_facts(content, where=where)
        return estimate_facts(Estimate.from_json(content), where=where)
    except (AttributeError, KeyError, TypeError, ValueError) as error:  # a record of the wrong shape
        raise BmzcardError(f"incomplete {kind} record ({error})", path=path) from None


def discovered_records(folder: Path) -> list[Path]:
    """Records generate uses without being told: a track record beside the RDF."""
    candidate = folder / TRACK_RECORD
    return [candidate] if candidate.is_file() else []
