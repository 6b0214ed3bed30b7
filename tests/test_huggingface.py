"""`export hf` / `import hf`: Hub cards checked with huggingface_hub itself, on real RDFs and hostile cards.

Expected values are written out by hand from the RDFs built here (kg x 1000 = g,
the SPDX page of GPL-3.0-only, the sorted tag list); huggingface_hub's
`ModelCard.load` is the reader that says what the Hub sees.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from huggingface_hub import ModelCard
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from bmzcard.cli.app import app
from bmzcard.errors import BmzcardError
from bmzcard.publish.huggingface import build_hub_card, export_hf, import_hf, import_hf_into
from bmzcard.sources import huggingface as hub_source
from bmzcard.sources.huggingface import parse_hub_card, rdf_fields
from bmzcard.sources.package import open_package
from bmzcard.sources.rdf import load_rdf

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "src" / "bmzcard" / "example" / "package"
runner = CliRunner()

EVALUATION = {
    "dataset_id": "nuclei-test",
    "dataset_source": "https://zenodo.org/records/123",
    "dataset_role": "test",
    "sample_count": 40,
    "evaluation_factors": ["Overall", "low SNR"],
    "evaluation_factors_long": ["all 40 images", "the 20 images below SNR 4"],
    "metrics": ["Dice", "IoU"],
    "metrics_long": ["Dice coefficient", "intersection over union"],
    "results": [["0.91 ± 0.03", "0.85 ± 0.05"], [0.83, "n/a"]],
}


@pytest.fixture()
def model(tmp_path: Path) -> Path:
    """The example package with evaluations, emissions, a Hub parent and Hub training data."""
    folder = tmp_path / "model"
    shutil.copytree(EXAMPLE, folder)
    rdf = yaml.safe_load((folder / "rdf.yaml").read_text())
    rdf["id"] = "affable-shark"
    rdf["tags"] = ["unet2d", "nuclei", "semantic-segmentation", "nuclei", "biology"]
    rdf["parent"] = {"id": "huggingface/bmz-org/base-unet"}
    rdf["training_data"] = {"id": "huggingface/bmz-org/synthetic-nuclei"}
    config = rdf["config"]["bioimageio"]
    config["evaluations"] = [EVALUATION]
    config["environmental_impact"].update(co2_emitted=0.0123, compute_region="Germany", cloud_provider="none")
    (folder / "rdf.yaml").write_text(yaml.safe_dump(rdf, sort_keys=False, allow_unicode=True))
    (folder / "README.md").write_text("# Example\n\nA card.\n\n![cover](cover.png)\n\n![sample](./sample_input.png)\n")
    return folder


def test_bundled_license_list_is_the_shared_file_unchanged(shared: Path):
    bundled = Path(hub_source.__file__).parent / "data" / "hub-licenses.tsv"
    assert bundled.read_bytes() == (shared / "hf" / "hub-licenses.tsv").read_bytes()
    notice = (bundled.parent / "NOTICE.md").read_text()
    assert "huggingface/hub-docs" in notice and "008d54d" in notice


def test_export_is_read_by_huggingface_hub_with_the_expected_values(model: Path, tmp_path: Path, no_network):
    out = tmp_path / "hub"
    report = export_hf(model, out)
    card = ModelCard.load(out / "README.md")
    data = card.data.to_dict()
    assert data["license"] == "mit" and "license_name" not in data
    assert data["tags"] == ["bioimage-io", "biology", "nuclei", "semantic-segmentation", "unet2d"]
    assert data["library_name"] == "pytorch"  # torchscript is the training format (onnx has a parent)
    assert data["pipeline_tag"] == "image-segmentation"
    assert data["base_model"] == "bmz-org/base-unet"
    assert data["datasets"] == ["bmz-org/synthetic-nuclei"]
    assert data["co2_eq_emissions"] == {
        "emissions": 12.3,  # 0.0123 kg
        "source": "bioimage.io RDF, config.bioimageio.environmental_impact",
        "training_type": "fine-tuning",
        "geographical_location": "Germany",
        "hardware_used": "1 thread on AMD EPYC (2 logical cores), CPU only (no GPU)",
    }
    assert data["bioimageio"]["id"] == "affable-shark" and data["bioimageio"]["version"] == "0.1.0"
    assert data["bioimageio"]["task"] == "semantic segmentation"
    assert len(data["bioimageio"]["rdf_sha256"]) == 64
    # model-index: one result per metric x factor level with a number; the mean of "0.91 ± 0.03"
    got = {(r.metric_name, r.dataset_config): r.metric_value for r in card.data.eval_results}
    assert got == {("Dice", "Overall"): 0.91, ("Dice", "low SNR"): 0.85, ("IoU", "Overall"): 0.83}
    for result in card.data.eval_results:
        assert (result.task_type, result.dataset_type, result.dataset_split) == ("image-segmentation", "nuclei-test", "test")
    index = data["model-index"]
    assert isinstance(index, list) and index[0]["name"] == "bmzcard Example Nuclei U-Net"
    assert {r["dataset"]["config"] for r in index[0]["results"]} == {"Overall", "low SNR"}
    # the card's Markdown follows the header; images copied beside it
    assert card.text.lstrip().startswith("# Example")
    assert (out / "cover.png").read_bytes() == (model / "cover.png").read_bytes()
    assert (out / "sample_input.png").is_file()
    unmapped = "\n".join(report.unmapped)
    for lost in ("hours_used", "cloud_provider", "sample_count 40", "metrics_long", "https://zenodo.org/records/123",
                 "IoU at low SNR is 'n/a'"):
        assert lost in unmapped


def test_license_other_has_name_and_spdx_link(shared: Path, tmp_path: Path):
    hub, _, _ = build_hub_card(shared / "bmz" / "rdfs" / "zoo__patient-swan__v0.yaml")
    (tmp_path / "README.md").write_text(hub.text)
    data = ModelCard.load(tmp_path / "README.md").data.to_dict()
    assert data["license"] == "other"
    assert data["license_name"] == "gpl-3.0-only"
    assert data["license_link"] == "https://spdx.org/licenses/GPL-3.0-only.html"


def test_non_spdx_license_is_reported_and_takes_a_given_link(shared: Path):
    rdf = shared / "bmz" / "rdfs" / "cbio__deepimagej_UNet2DHeLaSegmentation__vlatest.yaml"  # license: BSD-2
    hub, _, _ = build_hub_card(rdf)
    data = ModelCard(hub.text).data.to_dict()
    assert (data["license"], data["license_name"], "license_link" in data) == ("other", "bsd-2", False)
    assert any("--license-link" in line for line in hub.unmapped)
    linked, _, _ = build_hub_card(rdf, license_link="https://example.org/LICENSE")
    assert ModelCard(linked.text).data.license_link == "https://example.org/LICENSE"


def test_every_license_written_is_one_the_hub_accepts(shared: Path):
    accepted = set(hub_source.hub_licenses())
    for rdf in sorted((shared / "bmz" / "rdfs").glob("*.yaml"))[:60]:
        try:
            hub, _, _ = build_hub_card(rdf)
        except BmzcardError:
            continue
        data = ModelCard(hub.text).data.to_dict()
        assert data.get("license") in accepted, rdf.name
        assert isinstance(data.get("datasets", []), list)


def test_same_bytes_under_different_hash_seeds(model: Path, tmp_path: Path):
    outputs = []
    for seed in ("0", "1"):
        out = tmp_path / f"hub{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO / "src")}
        subprocess.run([sys.executable, "-m", "bmzcard", "export", "hf", str(model), "-o", str(out)],
                       check=True, env=env, capture_output=True)
        outputs.append((out / "README.md").read_bytes())
    assert outputs[0] == outputs[1]


def test_import_of_export_gives_back_every_mapped_field(model: Path, tmp_path: Path):
    export_hf(model, tmp_path / "hub")
    report = import_hf(tmp_path / "hub" / "README.md", tmp_path / "back")
    fragment = yaml.safe_load((tmp_path / "back" / "rdf-fragment.yaml").read_text())
    original = yaml.safe_load((model / "rdf.yaml").read_text())
    assert fragment["license"] == original["license"] == "MIT"
    assert fragment["id"] == "affable-shark" and fragment["version"] == "0.1.0"
    assert fragment["format_version"] == original["format_version"]
    assert sorted(fragment["tags"]) == sorted(set(original["tags"]) - {"biology"})  # biology is one the export adds
    assert fragment["parent"] == original["parent"]
    assert fragment["training_data"] == original["training_data"]
    config, original_config = fragment["config"]["bioimageio"], original["config"]["bioimageio"]
    assert config["task"] == original_config["task"]
    impact = original_config["environmental_impact"]
    assert config["environmental_impact"] == {"co2_emitted": impact["co2_emitted"],
                                              "hardware_type": impact["hardware_type"],
                                              "compute_region": impact["compute_region"]}
    [evaluation] = config["evaluations"]
    for key in ("dataset_id", "dataset_role", "evaluation_factors", "metrics"):
        assert evaluation[key] == EVALUATION[key], key
    assert evaluation["results"] == [[0.91, 0.85], [0.83, "n/a"]]  # the means; ± stays in the card
    assert report.source_sha256 == load_rdf(open_package(model)).sha256
    assert (tmp_path / "back" / "README.md").read_text().startswith("# Example")
    assert (tmp_path / "back" / "cover.png").is_file()
    assert any("sample_count" in line for line in report.lossy)


def test_every_real_rdf_exports_and_a_rejected_one_as_written(shared: Path, tmp_path: Path, no_network):
    """All 196 shared RDFs export (exit 0); the ones bioimageio.spec rejects (those `generate` refuses)
    get a card from the RDF as written, the spec's error first in --report and printed as a warning."""
    rejected = 0
    for rdf in sorted((shared / "bmz" / "rdfs").glob("*.yaml")):
        out = tmp_path / rdf.stem
        result = runner.invoke(app, ["export", "hf", str(rdf), "-o", str(out), "--report"])
        assert result.exit_code == 0, (rdf.name, result.output)
        card = ModelCard.load(out / "README.md")
        assert card.data.bioimageio["rdf_sha256"] == hashlib.sha256(rdf.read_bytes()).hexdigest(), rdf.name
        assert card.data.license in hub_source.hub_licenses(), rdf.name
        try:
            load_rdf(open_package(rdf))
        except BmzcardError as error:
            rejected += 1
            assert str(error) in result.stdout.splitlines()[0], rdf.name  # the spec's error, listed first
            assert "warning:" in result.stderr and str(error) in result.stderr, rdf.name
            raw = yaml.safe_load(rdf.read_text())
            first_author = raw["authors"][0]
            first_author = first_author if isinstance(first_author, str) else first_author["name"]
            text = " ".join(card.text.split())
            for written in (raw["description"].split()[0], first_author.split(";")[0].split()[-1]):
                assert written in text, (rdf.name, written)
            assert card.text.lstrip().startswith("# ")
        else:
            assert "warning:" not in result.stderr, rdf.name
    assert rejected == 22  # the spec's examples that are invalid on purpose, and older zoo and deepImageJ files


