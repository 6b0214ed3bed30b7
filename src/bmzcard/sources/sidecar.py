"""Read the provenance sidecar a card keeps beside it: which source gave each value.

Written by `bmzcard.outputs.provenance` as `<card name>.bmzcard.json`
(`README.md.bmzcard.json`). It is a source like the card itself: `generate`
reads it back to tell its own earlier values from human edits and to keep
earlier measurements, `check --verify` reads the evaluation record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
