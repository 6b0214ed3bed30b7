"""Live: the preview is `bmzcard render`'s page, the findings are `bmzcard check`'s, as the author types."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bmzcard.cli.app import app
from bmzcard.errors import BmzcardError

runner = CliRunner()


def _preview(fragment: str) -> str:
    return html.unescape(re.search(r'srcdoc="([^"]*)"', fragment).group(1))


def _findings(fragment: str) -> list[tuple[str, int, str]]:
    """(code, line, message) of each finding the page lists."""
    found = []
    for item in re.findall(r'<li class="finding[^"]*">(.*?)</li>', fragment, re.S):
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", item)).split())
        code, line, message = re.match(r"\w+ (\w\d{3}) line (\d+) ?: (.*)", text).groups()
        found.append((code, int(line), message))
    return found


def _check(path: Path) -> tuple[list[tuple[str, int, str]], float]:
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    report = json.loads(result.stdout)["files"][0]
    return [(f["code"], f["line"], f["message"]) for f in report["findings"]], report["score"]


def test_the_page_shows_exactly_what_render_and_check_give(open_editor, package, tmp_path):
    editor = open_editor(package)
    out = tmp_path / "page.html"
    assert runner.invoke(app, ["render", str(package), "-o", str(out)]).exit_code == 0
    assert _preview(editor.page) == out.read_text(encoding="utf-8")
    findings, score = _check(package)
    assert _findings(editor.page) == [(c, line, " ".join(m.split())) for c, line, m in findings]
    assert f"Completeness <strong>{score:.0f}%</strong>" in editor.page


def test_each_update_previews_and_checks_the_edited_text(open_editor, package, tmp_path):
    editor = open_editor(package)
    fragment = editor.update("f:model_description.funded_by", "Grant <b>42</b> & co").text
    # the same text on disk, rendered and checked by the commands
    card = tmp_path / "copy" / "README.md"
    import shutil

    shutil.copytree(package, card.parent)
    card.write_text(editor.session.tab(editor.tab).text, encoding="utf-8")
    out = tmp_path / "page.html"
    runner.invoke(app, ["render", str(card.parent), "-o", str(out)])
    assert _preview(fragment) == out.read_text(encoding="utf-8")
    assert "Grant <b>42</b> &amp; co" in _preview(fragment)  # the renderer's sanitizing, unchanged
    findings, score = _check(card.parent)
    assert _findings(fragment) == [(c, line, " ".join(m.split())) for c, line, m in findings]
    assert f"Completeness <strong>{score:.0f}%</strong>" in fragment


def test_deleting_the_license_shows_the_finding_and_restoring_it_clears_it(open_editor, package):
    editor = open_editor(package)
    original = editor.session.tab(editor.tab).text
    license_value = re.search(r"- \*\*License:\*\* (.*)", original).group(1)
    before = _findings(editor.page)
    assert not any("'License'" in message for _, _, message in before)
    cleared = _findings(editor.update("f:model_description.license", "").text)
    license_findings = [f for f in cleared if "'License'" in f[2]]
    assert license_findings, cleared
    assert 'href="#ctl-f-model_description-license"' in editor.update("f:model_description.license", "").text
    restored = editor.update("f:model_description.license", license_value).text
    assert _findings(restored) == before
    assert editor.session.tab(editor.tab).text == original


def test_the_score_rises_as_fields_are_filled(open_editor, package):
    editor = open_editor(package)

    def score(text: str) -> int:
        return int(re.search(r"Completeness <strong>(\d+)%</strong>", text).group(1))

    start = score(editor.page)
    filled = score(editor.update("f:model_description.shared_by", "The bmzcard team").text)
    filled = score(editor.update("s:downstream_use", "Fine-tune the decoder on your own images.").text)
    assert filled > start


def test_hostile_markdown_in_the_preview_is_sanitized_as_render_does(open_editor, package):
    hostile = (Path(__file__).parents[1] / "outputs" / "data" / "hostile.md").read_text(encoding="utf-8")
    editor = open_editor(package)
    fragment = editor.update("card", hostile).text
    preview = _preview(fragment)
    from bmzcard.outputs.html import render_html

    assert preview == render_html(hostile, package=editor.session.images_from, card_name="README.md",
                                  metadata=editor.session.rdf,
                                  score=editor.session.view(editor.session.tab(editor.tab)).score).html
    assert not re.search(r"<script\b|<iframe\b|\son\w+\s*=|javascript:\S*\"", preview, re.I)
    # the iframe is sandboxed without scripts, and the page never inserts the card's HTML unescaped
    assert 'sandbox="allow-same-origin"' in fragment
    assert "<script" not in fragment.split("srcdoc=")[1].split('"')[0]


def test_every_real_card_opens(open_editor, shared, tmp_path):
    cards = sorted((shared / "bmz" / "cards").glob("*.md"))
    assert len(cards) == 41
    for card in cards:
        copy = tmp_path / card.stem / "README.md"
        copy.parent.mkdir()
        copy.write_bytes(card.read_bytes())
        editor = open_editor(copy)
        assert 'aria-label="Findings"' in editor.page and 'aria-label="Preview"' in editor.page, card.name


def test_a_card_without_template_sections_opens_as_markdown_with_findings(open_editor, tmp_path):
    card = tmp_path / "README.md"
    card.write_text("Just one line about a model.\n", encoding="utf-8")
    editor = open_editor(card)
    assert 'id="ctl-card"' in editor.page and "has no section of the template" in editor.page
    assert any(code == "S001" for code, _, _ in _findings(editor.page))  # missing sections, said by check


def test_a_card_beside_an_unreadable_rdf_opens_alone_with_a_notice(open_editor, tmp_path):
    (tmp_path / "rdf.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    card = tmp_path / "README.md"
    card.write_text("# A model\n\nText.\n", encoding="utf-8")
    editor = open_editor(card)
    assert "the card is edited alone" in editor.page and "invalid YAML" in editor.page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary file"),
        (b"# caf\xe9\n", "not UTF-8"),
        (b"#" * 5_000_001, "not a model card"),
    ],
)
def test_huge_or_binary_cards_get_the_one_line_errors_of_check(tmp_path, content, message):
    from bmzcard.edit import open_session

    card = tmp_path / "README.md"
    card.write_bytes(content)
    with pytest.raises(BmzcardError, match=message):
        open_session(card)
    result = runner.invoke(app, ["edit", str(card), "--no-browser"])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_an_edit_that_makes_the_card_too_large_is_refused(open_editor, package):
    editor = open_editor(package)
    before = editor.session.tab(editor.tab).text
    response = editor.update("card", "x" * 5_000_001)
    assert "more than 5,000,000 bytes" in response.text and response.headers.get("hx-reswap") == "none"
    assert editor.session.tab(editor.tab).text == before