def test_rejected_rdf_is_mapped_as_written_and_escaped(tmp_path: Path, no_network):
    rdf = tmp_path / "rdf.yaml"  # no inputs, outputs or weights: bioimageio.spec rejects it
    rdf.write_text(yaml.safe_dump({
        "format_version": "0.4.10", "type": "model", "id": "odd-owl", "version": "1.2",
        "name": "<img src=x onerror=alert(1)> Nuclei",
        "description": "# not a heading\nsee [here](javascript:alert(1))",
        "authors": [{"name": "Ada Lovelace", "affiliation": "Analytical *Engines*"}, "Charles Babbage;@cb"],
        "license": "MIT", "tags": ["segmentation", "nuclei", "nuclei"],
        "git_repo": "https://github.com/example/odd-owl",
        "cite": [{"text": "Lovelace 1843", "doi": "10.1234/notes"}, {"text": "bad", "url": "javascript:alert(1)"}],
        "links": ["ilastik/ilastik", "https://example.org/demo"],
        "parent": {"id": "huggingface/bmz-org/base-unet"},
        "config": {"bioimageio": {"task": "instance segmentation"}},
    }))
    hub, source, _ = build_hub_card(rdf)
    assert source == "the RDF as written" and "Field required" in hub.rejected
    assert hub.unmapped[0].startswith(hub.rejected)
    (tmp_path / "README.md").write_text(hub.text)
    card = ModelCard.load(tmp_path / "README.md")
    data = card.data.to_dict()
    assert data["license"] == "mit"
    assert data["tags"] == ["bioimage-io", "biology", "nuclei", "segmentation"]
    assert data["pipeline_tag"] == "image-segmentation" and data["base_model"] == "bmz-org/base-unet"
    assert data["bioimageio"]["id"] == "odd-owl" and data["bioimageio"]["version"] == "1.2"
    assert data["bioimageio"]["format_version"] == "0.4.10" and data["bioimageio"]["task"] == "instance segmentation"
    assert "library_name" not in data  # the RDF names no weights
    lines = card.text.splitlines()
    html = MarkdownIt("commonmark").render(card.text)  # raw HTML allowed: only escaping keeps it out
    assert "<img" not in html and 'href="javascript' not in html and html.count("<a href=") == 4
    assert "<h1>not a heading" not in html and html.count("<h1>") == 1
    assert "- **Authors:** Ada Lovelace (Analytical \\*Engines\\*); Charles Babbage" in lines
    assert "- **License:** [MIT](https://spdx.org/licenses/MIT.html)" in lines
    assert "- [repository](https://github.com/example/odd-owl)" in lines
    assert "- [Lovelace 1843](https://doi.org/10.1234/notes)" in lines
    assert "- [https://example.org/demo](https://example.org/demo)" in lines
    assert "ilastik/ilastik" not in card.text  # a zoo id, not a web address


