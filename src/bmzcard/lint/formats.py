"""Write check reports: text for people, JSON, SARIF 2.1.0 and GitHub workflow annotations.

Every format carries the findings and each card's completeness score (overall
and per section), so a CI dashboard sees what a person sees.
"""

from __future__ import annotations

import enum
import json
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from bmzcard.version import __version__
from bmzcard.lint.findings import Severity

if TYPE_CHECKING:  # the CLI imports this module at start-up for the enum alone
    from bmzcard.lint.engine import FileReport
    from bmzcard.lint.registry import Entry


class OutputFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"


def render(fmt: OutputFormat, reports: list[FileReport], entries: list[Entry]) -> str:
    """The whole output of one `bmzcard check` run in `fmt`."""
    if fmt is OutputFormat.JSON:
        return json.dumps(to_json(reports), indent=2, ensure_ascii=False)
    if fmt is OutputFormat.SARIF:
        return json.dumps(to_sarif(reports, entries), indent=2, ensure_ascii=False)
    if fmt is OutputFormat.GITHUB:
        return to_github(reports)
    return to_text(reports)


def percent(value: float) -> float:
    return round(100 * value, 1)


def score_json(report: FileReport) -> dict:
    """`score` (overall, 0-100) and `sections` (section key -> 0-100) of one card."""
    if report.completeness is None:
        return {"score": None, "sections": {}}
    return {
        "score": percent(report.completeness.overall),
        "sections": {key: percent(value) for key, value in report.completeness.sections.items()},
    }


def summary(reports: list[FileReport]) -> dict:
    findings = [f for r in reports for f in r.findings]
    scores = [r.completeness.overall for r in reports if r.completeness is not None]
    return {
        "files": len(reports),
        "files_with_errors": sum(1 for r in reports if r.has_errors),
        "unreadable": sum(1 for r in reports if r.error is not None),
        "errors": sum(1 for f in findings if f.severity == Severity.ERROR),
        "warnings": sum(1 for f in findings if f.severity == Severity.WARNING),
        "infos": sum(1 for f in findings if f.severity == Severity.INFO),
        "mean_score": percent(sum(scores) / len(scores)) if scores else None,
        "by_code": dict(sorted(Counter(f.code for f in findings).items())),
    }


def to_json(reports: list[FileReport]) -> dict:
    files = []
    for report in reports:
        entry = {"path": report.path, **score_json(report)}
        entry["findings"] = [f.to_json() for f in report.findings]
        if report.error is not None:
            entry["error"] = report.error
        files.append(entry)
    return {"files": files, "summary": summary(reports)}


def to_text(reports: list[FileReport]) -> str:
    """`path:line:col: CODE message`, a score line per card, a table when there are several."""
    out: list[str] = []
    for report in reports:
        if report.error is not None:
            out.append(f"{report.path}: error: {report.error}")
            continue
        for f in report.findings:
            out.append(f"{f.path}:{f.line}:{f.column}: {f.code} [{f.severity.label}] {f.message}")
    if len(reports) > 1:
        out += ["", *_table(reports)]
    total = summary(reports)
    score = f"; completeness {total['mean_score']}%" if total["mean_score"] is not None else ""
    mean = "mean " if len(reports) > 1 else ""
    out.append(
        f"{total['errors']} errors, {total['warnings']} warnings, {total['infos']} infos "
        f"in {total['files']} card{'s' if total['files'] != 1 else ''}"
        + (f", {total['unreadable']} unreadable" if total["unreadable"] else "")
        + score.replace("completeness", f"{mean}completeness")
    )
    return "\n".join(out)


def _table(reports: list[FileReport]) -> list[str]:
    rows = [("card", "score", "errors", "warnings", "infos")]
    for r in reports:
        if r.error is not None:
            rows.append((r.path, "-", "unreadable", "", ""))
        else:
            score = f"{percent(r.completeness.overall)}%" if r.completeness else "-"
            counts = (r.count(Severity.ERROR), r.count(Severity.WARNING), r.count(Severity.INFO))
            rows.append((r.path, score, *map(str, counts)))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [cell.rjust(w) for cell, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(reports: list[FileReport]) -> str:
    """GitHub Actions workflow commands: one annotation per finding, a notice with each score."""
    out = []
    for report in reports:
        where = f"file={_escape_property(report.path)}"
        if report.error is not None:
            out.append(f"::error {where},title=unreadable::{_escape_data(report.error)}")
            continue
        for f in report.findings:
            title = _escape_property(f"{f.code} {f.severity.label}")
            out.append(
                f"::{_GITHUB_LEVEL[f.severity]} {where},line={f.line},col={f.column},title={title}::"
                f"{_escape_data(f.message)}"
            )
        score = percent(report.completeness.overall) if report.completeness else 0
        out.append(f"::notice {where},title=completeness::model card completeness {score}%")
    return "\n".join(out)


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_uri(path: str) -> str:
    """A SARIF artifact URI: relative to the working folder when inside it, else a file URI."""
    posix = path.replace(os.sep, "/")
    if "!/" in posix:  # a card inside a zip: name the zip
        posix = posix.split("!/", 1)[0]
    candidate = Path(posix)
    if candidate.is_absolute():
        try:
            posix = candidate.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return candidate.as_uri()
    return quote(posix)


def to_sarif(reports: list[FileReport], entries: list[Entry]) -> dict:
    """One SARIF 2.1.0 run: the rules that ran, the findings, each card's score as artifact properties."""
    index = {entry.code: i for i, entry in enumerate(entries)}
    rules = []
    for entry in entries:
        rule = entry.rule
        docs = rule.documentation()
        rules.append(
            {
                "id": entry.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": docs.get("What it does", rule.summary)},
                "help": {"text": docs.get("Why is this bad?", ""), "markdown": rule_markdown(entry)},
                "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
                "properties": {"tags": [rule.family]},
            }
        )
    results = []
    artifacts = []
    notifications = []
    for report in reports:
        uri = artifact_uri(report.path)
        if report.error is not None:
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": report.error},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
                }
            )
            continue
        artifacts.append({"location": {"uri": uri}, "properties": score_json(report)})
        for f in report.findings:
            result = {
                "ruleId": f.code,
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri, "index": len(artifacts) - 1},
                            "region": {"startLine": f.line, "startColumn": f.column},
                        }
                    }
                ],
            }
            if f.code in index:
                result["ruleIndex"] = index[f.code]
            results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "bmzcard",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}
                ],
                "artifacts": artifacts,
                "results": results,
                "properties": {"summary": summary(reports)},
            }
        ],
    }


def rule_markdown(entry: Entry) -> str:
    """A rule's documentation page: metadata, then its four fixed sections."""
    rule = entry.rule
    docs = rule.documentation()
    lines = [
        f"# {entry.code} {rule.name}",
        "",
        f"{rule.summary}",
        "",
        f"- **Family:** {rule.family}",
        f"- **Default severity:** {rule.severity.label}",
        f"- **Status:** {entry.status.value}, since bmzcard {entry.since}",
        f"- **Fixable with `--fix`:** {'yes' if rule.fixable else 'no'}",
    ]
    if rule.needs_rdf:
        lines.append("- **Needs the RDF:** yes (runs on a package, or a card with `--rdf`)")
    if rule.needs_network:
        lines.append("- **Needs the network:** yes (runs with `--online`)")
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead"):
        lines += ["", f"## {heading}", "", docs.get(heading, "").strip()]
    return "\n".join(lines) + "\n"
