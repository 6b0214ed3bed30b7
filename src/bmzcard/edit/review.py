"""The reviewer's checklist: the findings a reviewer picks, with notes, as Markdown for the author."""

from __future__ import annotations

from bmzcard.edit.live import LiveView
from bmzcard.lint.findings import Severity


def checklist_markdown(view: LiveView, card_name: str, picked: list[int], notes: dict[int, str]) -> str:
    """A Markdown task list of the picked findings (indices into `view.findings`), each with its note."""
    title = view.document.section("title")
    name = title.title if title is not None else card_name
    report = view.report
    lines = [
        f"# Review checklist: {name}",
        "",
        f"Card `{card_name}`: completeness {view.score:.0%}; "
        f"{report.count(Severity.ERROR)} errors, {report.count(Severity.WARNING)} warnings, "
        f"{report.count(Severity.INFO)} infos found by `bmzcard check`.",
        "",
        "Please change:",
        "",
    ]
    findings = view.report.findings
    for index in picked:
        if not 0 <= index < len(findings):
            continue
        finding = findings[index]
        lines.append(f"- [ ] line {finding.line}, {finding.code} ({finding.severity.label}): {finding.message}")
        note = " ".join(notes.get(index, "").split())
        if note:
            lines.append(f"  Reviewer: {note}")
    if not any(0 <= i < len(findings) for i in picked):
        lines.append("- [ ] nothing picked: the reviewer asks for no change")
    return "\n".join(lines) + "\n"
