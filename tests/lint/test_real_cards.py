"""Findings on real cards from the zoo and related repositories, line by line."""

from __future__ import annotations

from collections import Counter

import pytest

from bmzcard.lint.findings import Severity

from .conftest import check_file, pairs

# The top-level template sections a free-form card lacks, as reported at one line:
# the table of contents and the nine sections it lists, less the one a card has.
TOP_LEVEL_MISSING = 10


def test_usiigaci_free_form_card(cards):
    report = check_file(cards / "dij__usiigaci.md")
    # "# Intended Use" is taken as the title (the first level-1 heading that is no
    # template section); every template section is missing, reported at the end.
    assert pairs(report) == [(1, "S005")] + [(13, "S001")] * TOP_LEVEL_MISSING
    assert "'Uses' is missing with its 3 subsections" in report.findings[3].message
    assert report.has_errors


def test_near_empty_stub_card(cards):
    report = check_file(cards / "mousebrain__MODEL_CARD.md")
    assert pairs(report) == [(1, "S005")] + [(7, "S001")] * TOP_LEVEL_MISSING
    assert report.completeness.sections["title"] == 1.0  # "# Model Card" and a paragraph under it


def test_partially_filled_card(cards):
    report = check_file(cards / "scunet_sem__MODELCARD.md")
    found = pairs(report)
    assert found[:4] == [(1, "S005"), (25, "L002"), (25, "L003"), (25, "S009")]
    # "## Training Details" stands before "## Limitations" and at level 2, not 1.
    assert (55, "S002") in found and (55, "S003") in found
    # The PSNR/SSIM table: values without spread, no sample count.
    assert (70, "E003") in found and (72, "E002") in found
    # Bracketed values and citations are content, not placeholders.
    assert pairs(report, "P") == []
    assert not [f for f in report.findings if f.code == "E001"]  # PSNR 16.4-23.3 dB, SSIM 0.4-0.6


def test_empty_card_gets_one_finding(cards):
    report = check_file(cards / "spec__upsample_test_model.md")
    assert pairs(report) == [(1, "S007")]
    assert report.findings[0].severity is Severity.ERROR


def test_heading_without_space(cards):
    report = check_file(cards / "ilastik__covid-if.md")
    assert pairs(report)[:2] == [(1, "S005"), (1, "S010")]
    # Not being a heading, it leaves the card without a title.
    assert "no title" in next(f.message for f in report.findings if f.code == "S001")


def test_stardist_readme_links_and_images(cards):
    report = check_file(cards / "stardist__README.md")
    links = pairs(report, "L")
    assert (133, "L002") in links  # images/pretrained_example.png is not beside the card
    assert [line for line, code in links if code == "L003"] == [10, 14, 36, 40, 85, 94, 95, 133, 151, 168, 175]
    assert (72, "S006") in pairs(report)  # `####` under `##`
    # `<kbd>[</kbd>`, and list items whose only text is inline code, are content.
    assert pairs(report, "P") == []


def test_dataset_doc_with_empty_title(cards):
    report = check_file(cards / "spec__dummy-dataset.md")
    assert (1, "P008") in pairs(report)
    assert "no summary" in next(f.message for f in report.findings if f.code == "P008")


def test_card_with_its_rdf_compares_the_name(cards, shared):
    rdf = shared / "bmz" / "rdfs" / "dij__usiigaci__model.yaml"
    report = check_file(cards / "dij__usiigaci.md", rdf=rdf)
    assert (1, "C001") in pairs(report)
    assert "NIH 3T3 Fibroblast" in next(f.message for f in report.findings if f.code == "C001")


def test_all_real_cards_are_read_and_scored(cards):
    counts: Counter[str] = Counter()
    for path in sorted(cards.glob("*.md")):
        report = check_file(path)
        assert report.error is None, path
        assert 0.0 <= report.completeness.overall <= 1.0
        counts.update(f.code for f in report.findings)
    # Each of the 41 cards lacks template sections except the template and the empty one.
    assert counts["S001"] > 300
    assert counts["S007"] == 1
    assert counts["S010"] == 5  # the ilastik dataset docs' `#Title`
    assert counts["P001"] == 26  # all on the template itself: one per guidance block


@pytest.mark.parametrize("name", ["gonuclear__plantseg__README.md", "ilastik__torch-em-3d-unet-notebook.md"])
def test_free_form_readmes_have_no_placeholder_findings(cards, name):
    assert pairs(check_file(cards / name), "P") == []
