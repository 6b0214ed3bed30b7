"""Author text is text: escaped wherever it enters the card, and re-runs change nothing.

The hostile values go into every field the example's RDF lets an author write
(within bioimageio.spec's own limits), and into a manifest's factor levels; the
card is then rendered by markdown-it (CommonMark with tables, raw HTML on, as
most renderers) and inspected token by token.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from ruamel.yaml import YAML

from bmzcard.cli.app import app
from bmzcard.example import eval_manifest_path
from bmzcard.facts import md_code, md_link, md_prose, md_text, md_unescape

from .conftest import runner

HOSTILE = ('<script>alert(1)</script> <img src=x onerror=alert(1)> <iframe src="https://evil.example"></iframe> '
           "[x](javascript:alert(1)) *a* _b_ `c` | d <!-- ")
PROSE = "<!--\n# Injected heading\n---\n```\n" + HOSTILE
SAFE_TARGET = re.compile(r"^(https?://|mailto:|#|[^:/\\][^:]*$)", re.I)


def hostile_rdf(package: Path) -> None:
    yaml = YAML(typ="safe")
    rdf = yaml.load((package / "rdf.yaml").read_text())
    rdf["name"] = "Hostile _name_ (x) - 1"
    rdf["description"] = HOSTILE
    rdf["authors"][0]["name"] = "Eve <b onmouseover=alert(1)> | *x*"
    rdf["authors"][0]["affiliation"] = HOSTILE
    rdf["cite"][0]["text"] = HOSTILE
    rdf["tags"] = [*rdf["tags"], "a`b", "<x>"]
    rdf["inputs"][0]["description"] = "<script>x</script> | a *b* <!--"
    config = rdf["config"]["bioimageio"]
    config["out_of_scope_use"] = PROSE
    config["bias_risks_limitations"]["risks"] = PROSE
    config["architecture_type"] = "<i>U-Net</i> | *x*"
    config["training"]["training_preprocessing"] = PROSE
    config["funded_by"] = HOSTILE
    stream = io.StringIO()
    yaml.dump(rdf, stream)
    (package / "rdf.yaml").write_text(stream.getvalue())


def tokens(text: str):
    def walk(items):
        for token in items:
            yield token
            yield from walk(token.children or [])

    return list(walk(MarkdownIt("commonmark").enable("table").parse(text)))


def assert_inert(card: str) -> None:
    """No raw HTML reaches a renderer, and every link goes where links may go."""
    found = tokens(card)
    assert not [t.content for t in found if t.type in ("html_block", "html_inline")]
    targets = [t.attrs.get("href") or t.attrs.get("src") for t in found if t.type in ("link_open", "image")]
    assert targets and all(SAFE_TARGET.match(str(target)) for target in targets), targets


def rendered(inline) -> str:
    """The text a reader sees of an inline token."""
    return "".join(c.content for c in inline.children if c.type in ("text", "code_inline"))


def headings(card: str) -> list[str]:
    found = tokens(card)
    return [rendered(found[i + 1]) for i, t in enumerate(found) if t.type == "heading_open"]


@pytest.fixture
def blank_headings(tmp_path) -> list[str]:
    assert runner.invoke(app, ["init", str(tmp_path / "blank")]).exit_code == 0
    return headings((tmp_path / "blank" / "README.md").read_text())


def test_hostile_author_text_is_rendered_as_text(example, blank_headings):
    hostile_rdf(example)
    (example / "README.md").unlink()
    result = runner.invoke(app, ["generate", str(example)])
    assert result.exit_code == 0, result.output
    card = (example / "README.md").read_text()
    assert_inert(card)
    assert len(headings(card)) == len(blank_headings)  # nothing of the author's became a heading
    assert headings(card)[0] == "Hostile _name_ (x) - 1"  # rendered as written
    text = "".join(t.content for t in tokens(card) if t.type == "text")
    assert "<script>alert(1)</script>" in text and "[x](javascript:alert(1))" in text  # shown, not run


def test_regenerating_a_hostile_card_changes_nothing(example, blank_headings):
    hostile_rdf(example)
    (example / "README.md").unlink()
    for _ in range(2):
        assert runner.invoke(app, ["generate", str(example)]).exit_code == 0
    first = (example / "README.md").read_text()
    result = runner.invoke(app, ["generate", str(example)])
    assert result.exit_code == 0
    assert (example / "README.md").read_text() == first
    assert len(headings(first)) == len(blank_headings)
    assert not list(example.glob("README.md.bak*"))  # an unchanged card is not backed up again


def test_factor_levels_are_table_cells_not_markup(example, tmp_path):
    rows = list(csv.reader(eval_manifest_path().read_text().splitlines()))
    levels = ["a|b", "<script>x</script>"]
    manifest = tmp_path / "manifest.csv"
    folder = eval_manifest_path().parent
    with manifest.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([*rows[0], "cond"])
        for index, row in enumerate(rows[1:]):
            writer.writerow([str(folder / c) if c.endswith(".npy") else c for c in row] + [levels[index % 2]])
    result = runner.invoke(app, [
        "evaluate", str(example), "--data", str(manifest), "--threshold", "0.5", "--weight-format", "onnx",
        "--device", "cpu", "--write-card", "--dataset-id", "synthetic-eval",
        "--dataset-source", "https://example.org/synthetic-eval", "--factor", "cond",
    ])
    assert result.exit_code == 0, result.output
    card = (example / "README.md").read_text()
    assert_inert(card)
    found = tokens(card)
    header = [rendered(found[i + 1]) for i, t in enumerate(found) if t.type == "th_open"]
    assert "cond=a|b" in header and "cond=<script>x<~" in header  # labels are cut to 16 characters
    for table in _tables(found):  # every row as wide as its header: no `|` of a level split a cell
        assert len({sum(1 for t in row if t.type in ("th_open", "td_open")) for row in table}) == 1
    # check --verify reads the escaped labels back as the levels they are
    result = runner.invoke(app, ["check", str(example / "README.md"), "--verify", "--select", "V"])
    assert result.exit_code == 0, result.output


def _tables(found):
    tables = []
    for token in found:
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append([])
        elif tables and tables[-1] and token.type in ("th_open", "td_open"):
            tables[-1][-1].append(token)
    return tables


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:x", "data:text/html,<b>", "vbscript:x",
                                 "file:///etc/passwd", " javascript:x"])
def test_only_http_https_and_mailto_become_links(url):
    assert "](" not in md_link(url, "x")
    assert md_link("https://a.example/p a(b)", "x") == "[x](https://a.example/p%20a%28b%29)"
    assert md_link("mailto:a@b.example") .startswith("[")


def test_code_spans_and_prose_cannot_break_out():
    assert md_code("a``b") == "```a``b```"
    assert md_code("x|y", in_table=True) == "`x\\|y`"
    assert md_prose("- item\n* other\n# no heading\n---") == "- item\n- other\n\\# no heading\n\\---"
    assert md_text("1. not a list") == "1\\. not a list"


@pytest.mark.parametrize("text", [HOSTILE, "a|b", "1. x", "---", "- y", "C# \\path", "`", "50% & $5 ~ #1"])
def test_escaped_text_reads_back_as_written(text):
    assert md_unescape(md_text(text)) == " ".join(text.split())
