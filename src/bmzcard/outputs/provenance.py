"""The provenance sidecar: which source gave each value of a card.

Written beside the card as `<card name>.bmzcard.json` (`README.md.bmzcard.json`).
It lists every fact bmzcard wrote, with its sources, what it was built from,
and the hash of the card text it describes; reading it back is
`bmzcard.sources.sidecar`. An unchanged re-run writes the
same bytes: there is no time stamp.

`commit_card` writes a card and its sidecar as one change. The sidecar goes
first, naming the card it replaces (its hash and that card's facts); then the
card; then the sidecar without that note. A run stopped after the first write
leaves a card whose hash is the one named as replaced, which the next
`generate` recognises (`bmzcard.generate`), instead of taking bmzcard's own
values for human edits.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bmzcard.facts import Fact
from bmzcard.outputs.files import atomic_write, backup
from bmzcard.sources.package import refuse_link_outside
from bmzcard.sources.sidecar import SCHEMA, sidecar_path, text_sha256
from bmzcard.version import __version__


#: Sections of a sidecar that describe one card text; other sections (an evaluation record) are kept.
_PER_CARD = ("schema", "bmzcard_version", "written_at", "inputs", "facts", "card_sha256", "replacing")


def sidecar_data(facts: dict[str, Fact], inputs: dict[str, Any], card_text: str,
                 keep: dict[str, Any] | None = None) -> dict[str, Any]:
    """The sidecar of `card_text`; `keep`: an earlier sidecar whose other commands' sections stay."""
    data = {k: v for k, v in (keep or {}).items() if k not in _PER_CARD}
    data.update(
        {
            "schema": SCHEMA,
            "bmzcard_version": __version__,
            "card_sha256": text_sha256(card_text),
            "inputs": inputs,
            "facts": [facts[key].to_json() for key in sorted(facts)],
        }
    )
    return data


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def commit_card(card: Path, text: str, sidecar: dict[str, Any], replaced: dict[str, Any]) -> Path | None:
    """Write `text` to `card` and `sidecar` beside it as one change; return the old card's backup.

    Parameters
    ----------
    card, text
        The card and its new text.
    sidecar
        The new sidecar (`sidecar_data` of `text`, possibly with more sections).
    replaced
        The sidecar as it was (`{}` when none): its facts describe the card
        being replaced, kept in the sidecar until the new card is written.

    Files already holding these exact bytes are not touched (no backup either).
    """
    refuse_link_outside(card, card.parent)
    side = sidecar_path(card)
    final = _json(sidecar)
    old_card = card.read_text(encoding="utf-8", errors="replace") if card.is_file() else None
    saved = None
    if old_card != text:
        if old_card is not None:
            journal = dict(sidecar, replacing={"card_sha256": text_sha256(old_card),
                                               "facts": replaced.get("facts", [])})
            atomic_write(side, _json(journal))  # first: a folder that refuses it leaves everything as it was
            saved = backup(card)
        atomic_write(card, text)
    if old_card != text or not side.is_file() or side.read_text(encoding="utf-8", errors="replace") != final:
        atomic_write(side, final)
    return saved


def sidecar_after_edit(sidecar: dict[str, Any], before: str, after: str) -> dict[str, Any]:
    """The sidecar of a card that bmzcard itself reformatted (`check --fix`) from `before` to `after`.

    A value that was bmzcard's before the edit (as written in the sidecar) and
    that the edit changed is recorded as it now stands, so later `generate`
    runs still recognise it as bmzcard's rather than a human's.
    """
    from bmzcard.card.fill import current_values, same_value
    from bmzcard.sources.readme import parse_card

    old, new = current_values(parse_card(before)), current_values(parse_card(after))
    facts = []
    for fact in sidecar.get("facts", []):
        key = fact["key"]
        if key in old and key in new and same_value(old[key], fact["value"]) and not same_value(old[key], new[key]):
            fact = dict(fact, value=new[key])
        facts.append(fact)
    return dict(sidecar, facts=facts, card_sha256=text_sha256(after))
