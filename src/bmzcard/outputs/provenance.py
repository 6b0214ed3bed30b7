"""The provenance sidecar: which source gave each value of a card.

Written beside the card as `<card name>.bmzcard.json` (`README.md.bmzcard.json`).
It lists every fact bmzcard wrote, with its sources, plus what it was built
from; `generate` reads it back to tell its own earlier values from human edits,
and `check`/`evaluate` read it to compare and re-compute.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bmzcard import __version__
from bmzcard.facts import Fact

SCHEMA = "bmzcard.provenance/1"


def sidecar_path(card: Path) -> Path:
    return card.with_name(card.name + ".bmzcard.json")


def read_sidecar(card: Path) -> dict[str, Any]:
    """The sidecar's content, or an empty record when there is none or it is unreadable."""
    path = sidecar_path(card)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("schema") == SCHEMA else {}


def previous_values(card: Path) -> dict[str, str]:
    """What bmzcard wrote into this card last time, by field key."""
    return {f["key"]: f["value"] for f in read_sidecar(card).get("facts", []) if "key" in f and "value" in f}


def sidecar_text(facts: dict[str, Fact], inputs: dict[str, Any], keep: dict[str, Any] | None = None) -> str:
    """The sidecar as JSON text; `keep` carries sections other commands own (e.g. evaluations)."""
    data = dict(keep or {})
    data.update(
        {
            "schema": SCHEMA,
            "bmzcard_version": __version__,
            "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "inputs": inputs,
            "facts": [facts[key].to_json() for key in sorted(facts)],
        }
    )
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
