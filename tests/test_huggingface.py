"""`export hf` / `import hf`: Hub cards checked with huggingface_hub itself, on real RDFs and hostile cards.

Expected values are written out by hand from the RDFs built here (kg x 1000 = g,
the SPDX page of GPL-3.0-only, the sorted tag list); huggingface_hub's
`ModelCard.load` is the reader that says what the Hub sees.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from huggingface_hub import ModelCard
from typer.testing import CliRunner

from bmzcard.cli.app import app
from bmzcard.errors import BmzcardError
from bmzcard.publish.huggingface import build_hub_card, export_hf, import_hf
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


def test_every_real_rdf_exports_or_fails_like_generate(shared: Path, tmp_path: Path, no_network):
    exported = 0
    for rdf in sorted((shared / "bmz" / "rdfs").glob("*.yaml")):
        try:
            expected = load_rdf(open_package(rdf))
        except BmzcardError as error:
            with pytest.raises(BmzcardError) as raised:
                build_hub_card(rdf)
            assert str(raised.value) == str(error)
            continue
        if getattr(expected.description, "type", None) != "model":
            continue
        hub, _, _ = build_hub_card(rdf)
        card = ModelCard(hub.text)
        assert card.data.bioimageio["rdf_sha256"] == expected.sha256
        exported += 1
    assert exported >= 170


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
