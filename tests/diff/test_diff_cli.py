"""`bmzcard diff` on the command line: exit codes, formats, the JSON contract, bad input."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from bmzcard.cli.app import app
from tests.diff.conftest import edit_rdf

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "diff.schema.json"
runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["diff", *map(str, args)])


def _validate(text: str) -> dict:
    document = json.loads(text)
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(document)
    return document


def test_exit_0_without_changes(example_pair):
    old, new = example_pair
    result = _run(old, new)
    assert result.exit_code == 0, result.output
    assert "No changes." in result.output


def test_exit_1_with_changes_and_json_follows_the_schema(example_pair):
    old, new = example_pair
    edit_rdf(new, lambda d: d["weights"].pop("onnx"))
    (new / "README.md").write_text("# Example\n\nA new summary.\n", encoding="utf-8")
    result = _run(old, new, "--format", "json")
    assert result.exit_code == 1, result.output
    document = _validate(result.output)
    assert document["summary"]["breaking"] == 1
    assert {c["rule"] for c in document["changes"]} >= {"WEIGHT_FORMAT_REMOVED", "CARD_SECTION_CHANGED"}


def test_json_schema_rejects_a_report_that_breaks_the_contract(example_pair):
    old, new = example_pair
    document = json.loads(_run(old, new, "-f", "json").output)
    document["changes"] = [{"path": "x", "kind": "renamed"}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_metrics_and_numeric_detail_follow_the_schema(example_pair):
    import numpy as np

    old, new = example_pair
    array = np.load(new / "test_output.npy")
    np.save(new / "test_output.npy", array + np.float32(1))
    edit_rdf(new, lambda d: d["outputs"][0]["test_tensor"].pop("sha256"))
    result = _run(old, new, "-f", "json", "--numeric")
    document = _validate(result.output)
    (change,) = document["changes"]
    assert change["detail"]["max_abs_diff"] == pytest.approx(1.0)


def test_breaking_only(example_pair):
    old, new = example_pair
    edit_rdf(new, lambda d: d.__setitem__("description", "Another description."))
    result = _run(old, new, "--breaking-only")
    assert result.exit_code == 0, result.output  # a change, but none breaking
    edit_rdf(new, lambda d: d["outputs"][0]["data"].__setitem__("type", "uint8"))
    result = _run(old, new, "--breaking-only", "-f", "json")
    assert result.exit_code == 1
    document = _validate(result.output)
    rules = [c["rule"] for c in document["changes"]]
    assert "DTYPE_CHANGED" in rules and all(c["breaking"] for c in document["changes"])
    assert document["metrics"] == [] and document["findings"] == {"new": [], "fixed": []}


def test_markdown_escapes_author_text(example_pair):
    old, new = example_pair
    edit_rdf(new, lambda d: d.__setitem__("description", "<script>alert(1)</script> | *pwned* [x](javascript:alert(1))"))
    result = _run(old, new, "--format", "markdown")
    assert result.exit_code == 1
    html = MarkdownIt("commonmark").enable("table").render(result.output)
    assert "<script>" not in html and "<em>pwned</em>" not in html and 'href="javascript' not in html
    assert "| Other RDF fields | `METADATA_CHANGED` |" in result.output
    rows = [line for line in result.output.splitlines() if "METADATA_CHANGED" in line]
    assert rows[0].replace("\\|", "").count("|") == 4  # the author's `|` does not add a cell


def test_output_file(example_pair, tmp_path):
    old, new = example_pair
    target = tmp_path / "report.md"
    result = _run(old, new, "-f", "markdown", "-o", target)
    assert result.exit_code == 0 and result.output == ""
    assert target.read_text(encoding="utf-8").startswith("### bmzcard diff:")


def test_rules_listing():
    result = _run("--rules")
    assert result.exit_code == 0
    assert "TENSOR_RENAMED" in result.output and "breaking" in result.output


def test_help_has_examples():
    result = _run("--help")
    assert result.exit_code == 0 and "bmzcard diff old_model/ new_model/" in result.output


def _bomb(folder: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 9):
        lines.append(f"{chr(97 + index)}: &{chr(97 + index)} [" + ", ".join([f"*{chr(96 + index)}"] * 10) + "]")
    (folder / "rdf.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _zip_slip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("rdf.yaml", "type: model\n")
        archive.writestr("../evil.txt", "x")
    return path


@pytest.mark.parametrize("hostile", ["yaml_bomb", "zip_slip", "binary_card", "deep_nesting", "missing", "huge_rdf"])
@pytest.mark.parametrize("side", ["old", "new"])
def test_hostile_input_refused_on_either_side(example_pair, tmp_path, hostile, side):
    good, bad = example_pair
    if hostile == "yaml_bomb":
        _bomb(bad)
    elif hostile == "zip_slip":
        bad = _zip_slip(tmp_path / "slip.zip")
    elif hostile == "binary_card":
        (bad / "README.md").write_bytes(b"# x\x00\x01\x02" * 100)
    elif hostile == "deep_nesting":
        (bad / "rdf.yaml").write_text("type: model\nnest: " + "[" * 300 + "]" * 300 + "\n", encoding="utf-8")
    elif hostile == "huge_rdf":
        (bad / "rdf.yaml").write_text("type: model\ndescription: '" + "x" * 2_100_000 + "'\n", encoding="utf-8")
    else:
        bad = tmp_path / "nowhere"
    args = (good, bad) if side == "new" else (bad, good)
    result = _run(*args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in result.output
    assert str(tmp_path) in lines[0] or "slip.zip" in lines[0]


def test_readme_markdown_example_is_what_the_command_prints(example_pair):
    old, new = example_pair

    def change(data):
        data["version"] = "0.2.0"
        for axis in data["inputs"][0]["axes"][2:]:
            axis["size"]["step"] = 32
        data["weights"].pop("onnx")

    edit_rdf(new, change)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("### diff", 1)[1].split("```markdown\n", 1)[1].split("\n```\n", 1)[0]
    result = _run(old, new, "--format", "markdown")
    assert result.exit_code == 1
    assert result.output.strip() == example.strip()


@pytest.mark.parametrize("in_table", [False, True], ids=["list item", "table cell"])
def test_a_quoted_value_reads_as_written_in_lists_and_tables(in_table):
    """A message's quoted value is a code span showing exactly its characters; the rest is plain text."""
    from bmzcard.diff.formats import markdown_message

    message = markdown_message("input `a|b` renamed to <b>x</b> *y*", in_table=in_table)
    page = f"| c |\n|---|\n| {message} |\n" if in_table else f"- {message}\n"
    html = MarkdownIt("commonmark").enable("table").render(page)
    assert "input <code>a|b</code> renamed to &lt;b&gt;x&lt;/b&gt; *y*" in html
