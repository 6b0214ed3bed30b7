"""Paths in the sidecar and records are relative to the card: a moved package folder still verifies."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from bmzcard.carbon import estimate
from bmzcard.cli.app import app
from bmzcard.demo import evaluate_example
from bmzcard.example import eval_manifest_path, package_path
from bmzcard.outputs.card import generate_card
from bmzcard.sources.sidecar import read_sidecar

runner = CliRunner()


def _verify(card: str) -> list:
    result = runner.invoke(app, ["check", card, "--verify", "--select", "V001", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["files"][0]["findings"]


def test_an_evaluated_package_moved_elsewhere_still_verifies_from_inside(tmp_path, monkeypatch):
    first = tmp_path / "demo-output" / "package"
    shutil.copytree(package_path(), first)
    monkeypatch.chdir(tmp_path)  # relative paths on the command line, as `make demo` gives them
    generate_card(first.relative_to(tmp_path), force=True)
    evaluate_example(first.relative_to(tmp_path))

    sidecar = read_sidecar(first / "README.md")
    assert sidecar["inputs"]["rdf"] == "rdf.yaml"
    record = sidecar["evaluation"]
    assert record["package"] == "."
    assert "package_absolute" not in record
    manifest = eval_manifest_path().resolve()
    assert (first / record["manifest"]).resolve() == manifest  # relative to the card
    assert record["manifest_absolute"] == manifest.as_posix()  # outside the card's folder: kept too
    assert json.loads((first / "evaluation" / "summary.json").read_text())["settings"]["package"] == "."

    monkeypatch.chdir(first)  # `cd demo-output/package && bmzcard check README.md --verify`
    assert _verify("README.md") == []

    moved = tmp_path / "elsewhere" / "deeper" / "package"
    moved.parent.mkdir(parents=True)
    shutil.move(first, moved)
    monkeypatch.chdir(moved)
    assert _verify("README.md") == []


def test_data_inside_the_package_moves_with_it(tmp_path, monkeypatch):
    package = tmp_path / "package"
    shutil.copytree(package_path(), package)
    shutil.copytree(eval_manifest_path().parent, package / "data")
    monkeypatch.chdir(tmp_path)
    generate_card(package, force=True)
    evaluate = runner.invoke(app, [
        "evaluate", "package", "--data", "package/data/manifest.csv", "--threshold", "0.5", "--weight-format", "onnx",
        "--device", "cpu", "--write-card", "--dataset-id", "x", "--dataset-source", "https://example.org/x"])
    assert evaluate.exit_code == 0, evaluate.output
    record = read_sidecar(package / "README.md")["evaluation"]
    assert (record["manifest"], record["package"]) == ("data/manifest.csv", ".")
    assert "manifest_absolute" not in record

    moved = tmp_path / "moved" / "package"
    moved.parent.mkdir()
    shutil.move(package, moved)
    assert _verify(str(moved / "README.md")) == []


def test_a_record_is_named_from_the_card_in_the_sidecar(tmp_path, monkeypatch):
    package = tmp_path / "package"
    shutil.copytree(package_path(), package)
    records = tmp_path / "records"
    records.mkdir()
    (records / "carbon.json").write_text(json.dumps(estimate("T4", 2, intensity_kg_per_kwh=0.3).to_json()))
    monkeypatch.chdir(records)
    generate_card(package, force=True, records=["carbon.json"])
    facts = read_sidecar(package / "README.md")["facts"]
    wheres = {s["where"] for f in facts for s in f["sources"] if s["kind"] == "computed"}
    assert wheres == {"../records/carbon.json"}
