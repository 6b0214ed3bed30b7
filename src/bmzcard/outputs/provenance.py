"""The provenance sidecar: which source gave each value of a card.

Written beside the card as `<card name>.bmzcard.json` (`README.md.bmzcard.json`).
It lists every fact bmzcard wrote, with its sources, plus what it was built
from; reading it back is `bmzcard.sources.sidecar` (re-exported here).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from bmzcard.facts import Fact
from bmzcard.sources.sidecar import SCHEMA, previous_values, read_sidecar, sidecar_path
from bmzcard.version import __version__

__all__ = ["SCHEMA", "previous_values", "read_sidecar", "sidecar_path", "sidecar_text"]


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
