"""Output formats: JSON, SARIF 2.1.0, GitHub annotations and text carry findings and scores."""

from __future__ import annotations

import json

from bmzcard.lint.engine import FileReport
from bmzcard.lint.findings import Finding, Severity
from bmzcard.lint.formats import OutputFormat, render, to_github, to_sarif
from bmzcard.lint.registry import selected

from .conftest import check_file

ENTRIES = selected(None, None)


def reports(cards):
    return [
        check_file(cards / "scunet_sem__MODELCARD.md"),
        check_file(cards / "spec__upsample_test_model.md"),
        FileReport("broken.md", error="the card is a binary file, not Markdown"),
    ]


def test_json_has_files_findings_scores_and_summary(cards):
    data = json.loads(render(OutputFormat.JSON, reports(cards), ENTRIES))
    first = data["files"][0]
    assert set(first) == {"path", "score", "sections", "findings", "note"}
    assert first["note"].startswith("no RDF found")  # a card alone: the report says why C rules did not run
    assert set(first["findings"][0]) == {"code", "severity", "message", "line", "column"}
    assert first["score"] == 3.6 and first["sections"]["title"] == 100.0 and first["sections"]["direct_use"] == 0.0
    assert data["files"][2] == {"path": "broken.md", "score": None, "sections": {}, "findings": [],
                                "error": "the card is a binary file, not Markdown"}
    summary = data["summary"]
    assert summary["files"] == 3 and summary["unreadable"] == 1
    assert summary["by_code"]["S007"] == 1
    assert summary["errors"] == sum(1 for f in data["files"] for x in f["findings"] if x["severity"] == "error")


def _require(node: dict, *keys: str) -> None:
    missing = [k for k in keys if k not in node]
    assert not missing, f"missing {missing} in {sorted(node)}"


def test_sarif_has_the_structure_the_schema_requires(cards):
    """The SARIF 2.1.0 schema's required properties and enumerations, checked by hand.

    The schema itself is not fetched (tests run offline) and no PyPI package ships
    it, so the parts GitHub code scanning reads are asserted here.
    """
    sarif = json.loads(render(OutputFormat.SARIF, reports(cards), ENTRIES))
    _require(sarif, "version", "runs", "$schema")
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    _require(run, "tool", "results")
    driver = run["tool"]["driver"]
    _require(driver, "name", "rules")
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids)) == len(ENTRIES)
    for rule in driver["rules"]:
        _require(rule, "id", "shortDescription", "fullDescription", "help", "defaultConfiguration")
        assert rule["defaultConfiguration"]["level"] in ("none", "note", "warning", "error")
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
    assert run["results"]
    for result in run["results"]:
        _require(result, "ruleId", "ruleIndex", "level", "message", "locations")
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("none", "note", "warning", "error")
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("file://") or not uri.startswith("/")
    # The unreadable card is a tool notification, and each card's score an artifact property.
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"].startswith("the card is a binary")
    assert [a["properties"]["score"] for a in run["artifacts"]] == [3.6, 0.0]


def test_sarif_relative_uri_inside_the_working_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    report = FileReport(str(tmp_path / "my card.md"), [Finding(str(tmp_path / "my card.md"), 2, 1, "S005",
                                                             Severity.WARNING, "x")])
    sarif = to_sarif([report], ENTRIES)
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20card.md"


def test_github_annotations_escape_and_score():
    finding = Finding("a,b.md", 3, 2, "P002", Severity.ERROR, "field 'X' is 100% empty\nreally")
    text = to_github([FileReport("a,b.md", [finding])])
    lines = text.splitlines()
    assert lines[0] == "::error file=a%2Cb.md,line=3,col=2,title=P002 error::field 'X' is 100%25 empty%0Areally"
    assert lines[1].startswith("::notice file=a%2Cb.md,title=completeness::model card completeness 0")


def test_text_format_lists_findings_and_score(cards):
    report = check_file(cards / "scunet_sem__MODELCARD.md")
    text = render(OutputFormat.TEXT, [report], ENTRIES)
    lines = text.splitlines()
    assert any(line.endswith("scunet_sem__MODELCARD.md:1:1: S005 [warning] no heading mentions validation; "
                             "bioimageio.spec warns \"No '# Validation' (sub)section found\"") for line in lines)
    # errors first, then warnings, then infos
    severities = [line.split(" [", 1)[1].split("]", 1)[0] for line in lines if " [" in line and ": " in line][:len(report.findings)]
    rank = {"error": 0, "warning": 1, "info": 2}
    assert [rank[s] for s in severities] == sorted(rank[s] for s in severities)
    assert lines[-2].endswith("in 1 card; completeness 3.6%")
    # the last line counts findings per rule, most frequent first, and adds up to all findings
    counts = dict(part.rsplit(" ", 1) for part in lines[-1].removeprefix("by rule: ").split(", "))
    assert sum(map(int, counts.values())) == len(report.findings)
    assert list(map(int, counts.values())) == sorted(map(int, counts.values()), reverse=True)
