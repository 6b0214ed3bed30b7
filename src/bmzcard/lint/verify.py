"""`bmzcard check --verify`: re-compute recorded evaluations and compare the card's numbers.

Verification is to read the evaluation record a card's provenance sidecar keeps
(written by `bmzcard evaluate`: manifest and its hash, options, task, seed),
re-run `bmzcard.evaluate.evaluate` with those settings without writing
anything, and report every number of the card's results tables that differs
from the re-computed one beyond its tolerance (the digits the card shows). That
link is not built yet, so `--verify` stops with a clear message instead of
pretending to have checked anything.
"""

from __future__ import annotations

from bmzcard.errors import BmzcardError


def verify_available() -> None:
    """Raise a `BmzcardError` (exit 2): re-computing evaluations is not part of `check` yet."""
    raise BmzcardError(
        "--verify is not available yet: re-computing the evaluations a card records (with `bmzcard evaluate`) "
        "is not part of `bmzcard check` in this version; run `bmzcard check` without --verify"
    )
