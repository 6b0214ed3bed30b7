"""Consistency rules: the card against its RDF (format 0.4 and 0.5 dicts)."""

from __future__ import annotations

from bmzcard.lint.rules.consistency import card_co2_kg, card_lengths_um

from .conftest import check_text, pairs

RDF_05 = {
    "name": "UNet 2D Nuclei Broad",
    "license": "CC-BY-4.0",
    "authors": [{"name": "Constantin Pape;@bioimage-io"}, {"name": "Fynn Beuttenmueller"}],
    "inputs": [
        {
            "id": "raw",
            "axes": [
                {"type": "batch"},
                {"type": "channel"},
                {"type": "space", "id": "y", "scale": 0.65, "unit": "micrometer"},
                {"type": "space", "id": "x", "scale": 0.65, "unit": "micrometer"},
            ],
        }
    ],
    "weights": {"torchscript": {"source": "w.pt"}, "onnx": {"source": "w.onnx"}},
    "training_data": {"id": "ilastik/covid_if_training_data/1"},
    "config": {
        "bioimageio": {
            "evaluations": [
                {
                    "dataset_id": "ilastik/covid_if_training_data",
                    "dataset_role": "test",
                    "sample_count": 10,
                    "evaluation_factors": ["overall", "low SNR"],
                    "metrics": ["dice", "IoU"],
                    "results": [[0.912, 0.8], [0.85, "0.70"]],
                }
            ],
            "environmental_impact": {"co2_emitted": 0.35},
        }
    },
}


# The same RDF without evaluations or impact, for the rules that do not read them.
PLAIN = {**RDF_05, "config": {}}


def card(**fields: str) -> str:
    """A card with the given template fields (`section__field="value"`) under their headings."""
    headings = {
        "model_description": "## Model Description",
        "task_details": "# Task Details",
        "training_hyperparameters": "### Training Hyperparameters",
        "training_data": "## Training Data",
        "testing_data": "### Testing Data",
        "environmental_impact": "# Environmental Impact",
    }
    labels = {
        "license": "License", "developed_by": "Developed by", "model_type": "Model type",
        "spatial_resolution": "Spatial resolution", "temporal_resolution": "Temporal resolution",
        "framework": "Framework", "source": "Source", "carbon_emitted": "Carbon Emitted",
    }
    lines = [fields.pop("title", "# UNet 2D Nuclei Broad"), "", "Summary.", ""]
    current = None
    for key, value in fields.items():
        section, field = key.split("__")
        if section != current:
            lines += [headings[section], ""]
            current = section
        lines += [f"- **{labels[field]}:** {value}", ""]
    return "\n".join(lines)


def codes(text: str, rdf=PLAIN, prefix="C"):
    return pairs(check_text(text, rdf=rdf, select=[prefix]), prefix)


def test_agreeing_card_has_no_consistency_findings():
    text = card(
        model_description__license="[CC BY 4.0](https://spdx.org/licenses/CC-BY-4.0)",
        model_description__developed_by="Constantin Pape and Fynn Beuttenmüller... Beuttenmueller",
        model_description__model_type="2D U-Net",
        task_details__spatial_resolution="0.65 x 0.65 µm",
        training_hyperparameters__framework="PyTorch 2.5",
    )
    assert codes(text) == []


def test_name_license_authors():
    text = card(
        title="# Cell Boundary Model",
        model_description__license="MIT",
        model_description__developed_by="Constantin Pape",
    )
    assert codes(text) == [(1, "C001"), (7, "C002"), (9, "C003")]
    message = check_text(text, rdf=PLAIN, select=["C003"]).findings[0].message
    assert "Fynn Beuttenmueller" in message and "Constantin" not in message


def test_dimensions_time_and_pixel_size():
    text = card(
        model_description__model_type="3D U-Net",
        task_details__spatial_resolution="100 nm/pixel",
        task_details__temporal_resolution="2 s per frame",
    )
    # The title's "2D" agrees with the y, x axes and is not reported.
    assert codes(text) == [
        (7, "C004"),  # 3D against y, x
        (11, "C005"),  # 0.1 µm against 0.65 µm (one finding for both axes)
        (13, "C004"),  # a time step without a time axis
    ]


