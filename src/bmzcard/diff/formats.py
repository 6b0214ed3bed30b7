"""A diff report as text (terminal), Markdown (a pull-request comment) or JSON, all from one report.

Author text (values, card prose, messages that quote them) is escaped in the
Markdown output, so a field holding `<script>` or `|` cannot break out of
its table cell or inject HTML into the page that shows the comment.
"""

from __future__ import annotations

import enum
import json
from typing import Any

from bmzcard.diff.report import Change, DiffReport
from bmzcard.facts import md_code, md_text

SECTION_ORDER = ("identity", "interface", "weights", "test_tensors", "measurements", "metadata", "card")
SECTION_TITLES = {
    "identity": "Identity",
    "interface": "Interface (inputs and outputs)",
    "weights": "Weights",
    "test_tensors": "Test tensors",
    "measurements": "Measurements and impact",
    "metadata": "Other RDF fields",
    "card": "Card",
}
MAX_WORD_RUN = 12  # unchanged words shown around a change in word diffs


class DiffFormat(str, enum.Enum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


def render(report: DiffReport, fmt: DiffFormat) -> str:
    if fmt is DiffFormat.JSON:
        return json.dumps(report.to_json(), indent=2, ensure_ascii=False)
    if fmt is DiffFormat.MARKDOWN:
        return to_markdown(report)
    return to_text(report)


def _by_section(changes: list[Change]) -> list[tuple[str, list[Change]]]:
    grouped = []
    for section in SECTION_ORDER:
        found = [c for c in changes if c.section == section]
        if found:
            grouped.append((section, found))
    return grouped


def _headline(report: DiffReport) -> str:
    count, breaking = len(report.changes), len(report.breaking)
    metrics = len(report.metrics_changed)
    if not report.has_changes:
        return "No changes."
    parts = [f"{count} change{'s' if count != 1 else ''}", f"{breaking} breaking"]
    if metrics:
        parts.append(f"{metrics} metric value{'s' if metrics != 1 else ''} changed")
    return ", ".join(parts) + "."


def _side_line(side: dict[str, Any]) -> str:
    name = side.get("name") or "(no name)"
    version = side.get("version") or "no version"
    return f"{name} {version} ({side['source']}; {side['compared_as']})"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def _delta(value: float | None) -> str:
    return "—" if value is None else f"{value:+.4g}"


def _ci(row) -> str:
    return "—" if row.outside_ci is None else ("outside" if row.outside_ci else "inside")


def _runs_text(runs: list[list[str]], deleted: str, inserted: str, escape=lambda t: t) -> str:
    """A word diff: unchanged runs shortened to their ends, removed and added words marked."""
    pieces = []
    for op, text in runs:
        if op == "=":
            words = text.split()
            if len(words) > MAX_WORD_RUN:
                text = " ".join(words[: MAX_WORD_RUN // 2]) + " … " + " ".join(words[-MAX_WORD_RUN // 2 :])
            pieces.append(escape(text))
        elif op == "-":
            pieces.append(deleted.format(escape(text)))
        else:
            pieces.append(inserted.format(escape(text)))
    return " ".join(pieces)


def to_text(report: DiffReport) -> str:
    lines = [f"OLD: {_side_line(report.old)}", f"NEW: {_side_line(report.new)}"]
    if report.unrelated:
        lines.append("OLD and NEW are different models (names and authors differ): everything changed.")
    lines.append(_headline(report))
    for section, changes in _by_section(report.changes):
        lines += ["", f"{SECTION_TITLES[section]}:"]
        for change in changes:
            flag = "BREAKING " if change.breaking else ""
            lines.append(f"  {flag}{change.rule}: {change.message}")
            if change.detail and "words" in change.detail and change.kind == "changed":
                lines.append("    " + _runs_text(change.detail["words"], "[-{}-]", "{{+{}+}}"))
    if report.metrics:
        lines += ["", "Evaluation (old → new, change; CI = NEW inside OLD's 95% interval):"]
        for row in report.metrics:
            note = "" if row.comparable else "  (not comparable)"
            lines.append(
                f"  {row.dataset} {row.metric} [{row.level}]: {_number(row.old)} → {_number(row.new)} "
                f"({_delta(row.delta)}, CI {_ci(row)}){note}"
            )
    if _lint_changed(report):
        lines += ["", "Lint:"]
        if report.completeness:
            c = report.completeness
            lines.append(f"  completeness {_percent(c['old'])} → {_percent(c['new'])} ({_points(c['delta'])})")
        for finding in report.findings_new:
            lines.append(f"  new   {finding['code']} [{finding['severity']}] {finding['message']}")
        for finding in report.findings_fixed:
            lines.append(f"  fixed {finding['code']} [{finding['severity']}] {finding['message']}")
    if report.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  {w.rule}: {w.message}" for w in report.warnings]
    return "\n".join(lines)


def _lint_changed(report: DiffReport) -> bool:
    """Findings new or fixed, or a different completeness score: worth a Lint section."""
    moved = report.completeness is not None and bool(report.completeness.get("delta"))
    return bool(report.findings_new or report.findings_fixed or moved)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.1f} points"


def markdown_message(text: Any, *, in_table: bool = False) -> str:
    """A message quoting package text as literal Markdown: no markup, no HTML, no table breaks.

    Segments between backticks (the ids and values messages quote) become code
    spans (`md_code`), the rest literal text (`md_text`); a backtick that closes
    nothing is a literal backtick.
    """
    pieces = " ".join(str(text).split()).split("`")
    unpaired = pieces.pop() if len(pieces) % 2 == 0 else None
    out = [md_code(piece, in_table=in_table) if index % 2 else _spaced(md_text(piece), piece)
           for index, piece in enumerate(pieces)]
    if unpaired is not None:
        out.append(md_text("`" + unpaired))
    return "".join(out)


def _spaced(escaped: str, piece: str) -> str:
    """`escaped` with the space `piece` had before or after it (md_text trims it), so `a `x` b` keeps its words apart."""
    return (" " if piece.startswith(" ") else "") + escaped + (" " if piece.endswith(" ") and piece.strip() else "")


def to_markdown(report: DiffReport) -> str:
    e = markdown_message

    def cell(text: Any) -> str:
        return markdown_message(text, in_table=True)

    old, new = report.old, report.new
    lines = [
        f"### bmzcard diff: {e(old.get('name') or '(no name)')} {e(old.get('version') or '')} → "
        f"{e(new.get('name') or '(no name)')} {e(new.get('version') or '')}",
        "",
    ]
    if report.unrelated:
        lines += ["**OLD and NEW are different models** (names and authors differ): everything changed.", ""]
    headline = _headline(report)
    lines += [f"**{headline}**" if report.breaking else headline, ""]
    if report.breaking:
        lines += ["#### Breaking changes", ""]
        lines += [f"- :warning: `{c.rule}` {e(c.message)}" for c in report.breaking]
        lines.append("")
    rest = [c for c in report.changes if not c.breaking]
    if rest:
        lines += ["#### Changes", "", "| section | rule | change |", "|---|---|---|"]
        for change in rest:
            text = cell(change.message)
            if change.detail and "words" in change.detail and change.kind == "changed":
                text += "<br>" + _runs_text(change.detail["words"], "~~{}~~", "**{}**", cell)
            lines.append(f"| {SECTION_TITLES[change.section]} | `{change.rule}` | {text} |")
        lines.append("")
    if report.metrics:
        lines += ["#### Evaluation", "", "| dataset | metric | level | old | new | change | outside old 95% CI |",
                  "|---|---|---|---:|---:|---:|---|"]
        for row in report.metrics:
            dataset = cell(row.dataset) + ("" if row.comparable else " (not comparable)")
            lines.append(f"| {dataset} | {cell(row.metric)} | {cell(row.level)} | {_number(row.old)} | "
                         f"{_number(row.new)} | {_delta(row.delta)} | {_ci(row)} |")
        lines.append("")
    if _lint_changed(report):
        lines += ["#### Lint", ""]
        if report.completeness:
            c = report.completeness
            lines += [f"Completeness {_percent(c['old'])} → {_percent(c['new'])} ({_points(c['delta'])}).", ""]
        for label, findings in (("new", report.findings_new), ("fixed", report.findings_fixed)):
            for finding in findings:
                lines.append(f"- {label}: `{finding['code']}` {e(finding['message'])}")
        if lines[-1]:
            lines.append("")
    if report.warnings:
        lines += ["#### Warnings", ""]
        lines += [f"- `{w.rule}` {e(w.message)}" for w in report.warnings]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
