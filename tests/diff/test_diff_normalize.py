"""Canonical trees and Markdown normalization: one meaning, one spelling."""

from __future__ import annotations

from bmzcard.diff.card import normalize_markdown, word_diff
from bmzcard.diff.rules import _accepts_all
from bmzcard.diff.tree import canonical, compare


def test_markdown_spellings_of_one_text_are_equal():
    a = ["Some *emphasis* and a paragraph", "wrapped over lines.  ", "", "- one", "- two", "", "1. first", "2. second"]
    b = ["Some _emphasis_ and a paragraph wrapped over lines.", "", "* one", "* two", "", "3) first", "4) second"]
    assert normalize_markdown(a) == normalize_markdown(b)


def test_markdown_words_and_structure_count():
    assert normalize_markdown(["one two"]) != normalize_markdown(["one three"])
    assert normalize_markdown(["**bold**"]) != normalize_markdown(["*bold*"])
    assert normalize_markdown(["| a | b |", "|---|---|", "| 1 | 2 |"]) != normalize_markdown(["| a | b |", "|---|---|", "| 1 | 3 |"])


def test_word_diff_runs():
    assert word_diff("a b c d", "a x c d") == [("=", "a"), ("-", "b"), ("+", "x"), ("=", "c d")]


def test_canonical_spellings():
    assert canonical({"doi": "https://doi.org/10.1/x", "text": "a\n  b"}) == canonical({"text": "a b", "doi": "10.1/x"})
    assert canonical({"orcid": "https://orcid.org/0000-0001"}) == canonical({"orcid": "0000-0001"})
    assert canonical({"a": 1.0, "b": None, "c": [], "d": [None, None]}) == canonical({"a": 1})
    assert canonical({"tags": ["x", "y"]}) == canonical({"tags": ["y", "x"]})
    assert canonical({"authors": [{"name": "A"}, {"name": "B"}]}) != canonical({"authors": [{"name": "B"}, {"name": "A"}]})


def test_keyed_lists_report_rename_order_and_fields_by_id():
    old = canonical({"inputs": [{"id": "a", "x": 1}, {"id": "b", "x": 2}]})
    renamed = canonical({"inputs": [{"id": "c", "x": 1}, {"id": "b", "x": 3}]})
    found = [(d.parts, d.kind, d.aspect) for d in compare(old, renamed)]
    assert found == [(("inputs", "a"), "changed", "rename"), (("inputs", "b", "x"), "changed", "value")]
    swapped = canonical({"inputs": [{"id": "b", "x": 2}, {"id": "a", "x": 1}]})
    assert [(d.parts, d.aspect) for d in compare(old, swapped)] == [(("inputs",), "order")]


def test_input_size_relaxation():
    assert _accepts_all({"min": 32, "step": 8}, {"min": 32, "step": 16})
    assert _accepts_all({"min": 16, "step": 16}, {"min": 32, "step": 16})
    assert not _accepts_all({"min": 32, "step": 32}, {"min": 32, "step": 16})
    assert not _accepts_all({"min": 48, "step": 16}, {"min": 32, "step": 16})
    assert _accepts_all({"min": 0, "step": 64}, 512)
    assert not _accepts_all(512, {"min": 32, "step": 16})
    assert _accepts_all(None, 1) and not _accepts_all(1, None)
