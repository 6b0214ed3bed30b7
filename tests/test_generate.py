"""`generate` on the real unet2d_nuclei_broad package, both formats, and merging with human text."""

from __future__ import annotations

import json
import re
import shutil
import warnings
from pathlib import Path

import pytest

from bmzcard.errors import BmzcardError
from bmzcard.outputs.card import generate_card
from bmzcard.sources.sidecar import sidecar_path
from bmzcard.sources.readme import parse_card
from bmzcard.template import TEMPLATE

RDF_FILES = ("bioimageio.yaml", "v0_4_9.bioimageio.yaml")


@pytest.fixture()
def package(tmp_path, unet2d) -> Path:
    """A private copy: generate writes README.md beside the RDF."""
    target = tmp_path / "unet2d"
    shutil.copytree(unet2d, target)
    return target


def _card(package: Path, rdf: str) -> str:
    return generate_card(package / rdf, package / "card.md").text


@pytest.mark.parametrize("rdf", RDF_FILES)
def test_card_has_the_template_headings_and_labels(package, rdf):
    card = parse_card(_card(package, rdf))
    assert [h.section_key for h in card.headings] == [s.key for s in TEMPLATE.sections]
    assert card.headings[0].title == "UNet 2D Nuclei Broad"
    ours = [(i.heading.section_key, i.label) for i in card.fields if i.heading.section_key != "glossary"]
    assert ours == [(s.key, f.label) for s in TEMPLATE.sections for f in s.fields]


@pytest.mark.parametrize("rdf", RDF_FILES)
def test_card_holds_every_fact_of_the_spec_hugging_face_card(package, rdf):
    """Each model fact that bioimageio.spec's own generator writes is in our card too."""
    from bioimageio.spec import load_description
    from bioimageio.spec._hf_card import create_huggingface_model_card

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        description = load_description(package / rdf, perform_io_checks=False, format_version="latest")
        reference, images = create_huggingface_model_card(description, repo_id="org/model")
    ours = _card(package, rdf)

    model_urls = {u for u in re.findall(r"\((https?://[^)\s]+)\)", reference)
                  if "orcid" in u or "spdx" in u or "github.com/bioimage-io/spec" in u}
    assert model_urls and all(url in ours for url in model_urls)
    dois = set(re.findall(r"10\.\d{4,}/[^\s)]+", reference))
    assert dois and all(f"https://doi.org/{doi}" in ours for doi in dois)
    for author in description.authors:
        assert author.name in ours and author.affiliation in ours
    for tensor in [*description.inputs, *description.outputs]:
        assert f"`{tensor.id}`" in ours and str(tensor.dtype) in ours
    assert str(description.training_data.id) in ours
    for weights_format in description.weights.available_formats:
        assert f"`{weights_format}`" in ours
    assert "2.5.1" in ours and "opset 20" in ours  # framework versions
    assert "![cover image" in ours  # covers embedded as images
    assert len(re.findall(r"!\[sample (?:input|output)", ours)) == len(images) - 1  # same samples, as images
    assert "missing" not in ours.lower()


def test_defects_of_the_spec_generator_are_absent(package):
    ours = _card(package, "bioimageio.yaml")
    # output images start with `![`, shapes are words not objects, a range shows both ends
    assert re.search(r"^\s*!\[sample output `probability`\]\(test_output\.png\)", ours, re.M)
    assert "tensor_id=" not in ours and "ParameterizedSize" not in ours
    assert "| 0 to 1 |" in ours
    # model size lists every weight format, not only the first
    size_line = next(line for line in ours.splitlines() if line.startswith("- **Model size:**"))
    assert "ONNX: 1.81 MB" in size_line and "TorchScript): 1.87 MB" in size_line


def test_defaults_of_bias_risks_are_not_presented_as_authored(package):
    ours = _card(package, "bioimageio.yaml")
    # bioimageio.spec fills these with boilerplate when the author wrote none
    assert "In general bioimage models may suffer from biases" not in ours
    assert "Users (both direct and downstream) should be made aware" not in ours
    body = parse_card(ours)
    assert "TODO" in "\n".join(body.body(body.section("known_biases")))


