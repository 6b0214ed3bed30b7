"""Wrong facts become findings: a card that states format, ranges, sizes, optional inputs or frameworks wrongly."""

from __future__ import annotations

import re

from bmzcard.outputs.card import generate_card
from bmzcard.lint.engine import check_card
from bmzcard.lint.registry import selected
from bmzcard.lint.rule import CardContext
from bmzcard.sources.package import open_package
from bmzcard.sources.rdf import read_raw
from bmzcard.sources.rdf_facts.written import people
from bmzcard.sources.readme import parse_card


def _findings(rdf, text, tmp_path):
    context = CardContext("README.md", parse_card(text), rdf=read_raw(open_package(rdf)), root=tmp_path)
    return [(f.code, f.message) for f in check_card(context, selected(["C010", "C011", "C012"], None)).findings]


def _card(rdf, tmp_path):
    return generate_card(rdf, tmp_path / "README.md", to_stdout=True).text


def test_wrong_format_range_and_framework_claims_are_caught(shared, tmp_path):
    rdf = shared / "bmz/rdfs/cbio__zenodo.5764892__v6647674.yaml"  # format 0.4.7, input0 data_range [0, 255]
    ours = _card(rdf, tmp_path)
    assert _findings(rdf, ours, tmp_path) == []
    wrong = re.sub(r"model format 0\.4\.7 \([^)]*\)", "model format 0.5.12", ours)
    wrong = wrong.replace("| uint8 | 0 to 255 |", "| uint8 | unbounded |")
    wrong = wrong.replace("- **Framework:** ONNX opset 12;", "- **Framework:** ONNX opset 12 (training framework);")
    codes = [code for code, _ in _findings(rdf, wrong, tmp_path)]
    assert codes.count("C010") == 1 and codes.count("C011") == 1 and codes.count("C012") == 2


def test_scaled_size_written_as_equal_is_caught(shared, tmp_path):
    rdf = shared / "bmz/rdfs/spec__unet2d_diff_output_shape__bioimageio.yaml"  # output y, x at scale 2
    wrong = _card(rdf, tmp_path).replace("= input.y / 2", "= input.y").replace("= input.x / 2", "= input.x")
    messages = [m for code, m in _findings(rdf, wrong, tmp_path) if code == "C011"]
    assert len(messages) == 2 and all("/ 2" in m for m in messages)


def test_optional_inputs_and_keras_version(shared, tmp_path):
    rdf = shared / "bmz/rdfs/zoo__idealistic-rat__v0.yaml"  # five optional prompt inputs
    wrong = _card(rdf, tmp_path).replace("| optional |", "|  |")
    wrong = wrong.replace('inputs={"image": "image.npy"}', 'inputs={"image": "image.npy", "box_prompts": "b.npy"}')
    messages = [m for code, m in _findings(rdf, wrong, tmp_path) if code == "C011"]
    assert sum("is optional in the RDF" in m for m in messages) == 5
    assert any("passes the optional input `box_prompts`" in m for m in messages)
    keras = shared / "bmz/rdfs/zoo__humorous-owl__v0.yaml"  # keras_hdf5 with tensorflow_version 1.15.2
    wrong = re.sub(r"Keras \(HDF5\), TensorFlow 1\.15\.2", "Keras (HDF5) 1.15.2", _card(keras, tmp_path))
    assert [code for code, _ in _findings(keras, wrong, tmp_path)] == ["C012", "C012"]


def test_name_license_and_authors_have_one_answer_for_generate_and_check(shared, tmp_path):
    """Every shared RDF: the card names the RDF's name, license and each author as `check` reads them."""
    from bmzcard.errors import BmzcardError
    from bmzcard.lint import rdf as rdf_facts
    from bmzcard.sources.rdf import load_rdf

    checked = 0
    for rdf in sorted((shared / "bmz" / "rdfs").glob("*.yaml")):
        try:
            loaded = load_rdf(open_package(rdf))
            card = generate_card(rdf, tmp_path / "README.md", to_stdout=True)
        except BmzcardError:
            continue
        raw, written = loaded.raw, card.written
        assert [a.name for a in loaded.description.authors] == [p.name for p in people(raw)], rdf.name
        if rdf_facts.license_id(raw):
            assert f"`{rdf_facts.license_id(raw)}`" in written["model_description.license"].value, rdf.name
        for name in rdf_facts.author_names(raw):
            assert name.split()[-1] in written["model_description.developed_by"].value, rdf.name
        context = CardContext("README.md", parse_card(card.text), rdf=raw, root=tmp_path)
        assert check_card(context, selected(["C001", "C002", "C003"], None)).findings == [], rdf.name
        checked += 1
    assert checked >= 170


def test_plain_string_authors_and_edited_names_are_read_alike(unet2d, tmp_path):
    """0.3's `authors: [name]` and a `;@user` suffix; a license or name edited in the card is still caught."""
    import yaml

    raw = yaml.safe_load((unet2d / "v0_4_9.bioimageio.yaml").read_text())
    raw.update(authors=["Jane Doe;@jdoe", {"github_user": "octocat"}, 7.5, {"name": "Max Muster"}],
               name="Nuclei & Cells *2D*", license="MIT")
    card = "# Nuclei & Cells 2D\n\n## Model Details\n\n### Model Description\n\n" \
           "- **Developed by:** Max Muster\n- **License:** MIT\n"
    context = CardContext("README.md", parse_card(card), rdf=raw, root=tmp_path)
    found = [(f.code, f.message) for f in check_card(context, selected(["C001", "C002", "C003"], None)).findings]
    assert found == [("C003", "RDF author Jane Doe not in 'Developed by'")]
    context = CardContext("README.md", parse_card(card.replace("MIT", "BSD-3-Clause").replace("Cells", "Dogs")),
                          rdf=raw, root=tmp_path)
    codes = [f.code for f in check_card(context, selected(["C001", "C002"], None)).findings]
    assert codes == ["C001", "C002"]
