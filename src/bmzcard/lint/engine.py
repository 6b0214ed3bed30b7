"""Run the selected rules on cards and collect one report per card.

Many cards are checked in worker processes (each card is independent and
checking is CPU-bound); a few are checked in this process, where starting
workers would cost more than it saves.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable

from bmzcard.errors import BmzcardError
from bmzcard.lint.findings import Finding, Severity
from bmzcard.lint.inputs import Target, load
from bmzcard.lint.registry import BY_CODE, Entry
from bmzcard.lint.rule import CardContext
from bmzcard.lint.rules.structure import is_empty
from bmzcard.lint.score import Completeness, completeness

# Below this many cards, workers cost more to start than they save.
PARALLEL_FROM = 48


@dataclass
class FileReport:
    """The outcome for one card: findings and score, or why it could not be read."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    completeness: Completeness | None = None
    error: str | None = None
    note: str | None = None  # about the check itself ("no RDF found")

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def has_errors(self) -> bool:
        return any(f.severity >= Severity.ERROR for f in self.findings)


def check_card(card: CardContext, entries: Iterable[Entry]) -> FileReport:
    """Run rules on one loaded card; an empty card gets only the empty-card finding."""
    entries = list(entries)
    if is_empty(card):
        entries = [e for e in entries if e.code == "S007"]
    findings = []
    for entry in entries:
        rule = entry.rule
        if rule is None or (rule.needs_rdf and card.rdf is None) or (rule.needs_network and not card.online):
            continue
        for violation in rule().check(card):
            findings.append(
                Finding(
                    path=card.path,
                    line=violation.line + 1,
                    column=violation.column + 1,
                    code=entry.code,
                    severity=violation.severity or rule.severity,
                    message=violation.message,
                )
            )
    findings.sort(key=lambda f: (f.line, f.column, f.code))  # stable: a rule's own order breaks ties
    return FileReport(card.path, findings, completeness(card), note=card.note)


def check_target(target: Target, codes: tuple[str, ...], online: bool = False,
                 allow_code: bool = False) -> FileReport:
    """Load and check one target; an unreadable one gives a report with its error."""
    try:
        card = load(target, online=online, allow_code=allow_code)
    except BmzcardError as error:
        return FileReport(error.path or target.path, error=error.message)
    return check_card(card, [BY_CODE[code] for code in codes])


def check_targets(
    targets: list[Target],
    entries: list[Entry],
    *,
    online: bool = False,
    allow_code: bool = False,
    jobs: int | None = None,
    progress: Callable[[FileReport], None] | None = None,
) -> list[FileReport]:
    """Check every target, in parallel when there are many; reports in the targets' order.

    Parameters
    ----------
    targets
        What `inputs.discover` found.
    entries
        The rules to run.
    online
        Let rules use the network.
    allow_code
        Let rules that run the model run Python from the package (the user's `--allow-code`).
    jobs
        Worker processes; None chooses (one process below `PARALLEL_FROM` targets).
    progress
        Called with each report as it is done.
    """
    codes = tuple(e.code for e in entries)
    if jobs is None:  # automatic: workers only where they pay for their start
        jobs = min(os.cpu_count() or 1, 8) if len(targets) >= PARALLEL_FROM else 1
    workers = min(jobs, len(targets))
    reports: list[FileReport] = []
    if workers <= 1:
        for target in targets:
            reports.append(check_target(target, codes, online, allow_code))
            if progress:
                progress(reports[-1])
        return reports
    chunk = max(1, len(targets) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(check_target, targets, [codes] * len(targets), [online] * len(targets),
                           [allow_code] * len(targets), chunksize=chunk)
        for report in results:
            reports.append(report)
            if progress:
                progress(report)
    return reports