def test_authored_card_fields_under_config_are_used(package):
    from ruamel.yaml import YAML

    yaml = YAML()
    rdf = package / "bioimageio.yaml"
    data = yaml.load(rdf)
    data["config"] = {
        "bioimageio": {
            "architecture_type": "2D U-Net",
            "task": "semantic segmentation",
            "funded_by": "EMBL",
            "bias_risks_limitations": {"known_biases": "Trained on DSB 2018 only."},
            "training": {"training_epochs": 50, "optimizer": "torch.optim.Adam", "optimizer_kwargs": {"lr": 0.001}},
            "environmental_impact": {"hardware_type": "Tesla V100-SXM2-16GB", "hours_used": 4, "co2_emitted": 0.5},
            "evaluations": [{
                "dataset_id": "dsb2018-test", "dataset_source": "https://example.com/dsb", "dataset_role": "test",
                "sample_count": 50, "evaluation_factors": ["overall", "low snr"],
                "evaluation_factors_long": ["all images", "low SNR images"],
                "metrics": ["dice"], "metrics_long": ["Dice coefficient"], "results": [["0.91 ± 0.03", "0.85 ± 0.05"]],
            }],
        }
    }
    yaml.dump(data, rdf)
    card = parse_card(_card(package, "bioimageio.yaml"))
    values = {f"{i.heading.section_key}.{i.label}": i.value for i in card.fields}
    assert values["model_description.Model type"] == "2D U-Net"
    assert values["model_description.Funded by"] == "EMBL"
    assert values["task_details.Task type"] == "semantic segmentation"
    assert values["training_hyperparameters.Epochs"] == "50"
    assert values["training_hyperparameters.Optimizer"] == "`torch.optim.Adam` with lr=0.001"
    assert values["environmental_impact.Carbon Emitted"] == "0.5 kg CO2eq"
    assert values["testing_data.Size"] == "50 evaluated samples"
    results = "\n".join(card.body(card.section("quantitative_results")))
    assert "| Metric | overall | low snr |" in results and "| dice | 0.91 ± 0.03 | 0.85 ± 0.05 |" in results
    assert "Trained on DSB 2018 only." in "\n".join(card.body(card.section("known_biases")))
    # the authored bias is used, the unauthored risks still wait for the author
    assert "TODO" in "\n".join(card.body(card.section("risks")))


def test_provenance_sidecar_names_the_source_of_every_value(package):
    output = package / "card.md"
    report = generate_card(package / "bioimageio.yaml", output)
    data = json.loads(sidecar_path(output).read_text())
    by_key = {f["key"]: f for f in data["facts"]}
    assert set(by_key) == set(report.written)
    assert by_key["model_description.license"]["sources"] == [{"kind": "rdf", "where": "license", "detail": ""}]
    assert any(s["kind"] == "file" and s["where"] == "weights.onnx"
               for s in by_key["speeds_sizes_times.model_size"]["sources"])
    assert len(data["inputs"]["rdf_sha256"]) == 64


HUMAN_CARD = """# My nuclei model

Our own words about the model.

## Model Description

- **Developed by:** The Kreshuk lab, EMBL
- **Funded by:**
- **License:** TODO *[License name and link]*

## Direct Use

Use it on DAPI-stained nuclei at 20x.

## Our lab notes

Keep this section exactly.
"""


def test_merge_keeps_every_human_word_and_fills_placeholders(package):
    output = package / "card.md"
    output.write_text(HUMAN_CARD)
    report = generate_card(package / "bioimageio.yaml", output)
    text = output.read_text()
    for line in ("# My nuclei model", "Our own words about the model.", "- **Developed by:** The Kreshuk lab, EMBL",
                 "Use it on DAPI-stained nuclei at 20x.", "## Our lab notes", "Keep this section exactly."):
        assert line in text
    assert "- **License:** [MIT License](https://spdx.org/licenses/MIT.html) (SPDX: `MIT`)" in text
    assert "- **Funded by:** TODO" in text  # empty, and the RDF does not know it
    assert report.backup is not None and report.backup.read_text() == HUMAN_CARD
    kept = {c.key for c in report.changes if c.action == "kept"}
    assert {"title.name", "model_description.developed_by", "direct_use"} <= kept
    card = parse_card(text)
    assert [h.section_key for h in card.headings if h.section_key] == [s.key for s in TEMPLATE.sections]


def test_regenerating_changes_nothing_and_respects_later_human_edits(package):
    output = package / "card.md"
    generate_card(package / "bioimageio.yaml", output)
    first = output.read_text()
    again = generate_card(package / "bioimageio.yaml", output)
    assert output.read_text() == first and again.backup is None
    edited = first.replace("- **Model type:** 2D U-Net", "- **Model type:** a 2D U-Net with 4 levels")
    output.write_text(edited)
    generate_card(package / "bioimageio.yaml", output)
    assert "- **Model type:** a 2D U-Net with 4 levels" in output.read_text()


def test_regenerating_after_an_rdf_change_refreshes_bmzcards_own_values(package):
    output = package / "card.md"
    generate_card(package / "bioimageio.yaml", output)
    rdf = package / "bioimageio.yaml"
    rdf.write_text(rdf.read_text().replace("license: MIT", "license: BSD-3-Clause"))
    generate_card(rdf, output)
    assert "(SPDX: `BSD-3-Clause`)" in output.read_text()


def test_force_regenerates_and_keeps_a_backup(package):
    output = package / "card.md"
    output.write_text(HUMAN_CARD)
    report = generate_card(package / "bioimageio.yaml", output, force=True)
    assert "Keep this section exactly." not in output.read_text()
    assert report.backup.read_text() == HUMAN_CARD