def test_dimensions_from_0_4_axes_string():
    rdf = {"name": "m", "inputs": [{"axes": "bczyx"}]}
    assert codes(card(title="# m", model_description__model_type="2D U-Net"), rdf) == [(7, "C004")]
    assert codes(card(title="# m", model_description__model_type="3D U-Net"), rdf) == []


def test_framework_against_weight_formats():
    assert codes(card(training_hyperparameters__framework="TensorFlow 2.10")) == [(7, "C006")]
    assert codes(card(training_hyperparameters__framework="Keras, exported to ONNX")) == [(7, "C006")]
    assert codes(card(training_hyperparameters__framework="ONNX")) == []


def test_leakage_from_the_rdf_and_from_the_card():
    text = card(training_data__source="BBBC038", testing_data__source="bbbc038")
    found = codes(text, RDF_05)
    assert (11, "C007") in found  # the card: same source
    assert [code for _, code in found].count("C007") == 2  # and the RDF's test evaluation on its training data


def test_leakage_on_inline_training_data_and_not_on_other_data():
    """An inline `training_data` (name, source) is named by its name; an evaluation on other data is no leak."""
    evaluation = RDF_05["config"]["bioimageio"]["evaluations"][0]
    inline = {**RDF_05, "training_data": {"name": "DSB 2018 stage 1", "source": "https://example.org/dsb"},
              "config": {"bioimageio": {"evaluations": [{**evaluation, "dataset_id": "dsb 2018 stage 1"}]}}}
    assert [code for _, code in codes(card(), inline, "C007")] == ["C007"]
    other = {**inline, "config": {"bioimageio": {"evaluations": [{**evaluation, "dataset_id": "BBBC038"}]}}}
    assert codes(card(), other, "C007") == []
    assert codes(card(), {**inline, "training_data": ["not", "a", "dataset"]}, "C007") == []


def test_config_that_is_not_a_mapping_reads_as_absent():
    """`config.bioimageio` of the wrong type is no evaluation and no carbon figure, and no crash."""
    text = card(environmental_impact__carbon_emitted="350 kg")
    for config in ({"bioimageio": ["co2_emitted", 0.35]}, {"bioimageio": "0.35"}, "config"):
        assert codes(text, {**RDF_05, "config": config}) == []


def test_results_table_against_evaluations():
    text = "\n".join([
        "# UNet 2D Nuclei Broad", "", "Summary.", "",
        "### Quantitative Results", "",
        "| Metric | Overall | low SNR |",
        "|---|---|---|",
        "| Dice | 0.91 ± 0.02 | 0.80 ± 0.1 |",
        "| IoU | 0.85 | 0.71 |",
        "",
    ])
    found = [(f.line, f.column, f.code) for f in check_text(text, rdf=RDF_05, select=["C008"]).findings]
    assert found == [(10, 16, "C008")]  # 0.71 against "0.70"; 0.91 is 0.912 rounded


def test_results_metric_missing_from_the_card():
    text = "# UNet 2D Nuclei Broad\n\nSummary.\n\n### Quantitative Results\n\n| Metric | Overall |\n|---|---|\n| Dice | 0.91 |\n"
    found = check_text(text, rdf=RDF_05, select=["C008"]).findings
    assert [(f.line, f.severity.label) for f in found] == [(5, "warning")]
    assert "'IoU'" in found[0].message


def test_co2_kg_against_g():
    def co2(value: str):
        return check_text(card(environmental_impact__carbon_emitted=value), rdf=RDF_05, select=["C009"]).findings

    assert co2("0.35 kg CO2eq") == []
    assert "kg/g mix-up" in co2("350 kg")[0].message
    assert "kg/g mix-up" in co2("0.35 g")[0].message
    assert [f.line for f in co2("0.5 kg")] == [7]


def test_card_without_rdf_runs_no_rdf_rule():
    text = card(title="# Something else", model_description__license="MIT")
    assert pairs(check_text(text), "C") == []


def test_parsers():
    assert card_lengths_um("0.1 x 0.1 x 0.3 µm") == [0.1, 0.1, 0.3]
    assert card_lengths_um("4 nm") == [0.004]
    assert card_co2_kg("1,5 g CO2") == (0.0015, "g")
    assert card_co2_kg("12.5") is None
