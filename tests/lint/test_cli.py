"""`bmzcard check` and `bmzcard rules` through the CLI: exit codes, inputs, settings, formats."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bmzcard.cli.app import app

runner = CliRunner()

GOOD_CARD = """# Tiny Model

A 2D U-Net that segments nuclei.

## Validation

Checked by hand on 10 images.
"""


def run(*args: str):
    return runner.invoke(app, ["check", *args])


def test_exit_code_1_when_errors_are_found(cards):
    result = run(str(cards / "dij__usiigaci.md"))
    assert result.exit_code == 1
    assert "dij__usiigaci.md:13:1: S001 [error]" in result.output


def test_exit_code_0_without_errors(tmp_path):
    card = tmp_path / "README.md"
    card.write_text(GOOD_CARD)
    # Only the structure warnings remain once the error-level missing sections are ignored.
    result = run(str(card), "--select", "S,P", "--ignore", "S001")
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x00\x01binary\x00", "binary file"),
        (b"caf\xe9 latin-1", "not UTF-8"),
    ],
)
def test_unreadable_card_is_a_clear_error_with_exit_2(tmp_path, content, message):
    card = tmp_path / "README.md"
    card.write_bytes(content)
    result = run(str(card))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_huge_card_is_refused(tmp_path):
    card = tmp_path / "README.md"
    card.write_bytes(b"# x\n" + b"a" * 5_000_001)
    result = run(str(card))
    assert result.exit_code == 2
    assert "not a model card" in result.output


def test_empty_card_is_a_finding(tmp_path):
    card = tmp_path / "README.md"
    card.write_text("\n\n")
    result = run(str(card), "--format", "json")
    assert result.exit_code == 1
    assert [f["code"] for f in json.loads(result.stdout)["files"][0]["findings"]] == ["S007"]


def test_malformed_markdown_is_checked_not_crashed(tmp_path):
    card = tmp_path / "README.md"
    card.write_text("# [unclosed\n```\nno end of fence\n| a | b\n|---\n<div>\n* \n[x](y\n")
    result = run(str(card), "--format", "json")
    assert result.exit_code == 1
    codes = {f["code"] for f in json.loads(result.stdout)["files"][0]["findings"]}
    assert "S001" in codes


def test_missing_path_exits_2():
    result = run("no/such/card.md")
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_package_folder_uses_its_rdf(unet2d, tmp_path):
    package = tmp_path / "unet2d"
    shutil.copytree(unet2d, package)
    (package / "README.md").write_text("# Some Other Model\n\nA 3D U-Net.\n\n- **License:** CC-BY-4.0\n")
    result = run(str(package), "--select", "C", "--format", "json")
    findings = json.loads(result.stdout)["files"][0]["findings"]
    assert [(f["line"], f["code"]) for f in findings] == [(1, "C001"), (3, "C004")]
    assert result.exit_code == 1  # C004 is an error


def test_zip_package(unet2d, tmp_path):
    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in ("bioimageio.yaml", "README.md", "cover0.png"):
            zipped.write(unet2d / name, name)
        zipped.writestr("doc.md", "")
    result = run(str(archive), "--format", "json")
    report = json.loads(result.stdout)["files"][0]
    assert report["path"].endswith("model.zip!/README.md")
    assert report["score"] > 0


@pytest.mark.parametrize("rdf_name", ["bioimageio.yaml", "v0_4_9.bioimageio.yaml"])
def test_package_checks_the_generated_card_and_the_rdfs_documentation(unet2d, tmp_path, rdf_name):
    """`check PACKAGE/`: README.md (what `generate` writes) and the other file `documentation` names, each reported."""
    from bmzcard.outputs.card import generate_card

    package = tmp_path / "unet2d"
    shutil.copytree(unet2d, package, ignore=shutil.ignore_patterns("*.pt", "*.onnx", "*bioimageio.yaml"))
    rdf = (unet2d / rdf_name).read_text().replace("documentation: README.md", "documentation: docs/model.md")
    assert "docs/model.md" in rdf
    (package / rdf_name).write_text(rdf)
    (package / "docs").mkdir()
    (package / "docs" / "model.md").write_text("# Some Other Model\n\nA 3D U-Net.\n\n- **License:** CC-BY-4.0\n")
    (package / "README.md").unlink()
    generate_card(package / rdf_name)
    result = run(str(package), "--select", "C", "--format", "json")
    reports = {Path(r["path"]).relative_to(package).as_posix(): r for r in json.loads(result.stdout)["files"]}
    assert list(reports) == ["README.md", "docs/model.md"]
    assert [f["code"] for f in reports["README.md"]["findings"]] == []  # bmzcard's own card agrees with its RDF
    assert [(f["line"], f["code"]) for f in reports["docs/model.md"]["findings"]] == [(1, "C001"), (3, "C004")]
    assert result.exit_code == 1

    (package / "README.md").unlink()  # only the documentation left
    result = run(str(package), "--format", "json")
    assert [Path(r["path"]).name for r in json.loads(result.stdout)["files"]] == ["model.md"]


def test_package_whose_documentation_is_its_readme_is_checked_once(unet2d, tmp_path):
    package = tmp_path / "unet2d"
    shutil.copytree(unet2d, package, ignore=shutil.ignore_patterns("*.pt", "*.onnx"))
    result = run(str(package), "--format", "json")
    assert [Path(r["path"]).name for r in json.loads(result.stdout)["files"]] == ["README.md"]


def test_zip_package_checks_the_card_generate_wrote_beside_it(unet2d, tmp_path):
    from bmzcard.outputs.card import generate_card

    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in ("bioimageio.yaml", "README.md", "cover0.png"):
            zipped.write(unet2d / name, name)
    generate_card(archive)
    assert (tmp_path / "model.README.md").is_file()
    result = run(str(archive), "--select", "C", "--format", "json")
    paths = [r["path"] for r in json.loads(result.stdout)["files"]]
    assert [Path(paths[0]).name, paths[1].endswith("model.zip!/README.md")] == ["model.README.md", True]
    assert result.exit_code == 0 and all("findings" in r for r in json.loads(result.stdout)["files"])


def test_folder_of_packages_with_a_summary_table(unet2d, tmp_path):
    for name in ("a", "b"):
        shutil.copytree(unet2d, tmp_path / "models" / name, ignore=shutil.ignore_patterns("*.pt", "*.onnx", "*.npy"))
    (tmp_path / "models" / "b" / "README.md").write_bytes(b"\x00")
    result = run(str(tmp_path / "models"))
    assert result.exit_code == 2  # b's card is unreadable; a is still checked
    assert "models/a/README.md:1:1: S005" in result.output.replace("\\", "/")
    assert "unreadable" in result.output
    assert "score" in result.output and "errors" in result.output  # the summary table


def test_folder_of_cards_in_parallel(cards):
    parallel = json.loads(run(str(cards), "--jobs", "2", "--format", "json").stdout)
    assert len(parallel["files"]) == 41
    assert [f["path"] for f in parallel["files"]] == sorted(f["path"] for f in parallel["files"])
    assert parallel == json.loads(run(str(cards), "--jobs", "1", "--format", "json").stdout)


def test_select_and_ignore_by_prefix(cards):
    template = str(cards / "bioimageio__model-card-template.md")
    selected = json.loads(run(template, "--select", "P00", "--ignore", "P001", "--format", "json").stdout)
    codes = {f["code"] for f in selected["files"][0]["findings"]}
    assert codes == {"P002", "P003"}


def test_unknown_code_is_an_error(cards):
    result = run(str(cards / "dij__usiigaci.md"), "--select", "X9")
    assert result.exit_code == 2
    assert "no rule has the code" in result.output


def test_settings_from_pyproject(tmp_path, monkeypatch, cards):
    (tmp_path / "pyproject.toml").write_text('[tool.bmzcard]\nselect = ["S005"]\nformat = "json"\n')
    monkeypatch.chdir(tmp_path)
    result = run(str(cards / "dij__usiigaci.md"))
    assert result.exit_code == 0
    assert [f["code"] for f in json.loads(result.stdout)["files"][0]["findings"]] == ["S005"]
    # The command line wins over the file.
    result = run(str(cards / "dij__usiigaci.md"), "--format", "text", "--select", "S001")
    assert "S001 [error]" in result.output and "S005" not in result.output


def test_settings_from_bmzcard_toml(tmp_path, monkeypatch, cards):
    (tmp_path / "bmzcard.toml").write_text('ignore = ["S"]\n')
    monkeypatch.chdir(tmp_path)
    result = run(str(cards / "dij__usiigaci.md"), "--format", "json")
    assert json.loads(result.stdout)["files"][0]["findings"] == []


@pytest.mark.parametrize("settings", ["bmzcard.toml", "pyproject.toml"])
def test_a_settings_file_cannot_turn_the_network_on(tmp_path, monkeypatch, settings):
    """`online = true` in a settings file (one a downloaded package may bring) is ignored, with a warning."""
    from bmzcard.lint.rules import links

    requested: list[str] = []
    monkeypatch.setattr(links, "url_problem", lambda url, timeout=10.0: requested.append(url))
    card = tmp_path / "README.md"
    card.write_text(GOOD_CARD + "\n[data](https://example.org/data)\n")
    table = "online = true\n" if settings == "bmzcard.toml" else "[tool.bmzcard]\nonline = true\n"
    (tmp_path / settings).write_text(table)
    monkeypatch.chdir(tmp_path)
    result = run(str(card), "--select", "L005")
    assert result.exit_code == 0, result.output
    assert requested == []
    warning = [line for line in result.stderr.splitlines() if "online" in line]
    assert warning == [f"warning: {tmp_path / settings}: tool.bmzcard.online: ignored: the network is used only "
                       "when `--online` is given on the command line"]
    result = run(str(card), "--select", "L005", "--online")  # the command line does turn it on
    assert result.exit_code == 0, result.output
    assert requested == ["https://example.org/data"]


def test_bad_settings_are_a_clear_error(tmp_path, monkeypatch, cards):
    (tmp_path / "bmzcard.toml").write_text('select = "S"\n')
    monkeypatch.chdir(tmp_path)
    result = run(str(cards / "dij__usiigaci.md"))
    assert result.exit_code == 2
    assert "`select` must be a list" in result.output


def test_bad_format_setting(tmp_path, monkeypatch, cards):
    (tmp_path / "bmzcard.toml").write_text('format = "xml"\n')
    monkeypatch.chdir(tmp_path)
    result = run(str(cards / "dij__usiigaci.md"))
    assert result.exit_code == 2
    assert "`format` must be one of text, json, sarif, github" in result.output


def test_pre_commit_hook_runs_check():
    from ruamel.yaml import YAML

    hooks = YAML(typ="safe").load(Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml")
    assert [hook["id"] for hook in hooks] == ["bmzcard-check"]
    entry = hooks[0]["entry"].split()
    assert entry[:2] == ["bmzcard", "check"]
    assert runner.invoke(app, [*entry[1:], "--help"]).exit_code == 0


def test_verify_without_a_recorded_evaluation_warns(cards):
    result = run(str(cards / "dij__usiigaci.md"), "--verify", "--select", "V001")
    assert result.exit_code == 0
    assert "V001" in result.output and "nothing to verify" in result.output


def test_output_file(tmp_path, cards):
    out = tmp_path / "report.sarif"
    result = run(str(cards / "dij__usiigaci.md"), "--format", "sarif", "--output", str(out))
    assert result.exit_code == 1
    assert json.loads(out.read_text())["version"] == "2.1.0"


def test_fix_shows_a_diff_and_keeps_a_backup(tmp_path):
    card = tmp_path / "README.md"
    original = (
        "# Model\n\nSummary.\n\n# Model Details\n\n### Model Description\n\n- **License:** MIT   \n\n\n\n"
        "# Uses\n\n## Direct Use\n\nRun it.\n"
    )
    card.write_text(original)
    result = run(str(card), "--fix", "--select", "S003,S009")
    assert "-### Model Description" in result.stdout and "+## Model Description" in result.stdout
    assert (tmp_path / "README.md.bak").read_text() == original
    assert "## Model Description\n\n- **License:** MIT\n\n# Uses" in card.read_text()
    # The report after the fix finds nothing left to fix.
    again = run(str(card), "--select", "S003,S009", "--format", "json")
    assert json.loads(again.stdout)["files"][0]["findings"] == []


def test_fix_with_json_keeps_stdout_parseable(tmp_path):
    card = tmp_path / "README.md"
    card.write_text("#Title\n\nText. \n")
    result = run(str(card), "--fix", "--format", "json")
    assert json.loads(result.stdout)["files"][0]["path"] == str(card)
    assert "+# Title" in result.stderr
    assert card.read_text() == "# Title\n\nText.\n"


def test_rules_lists_every_code():
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    for code in ("S001", "P001", "C007", "E004", "L003", "I003"):
        assert f"[{code}]({code}.md)" in result.output


def test_rules_shows_one_rule():
    result = runner.invoke(app, ["rules", "p002"])
    assert result.exit_code == 0
    assert result.output.startswith("# P002 unfilled-field")
    assert "## Why is this bad?" in result.output


def test_rules_unknown_code():
    result = runner.invoke(app, ["rules", "Z999"])
    assert result.exit_code == 2


def test_rules_writes_markdown_pages(tmp_path):
    result = runner.invoke(app, ["rules", "--markdown", str(tmp_path)])
    assert result.exit_code == 0
    assert (tmp_path / "README.md").is_file() and (tmp_path / "S001.md").is_file()


def test_help_works():
    result = runner.invoke(app, ["check", "--help"])
    assert result.exit_code == 0
    assert "--select" in result.output


def test_relative_paths(monkeypatch, cards):
    monkeypatch.chdir(cards)
    result = run("dij__usiigaci.md", "--format", "github")
    assert result.output.startswith("::warning file=dij__usiigaci.md,line=1,col=1,title=S005 warning::")
    assert Path(cards / "dij__usiigaci.md").is_file()