def test_non_models_and_broken_yaml_still_fail_with_one_line(tmp_path: Path):
    cases = {
        "dataset.yaml": ("type: dataset\nname: cells\nformat_version: 0.2.4\n", "describes a dataset, not a model"),
        "application.yaml": ("type: application\nname: viewer\n", "describes a application, not a model"),
        "untyped.yaml": ("name: something\n", "names no type"),
        "broken.yaml": ("name: [unclosed\n", "invalid YAML"),
        "list.yaml": ("- a\n- b\n", "not a YAML mapping"),
    }
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text)
        out = tmp_path / f"out-{name}"
        result = runner.invoke(app, ["export", "hf", str(tmp_path / name), "-o", str(out)])
        assert result.exit_code == 2, (name, result.output)
        assert message in result.output and len(result.output.strip().splitlines()) == 1, (name, result.output)
        assert "Traceback" not in result.output and not out.exists(), name


def test_report_lists_what_model_index_leaves_out_of_the_results(model: Path, tmp_path: Path):
    (model / "README.md").write_text("# Example\n\nDice 0.91, 95% confidence interval 0.88 to 0.94.\n")
    result = runner.invoke(app, ["export", "hf", str(model), "-o", str(tmp_path / "hub"), "--report"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "means only" in line]
    assert len(lines) == 2, result.stdout
    results_line = next(line for line in lines if "evaluations[0].results" in line)
    for left_out in ("Dice at Overall ± 0.03", "Dice at low SNR ± 0.05", "n = 40 samples"):
        assert left_out in results_line, left_out
    assert "IoU at Overall" not in results_line  # 0.83: a bare mean, nothing left out
    assert any("confidence intervals" in line for line in lines)
    # without intervals in the card's text, none are claimed
    (model / "README.md").write_text("# Example\n")
    result = runner.invoke(app, ["export", "hf", str(model), "-o", str(tmp_path / "hub2"), "--report"])
    assert "confidence interval" not in result.stdout


def _card(header: str, body: str = "# Model\n") -> bytes:
    return f"---\n{header}\n---\n{body}".encode()


def test_hostile_headers_get_clear_errors():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh"))
    cases = {
        "aliases": (bomb, "billion laughs"),
        "huge list": ("tags: [" + ", ".join(f"t{i}" for i in range(5000)) + "]", "more than 1,000"),
        "not a mapping": ("- a\n- b", "not a mapping"),
        "bad yaml": ("license: [unclosed", "invalid YAML"),
    }
    for name, (header, message) in cases.items():
        with pytest.raises(BmzcardError) as raised:
            parse_hub_card(_card(header), "card.md")
        assert message in str(raised.value), name
        assert str(raised.value).startswith("card.md"), name
    with pytest.raises(BmzcardError, match="no YAML header"):
        parse_hub_card(b"# just markdown\n", "card.md")


def test_odd_fields_are_reported_as_lossy_not_crashing():
    header = yaml.safe_dump({
        "license": "not-a-hub-license",
        "tags": ["ok", {"nested": 1}],
        "pipeline_tag": "text-generation",
        "language": ["en"],
        "co2_eq_emissions": "a lot",
        "model-index": [
            {"name": "first", "results": [{"task": {"type": "image-segmentation"},
                                           "dataset": {"type": "d1", "name": "d1", "split": "test"},
                                           "metrics": [{"type": "dice", "name": "Dice", "value": "0.9 ± 0.1"},
                                                       {"type": "iou", "value": "high"}]}]},
            {"name": "second", "results": [{"task": {"type": "image-segmentation"},
                                            "dataset": {"type": "d2", "name": "d2", "split": "holdout"},
                                            "metrics": [{"type": "dice", "value": 0.8}]}]},
            {"results": "broken"},
        ],
    })
    card = parse_hub_card(_card(header), "card.md")
    assert [name for name, _ in card.evaluations] == ["first", "second"]  # both entries, not the last name only
    mapped = rdf_fields(card)
    lossy = "\n".join(mapped.lossy)
    assert "license" not in mapped.fields and "not a license the Hub accepts" in lossy
    assert mapped.fields["tags"] == ["ok"] and "tags[1]" in lossy
    assert "text-generation" in lossy and "language" in lossy and "co2_eq_emissions.emissions" in lossy
    assert "model-index[2]: not an entry with a name and a list of results" in lossy
    evaluations = mapped.fields["config"]["bioimageio"]["evaluations"]
    assert evaluations[0]["results"] == [["0.9 ± 0.1"], ["high"]] and "not a number ('high')" in lossy
    assert evaluations[1]["dataset_role"] == "unknown" and "'holdout'" in lossy


def test_hub_license_family_and_other_are_mapped_back_only_when_spdx():
    def license_of(header: dict) -> tuple[object, str]:
        mapped = rdf_fields(parse_hub_card(_card(yaml.safe_dump(header)), "c.md"))
        return mapped.fields.get("license"), "\n".join(mapped.lossy)

    assert license_of({"license": "apache-2.0"})[0] == "Apache-2.0"
    assert license_of({"license": "other", "license_name": "gpl-3.0-only", "license_link": "x"})[0] == "GPL-3.0-only"
    assert license_of({"license": "bsd"}) == (None, "license: the Hub's 'bsd' (BSD license family) is no SPDX identifier; dropped")


def test_export_never_writes_outside_the_output_folder(model: Path, tmp_path: Path):
    (model / "docs").mkdir()
    (model / "docs" / "card.md").write_text("# Card\n\n![a](../cover.png)\n\n![b](/etc/hostname)\n"
                                            "\n![c](../../outside.png)\n")
    (tmp_path / "outside.png").write_bytes(b"secret")
    out = tmp_path / "hub"
    report = export_hf(model, out, card=model / "docs" / "card.md")
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == ["README.md", "images/cover.png"]
    text = (out / "README.md").read_text()
    assert "](images/cover.png)" in text and "../../outside.png" in text  # left as written, not copied
    assert len(report.notes) == 2


def test_import_refuses_to_replace_the_hub_card_itself(model: Path, tmp_path: Path):
    export_hf(model, tmp_path / "hub")
    with pytest.raises(BmzcardError, match="Hub card itself"):
        import_hf(tmp_path / "hub" / "README.md", tmp_path / "hub")


def test_cli_export_import_and_push_needs_online(model: Path, tmp_path: Path, monkeypatch):
    result = runner.invoke(app, ["export", "hf", str(model), "-o", str(tmp_path / "hub"), "--report"])
    assert result.exit_code == 0, result.output
    assert "not mapped" in result.stdout and "hours_used" in result.stdout
    result = runner.invoke(app, ["import", "hf", str(tmp_path / "hub" / "README.md"), "-o", str(tmp_path / "b")])
    assert result.exit_code == 0 and (tmp_path / "b" / "rdf-fragment.yaml").is_file()
    result = runner.invoke(app, ["export", "hf", str(model), "-o", str(tmp_path / "h2"), "--push", "org/m"])
    assert result.exit_code == 2 and "--online" in result.output and not (tmp_path / "h2").exists()
    calls = []

    class Commit:
        commit_url = "https://huggingface.co/org/m/commit/abc"

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "upload_folder", lambda **kwargs: calls.append(kwargs) or Commit())
    result = runner.invoke(app, ["export", "hf", str(model), "-o", str(tmp_path / "h3"), "--push", "org/m", "--online"])
    assert result.exit_code == 0, result.output
    assert calls == [{"repo_id": "org/m", "folder_path": tmp_path / "h3", "repo_type": "model",
                      "commit_message": "Model card exported by bmzcard"}]
    result = runner.invoke(app, ["import", "hf", str(tmp_path / "missing.md")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_one_malformed_result_costs_only_itself_and_is_named_in_words():
    good = {"task": {"type": "image-segmentation"}, "dataset": {"type": "d", "name": "d", "split": "test"},
            "metrics": [{"type": "dice", "name": "Dice", "value": 0.9}]}
    header = yaml.safe_dump({"model-index": [{"name": "m", "results": [
        good, "not a result", {"task": {"type": "image-segmentation"}, "dataset": {"name": "d"}},
        {"task": "segmentation", "dataset": {"type": "d", "name": "d"}, "metrics": [{"type": "f1", "value": 1}]},
        {**good, "metrics": [{"type": "iou", "value": 0.5}, "0.7", {"value": 0.2}]},
    ]}]})
    card = parse_hub_card(_card(header), "card.md")
    lossy = "\n".join(card.lossy)
    assert [(r.metric_type, r.metric_value) for _, results in card.evaluations for r in results] == [
        ("dice", 0.9), ("iou", 0.5)]
    for index in (1, 2, 3):
        assert f"model-index[0].results[{index}]" in lossy
    assert "model-index[0].results[4].metrics[1]" in lossy and "model-index[0].results[4].metrics[2]" in lossy
    assert "Error" not in lossy  # said in words, not as a Python exception


# --- import hf --into PACKAGE --------------------------------------------------


def _edit_header(card: Path, edit) -> None:
    """Change a Hub card's header as someone on the Hub would (the Markdown below it kept)."""
    _, header, body = card.read_text().split("---\n", 2)
    data = yaml.safe_load(header)
    edit(data)
    card.write_text("---\n" + yaml.safe_dump(data, sort_keys=False) + "---\n" + body)


def test_import_into_an_unchanged_package_changes_nothing(model: Path, tmp_path: Path, no_network):
    export_hf(model, tmp_path / "hub")
    before = {p.name: p.read_bytes() for p in model.iterdir()}
    result = runner.invoke(app, ["import", "hf", str(tmp_path / "hub" / "README.md"), "--into", str(model)])
    assert result.exit_code == 0, result.output
    assert {p.name: p.read_bytes() for p in model.iterdir()} == before  # no backup, no sidecar, nothing rewritten
    assert "nothing to change" in result.output


def test_import_into_patches_the_rdf_keeping_every_other_byte(tmp_path: Path, no_network):
    package = tmp_path / "example"
    shutil.copytree(EXAMPLE, package)
    export_hf(package, tmp_path / "hub")
    hub = tmp_path / "hub" / "README.md"

    def edit(data):
        data["license"] = "apache-2.0"
        data["tags"].append("fluorescence")
        data["co2_eq_emissions"] = {"emissions": 20.0}
    _edit_header(hub, edit)
    old = (package / "rdf.yaml").read_text()
    result = runner.invoke(app, ["import", "hf", str(hub), "--into", str(package), "--report"])
    assert result.exit_code == 0, result.output
    # by hand: the license line, one tag appended to the block list, co2_emitted added under environmental_impact
    expected = old.replace("license: MIT\n", "license: Apache-2.0\n", 1).replace(
        "  - example\n", "  - example\n  - fluorescence\n", 1).replace(
        "      hours_used: 0.08126\n", "      hours_used: 0.08126\n      co2_emitted: 0.02\n", 1)
    assert expected != old and (package / "rdf.yaml").read_text() == expected
    assert (package / "rdf.yaml.bak").read_text() == old
    load_rdf(open_package(package))  # bioimageio.spec accepts the patched RDF
    assert "license: 'MIT' -> 'Apache-2.0'" in result.output and "added 'fluorescence'" in result.output
    # the README there is the Hub card's text (the export took it from the package): nothing to replace
    assert not (package / "README.md.bak").exists()


def test_import_into_keeps_identity_parent_and_results_and_says_so(model: Path, tmp_path: Path):
    export_hf(model, tmp_path / "hub")
    hub = tmp_path / "hub" / "README.md"

    def edit(data):
        data["bioimageio"]["id"] = "other-model"
        data["bioimageio"].pop("task")  # only pipeline_tag left: the Hub's coarse word
        data["base_model"] = "someone/else"
        results = data["model-index"][0]["results"]
        dice = next(r for r in results if r["dataset"]["config"] == "Overall" and r["metrics"][0]["name"] == "Dice")
        dice["metrics"][0]["value"] = 0.95
        results.append({**results[0], "dataset": {"type": "new-set", "name": "new-set", "split": "test",
                                                  "config": "Overall"}})
    _edit_header(hub, edit)
    old = (model / "rdf.yaml").read_bytes()
    report = import_hf_into(hub, model)
    assert report.rdf_changes == [] and (model / "rdf.yaml").read_bytes() == old
    lossy = "\n".join(report.lossy)
    assert "id: the card says 'other-model', the package 'affable-shark'; kept the package's" in lossy
    assert "parent: the card says {'id': 'huggingface/someone/else'}" in lossy
    assert "Dice at Overall on nuclei-test (test) is 0.95 on the card, '0.91 ± 0.03' in the package" in lossy
    assert "the results on new-set (test) are not in the package; not added" in lossy
    assert "IoU at low SNR on nuclei-test" not in lossy  # n/a on both sides: no difference
    assert "another version of this RDF" not in lossy  # the same RDF bytes the card was exported from


def test_import_into_reports_a_card_conflict_and_force_keeps_a_backup(model: Path, tmp_path: Path):
    export_hf(model, tmp_path / "hub")
    hub = tmp_path / "hub" / "README.md"
    _edit_header(hub, lambda data: data.update(license="apache-2.0"))
    hub.write_text(hub.read_text().replace("A card.", "A card, edited on the Hub."))
    human = "# Example\n\nThe author's own words.\n"
    (model / "README.md").write_text(human)
    result = runner.invoke(app, ["import", "hf", str(hub), "--into", str(model)])
    assert result.exit_code == 1, result.output
    assert "conflict:" in result.output and "--force" in result.output
    assert (model / "README.md").read_text() == human and not (model / "README.md.bak").exists()
    assert "license: Apache-2.0" in (model / "rdf.yaml").read_text()  # the RDF patch does not wait for the card
    result = runner.invoke(app, ["import", "hf", str(hub), "--into", str(model), "--force"])
    assert result.exit_code == 0, result.output
    assert (model / "README.md.bak").read_text() == human
    assert (model / "README.md").read_text().startswith("# Example\n\nA card, edited on the Hub.")
    sidecar = json.loads((model / "README.md.bmzcard.json").read_text())
    assert sidecar["facts"] == [] and sidecar["inputs"]["hub_card"] == str(hub)  # every word is the Hub's


def test_import_into_refuses_a_zip_and_bad_options(model: Path, tmp_path: Path):
    export_hf(model, tmp_path / "hub")
    hub = tmp_path / "hub" / "README.md"
    archive = shutil.make_archive(str(tmp_path / "model"), "zip", model)
    for args, message in (
        (["--into", archive], "unzip it"),
        (["--into", str(model), "-o", str(tmp_path / "x")], "not both"),
        (["-o", str(tmp_path / "y"), "--force"], "--force only applies with --into"),
    ):
        result = runner.invoke(app, ["import", "hf", str(hub), *args])
        assert result.exit_code == 2 and message in result.output, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
