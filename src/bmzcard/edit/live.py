"""One live update: parse the edited card, run the check rules, render the preview.

This is all the server does while the author types, so `bench/bench_edit.py`
times exactly `live_view` against `check` plus `render` run separately.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bmzcard.edit.form import field_at
from bmzcard.lint.engine import FileReport, check_card
from bmzcard.lint.findings import Finding
from bmzcard.lint.registry import Entry
from bmzcard.lint.rule import CardContext
from bmzcard.outputs.html import render_html
from bmzcard.sources.package import Package
from bmzcard.sources.readme import CardDocument, parse_card


@dataclass
class LiveView:
    """What the page shows beside the form: findings (each with its control), score, preview."""

    document: CardDocument
    report: FileReport
    preview: str  # a whole HTML document, exactly what `bmzcard render` writes
    controls: list[str | None]  # the control of each finding, in `report.findings` order

    @property
    def findings(self) -> list[tuple[Finding, str | None]]:
        return list(zip(self.report.findings, self.controls))

    def count(self, severity: str) -> int:
        return sum(1 for finding in self.report.findings if finding.severity.label == severity)

    @property
    def score(self) -> float:
        return self.report.completeness.overall if self.report.completeness else 0.0


def live_view(
    text: str,
    card: Path,
    *,
    rdf: dict | None,
    entries: list[Entry],
    images_from: Path | Package | None,
    card_name: str,
) -> LiveView:
    """Check and render the card text as it stands in the editor.

    `images_from` and `card_name` are what `bmzcard render` passes for the same
    input (the package or the card's folder, the card's path inside it), so the
    preview is byte for byte the page `render` writes for the card's text.
    """
    document = parse_card(text)
    context = CardContext(str(card), document, rdf=rdf, root=card.parent)
    report = check_card(context, entries)
    controls = [field_at(document, finding.line - 1) for finding in report.findings]
    score = report.completeness.overall if report.completeness else None
    page = render_html(text, package=images_from, card_name=card_name, metadata=rdf, score=score)
    return LiveView(document, report, page.html, controls)
