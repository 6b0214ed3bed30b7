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
    """Each guidance line is reported, alone or as part of a block reported once at its first line."""
    report = check_file(shared / "spec" / "model-card-template.md")
    flagged = {line for line, code in pairs(report, "P")}
    expected = guidance_line_numbers(template_text)
    assert len(expected) > 100  # the template has that many guidance and field lines
    lines = template_text.splitlines()
    for number in sorted(expected):
        above = number
        # walk up through the block (guidance, fields, blank lines, table rows) to a reported line
        while above not in flagged and (above in expected or not lines[above - 1].strip()
                                        or lines[above - 1].startswith("|")):
            above -= 1
        assert above in flagged, number
    # one finding per block, not per line: far fewer than the guidance lines
    assert len([1 for _, code in pairs(report, "P001")]) < len(expected) / 3


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
    # one P001 for the block: its first line (180) and the example table (182-185) below it
    assert {(line, code) for line, code in pairs(report) if 180 <= line <= 185} == {(180, "P001")}
    block = next(f for f in report.findings if f.line == 180)
    assert "and 4 more lines" in block.message