def test_invalid_rdf_leaves_the_existing_card_untouched(package):
    output = package / "card.md"
    output.write_text(HUMAN_CARD)
    rdf = package / "bioimageio.yaml"
    rdf.write_text(rdf.read_text().replace("license: MIT", "license: 42\nweights: 7"))
    with pytest.raises(BmzcardError) as raised:
        generate_card(rdf, output)
    assert "weights" in str(raised.value) and str(rdf) in str(raised.value)
    assert output.read_text() == HUMAN_CARD
    assert not sidecar_path(output).exists() and not list(package.glob("card.md.bak*"))


def test_measured_values_survive_regeneration_with_their_provenance(package):
    from bmzcard.facts import Fact, Provenance

    output = package / "card.md"
    measured = Fact("speeds_sizes_times.inference_time", "338 ms per 512×512 image (ONNX, 1 thread)",
                    (Provenance("measurement", "bmzcard measure", "median of 20 calls"),))
    generate_card(package / "bioimageio.yaml", output, extra_facts=[measured])
    assert "- **Inference time:** 338 ms per 512×512 image" in output.read_text()
    generate_card(package / "bioimageio.yaml", output, force=True)
    assert "- **Inference time:** 338 ms per 512×512 image" in output.read_text()
    facts = {f["key"]: f for f in json.loads(sidecar_path(output).read_text())["facts"]}
    assert facts["speeds_sizes_times.inference_time"]["sources"][0]["kind"] == "measurement"


def test_records_of_carbon_and_track_fill_environmental_impact(package):
    from typer.testing import CliRunner

    from bmzcard.cli.app import app

    runner = CliRunner()
    carbon = package / "carbon.json"
    result = runner.invoke(app, ["carbon", "--hardware", "Tesla V100-SXM2-16GB", "--hours", "100",
                                 "--provider", "gcp", "--region", "us-central1", "--json", str(carbon)])
    assert result.exit_code == 0, result.output
    output = package / "card.md"
    result = runner.invoke(app, ["generate", str(package / "bioimageio.yaml"), "-o", str(output),
                                 "--record", str(carbon)])
    assert result.exit_code == 0, result.output
    card = parse_card(output.read_text())
    values = {i.label: i.value for i in card.fields if i.heading.section_key == "environmental_impact"}
    assert values["Carbon Emitted"].startswith("14.25 kg CO2eq")
    assert "us-central1" in values["Compute Region"]
    facts = {f["key"]: f for f in json.loads(sidecar_path(output).read_text())["facts"]}
    # the record, named from the card's folder (issue 11: paths move with the card)
    assert facts["environmental_impact.carbon_emitted"]["sources"][0]["where"] == "carbon.json"
    assert (output.parent / "carbon.json").resolve() == carbon.resolve()

    not_a_record = package / "test_input.npy"
    result = runner.invoke(app, ["generate", str(package), "-o", str(output), "--record", str(not_a_record)])
    assert result.exit_code == 2 and "test_input.npy" in result.output


def test_parameter_count_is_read_from_the_weights_without_running_them(package):
    output = package / "card.md"
    generate_card(package / "bioimageio.yaml", output)
    assert "- **Model size:** 449,489 parameters; ONNX: 1.81 MB" in output.read_text()
    facts = {f["key"]: f for f in json.loads(sidecar_path(output).read_text())["facts"]}
    sources = facts["speeds_sizes_times.model_size"]["sources"]
    assert {"kind": "file", "where": "weights.onnx"}.items() <= sources[-1].items()


def test_a_pinned_documentation_hash_follows_the_new_card(package):
    """An RDF that pins its README's sha256 still validates, with io checks, after generate rewrites it."""
    import hashlib

    from bioimageio.spec import InvalidDescr, load_description

    rdf = package / "bioimageio.yaml"
    readme = package / "README.md"
    old_hash = hashlib.sha256(readme.read_bytes()).hexdigest()
    rdf.write_text(rdf.read_text().replace("documentation: README.md",
                                           f"documentation:\n  source: README.md\n  sha256: {old_hash}"))
    report = generate_card(rdf, readme)
    new_hash = hashlib.sha256(readme.read_bytes()).hexdigest()
    assert new_hash != old_hash and f"sha256: {new_hash}" in rdf.read_text()
    assert any("documentation.sha256" in note for note in report.notes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        description = load_description(rdf, perform_io_checks=True)
    assert not isinstance(description, InvalidDescr), description.validation_summary.display()


def test_snippet_names_the_package_as_seen_from_the_card(package):
    beside = generate_card(package / "bioimageio.yaml", package / "card.md").text
    assert 'predict(model="bioimageio.yaml", inputs={"raw": "raw.npy"})' in beside
    assert 'probability = sample.members["probability"]' in beside
    (package / "docs").mkdir()  # output folders are never created silently
    elsewhere = generate_card(package / "bioimageio.yaml", package / "docs" / "card.md").text
    assert "bioimageio test ../bioimageio.yaml" in elsewhere
