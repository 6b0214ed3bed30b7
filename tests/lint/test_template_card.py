"""The template itself: every guidance line is a placeholder finding, its structure is clean."""

from __future__ import annotations

from bmzcard.lint.findings import Severity
from bmzcard.template import TEMPLATE, SectionKind

from .conftest import check_file, pairs


def guidance_line_numbers(text: str) -> set[int]:
    """1-based numbers of the template file's lines that are guidance or field placeholders."""
    wanted = set()
    for section in TEMPLATE.sections:
        if section.kind is SectionKind.STATIC:
            continue
        wanted |= {g for g in section.guidance if g.strip()}
        wanted |= {f"- **{field.label}:** *[{field.guidance}]*" for field in section.fields}
    return {number for number, line in enumerate(text.splitlines(), start=1) if line in wanted}


def test_every_guidance_line_of_the_template_is_a_placeholder_finding(shared, template_text):
    report = check_file(shared / "spec" / "model-card-template.md")
    flagged = {line for line, code in pairs(report, "P")}
    expected = guidance_line_numbers(template_text)
    assert len(expected) > 100  # the template has that many guidance and field lines
    assert expected - flagged == set()


def test_template_instructions_and_title_placeholder_are_reported(shared):
    report = check_file(shared / "spec" / "model-card-template.md")
    found = pairs(report)
    assert (3, "P001") in found  # the "> **Instructions**" blockquote
    assert (7, "P003") in found  # `# [Model Name]`
    title = next(f for f in report.findings if f.line == 7)
    assert title.severity is Severity.ERROR


def test_template_structure_has_no_findings(shared):
    report = check_file(shared / "spec" / "model-card-template.md")
    structure = {code for _, code in pairs(report, "S")}
    # Every section is there, in order and at its level; only blank-line style remains.
    assert structure == {"S009"}


def test_template_scores_zero(shared):
    report = check_file(shared / "spec" / "model-card-template.md")
    assert report.completeness.overall == 0.0
    assert set(report.completeness.sections.values()) == {0.0}


def test_template_results_table_is_guidance_not_numbers(shared):
    report = check_file(shared / "spec" / "model-card-template.md")
    # The example rows (0.XX) are guidance; no evaluation rule mistakes them for results.
    assert [code for _, code in pairs(report, "E")] == []
    assert {(line, code) for line, code in pairs(report) if 182 <= line <= 185} == {
        (182, "P001"), (183, "P001"), (184, "P001"), (185, "P001")
    }
