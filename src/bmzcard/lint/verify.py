"""`bmzcard check --verify`: re-compute recorded evaluations and compare the card's numbers.

A card evaluated by `bmzcard evaluate --write-card` keeps an evaluation record
in its provenance sidecar (manifest and its hash, package, options, seed).
`--verify` runs rule V001, which re-runs that evaluation without writing
anything and reports every number of the card's results table that differs
from the re-computation by more than the precision the card shows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from bmzcard.lint.findings import Severity, Violation
from bmzcard.lint.results import parse_value, results_tables
from bmzcard.lint.rule import CardContext, Rule

VERIFY_CODE = "V001"


class RecomputedResults(Rule):
    """What it does
    ------------
    Re-computes the evaluation that `bmzcard evaluate` recorded beside the card
    (same manifest, model, threshold, metrics, bootstrap seed) and compares each
    number of the card's results table with the re-computed one. Runs only with
    `bmzcard check --verify`, because it runs the model.

    Why is this bad?
    ----------------
    A results table that no longer matches its own evaluation was edited by
    hand, copied from another run, or describes other data or weights: the
    reviewer cannot trust any number in it.

    Example
    -------
    ```markdown
    | Metric | Overall |
    |---|---|
    | Dice | 0.95 ± 0.02 |
    ```
    where re-running the recorded evaluation gives `0.91 ± 0.02`.

    Use instead
    -----------
    Re-run `bmzcard evaluate ... --write-card` to write the numbers the model
    really reaches, or explain in the card where other numbers come from.
    """

    name = "recomputed-results"
    family = "verify"
    severity = Severity.ERROR
    summary = "A number of the results table differs from its re-computed evaluation."

    def check(self, card: CardContext) -> Iterator[Violation]:
        from bmzcard.evaluate.recompute import recompute_entry
        from bmzcard.sources.sidecar import read_sidecar

        record = read_sidecar(Path(card.path)).get("evaluation")
        if not record:
            yield Violation(0, "no evaluation recorded by `bmzcard evaluate` beside this card; nothing to verify",
                            severity=Severity.WARNING)
            return
        # consent to run package code is this command line's, never the recorded run's
        options = record.get("options") if isinstance(record.get("options"), dict) else {}
        entry, manifest_sha256 = recompute_entry(dict(record, options=dict(options, allow_code=card.allow_code)),
                                                   Path(card.path).parent)
        if manifest_sha256 != record.get("manifest_sha256"):
            yield Violation(0, f"the manifest {record['manifest']} changed since the card's evaluation",
                            severity=Severity.WARNING)
        written = {
            (value.metric_label, value.condition): value
            for table in results_tables(card.document)
            for value in table.values
        }
        for metric, row in zip(entry["metrics"], entry["results"]):
            for factor, cell in zip(entry["evaluation_factors"], row):
                yield from _compare(metric, factor, cell, written.get((metric, factor)))


def _compare(metric: str, factor: str, cell: str, value) -> Iterator[Violation]:
    expected = parse_value(cell)
    if expected is None:  # n/a: nothing to compare
        return
    if value is None:
        yield Violation(0, f"{metric} / {factor}: re-computed {cell}, but the card's results table has no such cell")
        return
    tolerance = _half_last_digit(value.text)
    mean, spread, _ = expected
    if abs(value.mean - mean) > tolerance or (
        value.spread is not None and spread is not None and abs(value.spread - spread) > tolerance
    ):
        yield Violation(value.line, f"{metric} / {factor}: the card says {value.text.strip()}, "
                        f"re-computed {cell}", column=value.column)


def _half_last_digit(text: str) -> float:
    """Half a unit of the last digit the card shows (0.005 for `0.91`), the rounding it allows."""
    decimals = max((len(d) for d in re.findall(r"\.(\d+)", text)), default=0)
    return 0.5 * 10.0**-decimals + 1e-12
