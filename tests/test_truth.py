"""Every stated fact as the RDF says it (issue 9's defect classes), on the shared RDFs and packages.

Expected values are read from the RDF files here (plain YAML) or written by
hand from them; never from bmzcard's own reader.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from bmzcard.outputs.card import generate_card

RDFS = "bmz/rdfs"


def card(rdf: Path, tmp_path: Path | None = None) -> str:
    output = (tmp_path or rdf.parent) / "README.md"
    return generate_card(rdf, output, to_stdout=True).text


def field(text: str, label: str) -> str:
    match = re.search(rf"^- \*\*{re.escape(label)}:\*\* ?(.*)$", text, re.M)
    assert match, label
    return match.group(1)


def table_row(text: str, tensor: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.strip().startswith(f"| `{tensor}` |"))
    return [cell.strip() for cell in line.strip().strip("|").split(" | ")]


def rdf_path(shared: Path, name: str) -> Path:
    return shared / RDFS / f"{name}.yaml"


def edited_package(unet2d: Path, tmp_path: Path, edit) -> Path:
    """The unet2d package (format 0.5) with its RDF changed by `edit(dict)`."""
    folder = tmp_path / "package"
    shutil.copytree(unet2d, folder)
    rdf = folder / "bioimageio.yaml"
    data = yaml.safe_load(rdf.read_text())
    edit(data)
    rdf.write_text(yaml.safe_dump(data, sort_keys=False))
    return rdf


# 1. format version -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cbio__zenodo.5764892__v6647674", "spec__unet2d_nuclei_broad__v0_4_9",
                                  "zoo__affable-shark__v0", "spec__unet2d_diff_output_shape__bioimageio"])
def test_format_version_is_the_one_written(shared, name):
    written = str(yaml.safe_load(rdf_path(shared, name).read_text())["format_version"])
    compatibility = field(card(rdf_path(shared, name)), "BioImage.IO compatibility")
    assert compatibility.startswith(f"bioimage.io model format {written}")
    if written != "0.5.12":  # bmzcard read it through the spec's upgrade and says so
        assert "upgrade to 0.5" in compatibility


# 2. what the upgrade drops, dtype bounds -------------------------------------------------


def test_04_data_range_as_written_and_uint8_bounded(shared):
    text = card(rdf_path(shared, "cbio__zenodo.5764892__v6647674"))  # input0: data_range [0, 255], uint8
    assert table_row(text, "input0")[3] == "0 to 255"
    assert table_row(text, "output0")[3] == "unbounded"  # written as [-inf, inf]


def test_uint8_without_range_is_bounded_by_its_type(shared):
    rows = {t["id"]: t for t in yaml.safe_load(rdf_path(shared, "zoo__idealistic-rat__v0").read_text())["inputs"]}
    assert rows["image"]["data"]["type"] == "uint8" and "range" not in rows["image"]["data"]
    assert table_row(card(rdf_path(shared, "zoo__idealistic-rat__v0")), "image")[3] == "0 to 255 (the range of uint8)"


# 3. sizes relative to scaled axes ----------------------------------------------------------


def test_sizes_follow_scale_and_offset(shared):
    # 0.5: output axes with scale 2 referencing input axes with scale 1 are half as large
    assert "y: = input.y / 2, x: = input.x / 2" in table_row(
        card(rdf_path(shared, "spec__unet2d_diff_output_shape__bioimageio")), "output")[1]
    # 0.4: shape = reference × scale + 2 × offset
    assert "y: = input.y × 4, x: = input.x × 4" in table_row(
        card(rdf_path(shared, "spec__upsample_test_model__v0_4")), "output")[1]
    stardist = table_row(card(rdf_path(shared, "spec__stardist_example_model__v0_4")), "output")[1]
    assert "c (channel): 33" in stardist  # scale 0, offset 16.5: a new axis of 2 × 16.5


# 4. axis types -------------------------------------------------------------------------


def test_axis_named_t_of_type_space_is_space(unet2d, tmp_path):
    def rename(data):
        data["inputs"][0]["axes"][2]["id"] = "t"  # the y axis, still of type space
        data["inputs"][0]["preprocessing"][1]["kwargs"]["axes"] = ["x", "t"]
        data["outputs"][0]["axes"][2]["size"]["axis_id"] = "t"
    text = card(edited_package(unet2d, tmp_path, rename))
    assert "t (space): 512" in table_row(text, "raw")[1]
    assert "time" not in field(text, "Input modality")
    assert field(text, "Temporal resolution").startswith("Not applicable")


# 5. claims without evidence -------------------------------------------------------------


def test_training_framework_only_with_a_conversion(shared):
    raw = yaml.safe_load(rdf_path(shared, "zoo__humorous-owl__v0").read_text())["weights"]
    assert raw["tensorflow_saved_model_bundle"]["parent"] == "keras_hdf5"
    framework = field(card(rdf_path(shared, "zoo__humorous-owl__v0")), "Framework")
    version = raw["keras_hdf5"]["tensorflow_version"]
    assert f"Keras (HDF5), TensorFlow {version} (training framework" in framework  # TensorFlow's version, not Keras'
    assert "(converted from `keras_hdf5`)" in framework
    # no entry names a parent: no training framework claimed
    lone = field(card(rdf_path(shared, "cbio__zenodo.5764892__v6647674")), "Framework")
    assert "training framework" not in lone and "ONNX opset 12" in lone


def test_sample_images_and_preprocessing_claims(shared, unet2d, tmp_path):
    metadata_only = card(rdf_path(shared, "cbio__zenodo.5764892__v6647674"))
    assert "sample images" not in metadata_only  # no image is shown, none is promised
    assert "TODO" in metadata_only.split("### Preprocessing", 1)[1].split("###", 1)[0]  # ensure_dtype is not training prep
    packaged = card(unet2d / "bioimageio.yaml", tmp_path)
    assert "![sample input `raw`]" in packaged and "sample images" in packaged


def test_model_type_is_never_a_python_identifier(shared):
    for rdf in sorted((shared / RDFS).glob("*.yaml")):
        try:
            text = card(rdf)
        except Exception:  # invalid RDFs are test_real_rdfs' business
            continue
        value = field(text, "Model type")
        assert not re.fullmatch(r"`?[\w.]+(\.py)?:?[\w.]*`?", value) or " " in value or value.startswith("TODO") \
            or re.fullmatch(r"[A-Z][\w-]*( [\w-]+)*", value), (rdf.name, value)
        assert "." not in value.split(" ")[0].strip("`") or value.startswith("TODO"), (rdf.name, value)


# 6. tags and description ----------------------------------------------------------------


def test_modality_from_tags_and_disagreement_left_todo(unet2d, tmp_path):
    def disagree(data):
        data["tags"] = ["fluorescence", "nuclei", "instance-segmentation"]
        data["description"] = "Segments nuclei in brightfield images."
    rdf = edited_package(unet2d, tmp_path, disagree)
    report = generate_card(rdf, tmp_path / "out.md", to_stdout=True)
    assert field(report.text, "Modality").startswith("TODO")
    assert "brightfield" in report.todo_reasons["model_description.modality"]
    assert field(report.text, "Task type") == "instance segmentation"
    assert field(report.text, "Target structures") == "nuclei"


def test_vocabulary_terms(shared):
    text = card(rdf_path(shared, "cbio__zenodo.6334383__v6334384"))  # tags: arabidopsis, ovules, cell-membrane ...
    assert field(text, "Modality") == "fluorescence light microscopy"
    assert "ovules" in field(text, "Target structures") and "Arabidopsis thaliana" in field(text, "Target structures")
    assert field(text, "Task type") == "semantic segmentation"


# 7. what the RDF has -----------------------------------------------------------------------


def test_stardist_config_fills_hyperparameters(shared):
    text = card(rdf_path(shared, "zoo__chatty-frog__v0"))
    config = yaml.safe_load(rdf_path(shared, "zoo__chatty-frog__v0").read_text())["config"]["stardist"]
    assert field(text, "Epochs").startswith(str(config["config"]["train_epochs"]))
    assert field(text, "Batch size").startswith(str(config["config"]["train_batch_size"]))
    assert field(text, "Learning rate").startswith(str(config["config"]["train_learning_rate"]))
    architecture = text.split("## Model Architecture and Objective", 1)[1]
    assert f"rays {config['config']['n_rays']}" in architecture and "NMS threshold 0.3" in architecture


def test_links_documentation_and_bot_uploader(shared):
    raw = yaml.safe_load(rdf_path(shared, "zoo__idealistic-rat__v0").read_text())
    text = card(rdf_path(shared, "zoo__idealistic-rat__v0"))
    assert raw["git_repo"] in field(text, "Repository")
    bots = [p for p in sorted((shared / RDFS).glob("zoo__*.yaml"))
            if "bioimageiobot@gmail.com" in p.read_text()]
    assert bots
    for rdf in bots[:5]:
        assert "bioimageiobot" not in field(card(rdf), "Shared by"), rdf.name


def test_optional_inputs_marked_and_left_out_of_the_snippet(shared):
    raw = yaml.safe_load(rdf_path(shared, "zoo__idealistic-rat__v0").read_text())
    optional = [t["id"] for t in raw["inputs"] if t.get("optional")]
    assert optional
    text = card(rdf_path(shared, "zoo__idealistic-rat__v0"))
    snippet = text.split("```python", 1)[1].split("```", 1)[0]
    for tensor in optional:
        assert table_row(text, tensor)[4].startswith("optional")
        assert f'"{tensor}":' not in snippet
    assert '"image": "image.npy"' in snippet


# 9. glossary ----------------------------------------------------------------------------------


def test_glossary_names_the_cards_terms(shared):
    text = card(rdf_path(shared, "cbio__zenodo.5764892__v6647674"))  # output halo 16
    glossary = text.split("## Glossary", 1)[1]
    assert "**Halo:**" in glossary and "**Tiling:**" in glossary
    assert "Z-projection" not in glossary  # the template's example terms are gone
