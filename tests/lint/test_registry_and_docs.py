"""The code table and the rules' documentation: stable codes, four doc sections, pages up to date."""

from __future__ import annotations

import re

import pytest

from bmzcard.lint.docs import pages
from bmzcard.lint.registry import ENTRIES, FAMILIES, Status, resolve, selected
from bmzcard.lint.rule import DOC_HEADINGS

from .conftest import check_text

REPO_DOCS = __import__("pathlib").Path(__file__).resolve().parents[2] / "docs" / "rules"
ACTIVE = [e for e in ENTRIES if e.status is not Status.REMOVED]


def test_codes_are_unique_well_formed_and_match_their_family():
    codes = [e.code for e in ENTRIES]
    assert len(codes) == len(set(codes))
    rules = [e.rule for e in ACTIVE]
    assert len(rules) == len(set(rules))  # a rule has one code
    for entry in ACTIVE:
        assert re.fullmatch(r"[SPCELIV]\d{3}", entry.code)
        assert FAMILIES[entry.code[0]] == entry.rule.family
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry.rule.name)
        assert re.fullmatch(r"\d+\.\d+\.\d+", entry.since)


@pytest.mark.parametrize("entry", ACTIVE, ids=[e.code for e in ACTIVE])
def test_every_rule_documents_the_four_sections(entry):
    docs = entry.rule.documentation()
    for heading in DOC_HEADINGS:
        assert docs.get(heading, "").strip(), f"{entry.code} lacks '{heading}'"
    assert entry.rule.summary.endswith(".") and "\n" not in entry.rule.summary


def test_docs_rules_folder_is_generated_from_the_rules():
    """`bmzcard rules --markdown docs/rules` writes these pages; rerun it after changing a rule."""
    expected = pages()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in REPO_DOCS.glob("*.md")}
    assert sorted(on_disk) == sorted(expected)
    stale = [name for name in expected if on_disk[name] != expected[name]]
    assert stale == []


def test_selection_by_prefix_and_all():
    assert [e.code for e in resolve(["s00"])][:2] == ["S001", "S002"]
    assert len(resolve(["ALL"])) == len(ACTIVE)
    chosen = [e.code for e in selected(["C", "E001"], ["C0"])]
    assert chosen == ["E001"]


def test_each_rule_fires_on_its_own_example(tmp_path):
    """A rule's `Example` in Markdown must trigger it (rules needing an RDF are tested elsewhere)."""
    fired = 0
    for entry in ACTIVE:
        example = entry.rule.documentation()["Example"]
        match = re.search(r"```markdown\n(.*?)```", example, re.S)
        if match is None or entry.rule.needs_rdf or entry.code in ("S001", "S005"):
            continue
        body = match.group(1).replace("␠", " ")  # the docs show spaces that matter as ␠
        text = body if body.lstrip().startswith("#") else "# Model\n\nSummary.\n\n" + body
        report = check_text(text, root=tmp_path, select=[entry.code])  # an empty package folder
        assert report.findings, f"{entry.code}'s example does not trigger it"
        fired += 1
    assert fired >= 15
