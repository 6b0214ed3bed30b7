"""Placeholder rules and the completeness score on small cards, and a card `generate` wrote."""

from __future__ import annotations

import pytest

from bmzcard.card.layout import blank_card
from bmzcard.card.placeholders import bracket_placeholders, is_placeholder_value
from bmzcard.lint.findings import Severity
from bmzcard.lint.rule import CardContext
from bmzcard.sources.readme import parse_card

from .conftest import check_text, pairs


def test_blank_card_of_init_scores_zero_and_flags_every_todo():
    text = blank_card()
    report = check_text(text)
    assert report.completeness.overall == 0.0
    todo_lines = {i + 1 for i, line in enumerate(text.splitlines()) if "TODO" in line}
    flagged = {line for line, code in pairs(report, "P")}
    assert todo_lines <= flagged
    assert pairs(report, "P005") == []  # TODOs on guidance and fields are reported as such, once


def test_filled_fields_and_sections_raise_the_score():
    blank = check_text(blank_card()).completeness
    text = blank_card().replace("- **License:** TODO *[License name and link]*", "- **License:** MIT")
    filled = check_text(text).completeness
    assert filled.sections["model_description"] > blank.sections["model_description"]
    # License is required (weight 3) of 3+1+2+3+3+3+1 = 16 in Model Description.
    assert filled.sections["model_description"] == pytest.approx(3 / 16)


def test_placeholder_severity_follows_the_requirement():
    text = "# M\n\nx\n\n## Model Description\n\n- **License:** *[License name and link]*\n- **Funded by:**\n"
    found = {(f.line, f.code): f.severity for f in check_text(text, select=["P002"]).findings}
    assert found == {(7, "P002"): Severity.ERROR, (8, "P002"): Severity.WARNING}


def test_missing_fields_empty_sections_todo_and_empty_bullets():
    text = "\n".join([
        "# M", "", "x", "",
        "## Model Description", "", "- **Developed by:** Me", "",
        "# How to Get Started with the Model", "",
        "## Direct Use", "", "Run it (TODO: add a notebook).", "", "- ", "",
        "| Metric | Condition A |", "|---|---|", "| Dice | 0.XX ± 0.XX |", "",
        "Text", "-", "",
    ])
    found = pairs(check_text(text, select=["P"]))
    assert found.count((5, "P007")) == 6  # Model type, License, ... missing
    assert [item for item in found if item[1] != "P007"] == [
        (9, "P008"),  # How to Get Started is empty
        (13, "P005"),
        (15, "P006"),  # `- ` alone; the `-` under "Text" makes a heading, not an empty item
        (17, "P004"),
        (19, "P004"),
    ]


@pytest.mark.parametrize(
    "value, placeholder",
    [
        ("*[Name(s), Institution(s)]*", True),
        ("TODO *[Total compute hours]*", True),
        ("[Model Name]", True),
        ("", True),
        ("[500 Samples, 1024x768]", False),
        ("[SEM-Dataset-500](https://github.com/x)", False),
        ("see [3]", False),
        ("MIT", False),
    ],
)
def test_placeholder_values(value, placeholder):
    assert is_placeholder_value(value) is placeholder


def test_bracket_placeholders_skip_links_citations_and_html():
    assert bracket_placeholders("# [Model Name]") == [(2, "[Model Name]")]
    assert bracket_placeholders("use <kbd>[</kbd> and <kbd>]</kbd>, see [1] and [x](y)") == []


def test_guidance_pasted_under_another_heading_is_still_guidance():
    text = "# M\n\nx\n\n## Notes\n\n*Describe biases in training data or model behavior:*\n"
    card = CardContext("c.md", parse_card(text))
    assert list(card.guidance_lines) == [6]
    assert card.guidance_lines[6].key == "known_biases"


def test_generated_card_has_no_placeholder_errors_beyond_what_the_rdf_cannot_give(unet2d, tmp_path):
    """`bmzcard generate` fills what the RDF gives; every placeholder error left is in its TODO list."""
    from bmzcard.outputs.card import generate_card
    from bmzcard.lint.engine import check_card
    from bmzcard.sources.rdf import read_raw
    from bmzcard.lint.registry import selected
    from bmzcard.sources.package import open_package

    report = generate_card(unet2d, to_stdout=True)
    card = CardContext("README.md", parse_card(report.text), rdf=read_raw(open_package(unet2d)), root=unet2d)
    result = check_card(card, selected(["P"], None))
    keys = set()
    for finding in result.findings:
        if finding.severity < Severity.ERROR:
            continue
        index = finding.line - 1
        if index in card.placeholder_fields:
            item, _ = card.placeholder_fields[index]
            section = item.heading.section_key
            field = next(f.key for f in card.template.section(section).fields if f.label == item.label)
            keys.add(f"{section}.{field}")
        elif index in card.guidance_lines:
            keys.add(card.guidance_lines[index].key)
        else:
            keys.add(f"unexpected {finding.code} at line {finding.line}: {finding.message}")
    assert keys, "the nuclei package's RDF cannot fill every required field"
    assert keys <= set(report.todo)
    # Consistency with its own RDF: generate and check agree.
    assert pairs(check_card(card, selected(["C"], None))) == []
