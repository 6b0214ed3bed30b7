"""The RDF evaluation entry: written in place, comments kept, valid, same table as the card."""

from __future__ import annotations

import shutil

import pytest
from ruamel.yaml import YAML

from bmzcard.errors import BmzcardError
from bmzcard.evaluate.aggregate import summarize
from bmzcard.evaluate.card import card_facts, evaluation_entry
from bmzcard.outputs.evaluation import rdf_text_with
from bmzcard.evaluate.pipeline import ImageResult
from bmzcard.example import package_path
from bmzcard.sources.package import open_package
from bmzcard.sources.rdf import load_rdf
from bmzcard.sources.rdf_facts import facts_from_description


def _entry(dataset_id="eval-set", metric="dice"):
    results = [ImageResult(i + 1, f"i{i}", {"condition": "a" if i < 2 else "a-very-long-condition-name"},
                           {metric: 0.5 + i / 10}, "file") for i in range(4)]
    return evaluation_entry(summarize(results, ["condition"], resamples=50), dataset_id=dataset_id,
                            dataset_source="https://example.org/data", dataset_role="test",
                            description="foreground where prediction >= 0.5")


def _copy(source, tmp_path, name="rdf.yaml"):
    target = tmp_path / name
    shutil.copy(source, target)
    return open_package(target)


def _rdfs(unet2d):
    return [package_path() / "rdf.yaml", unet2d / "bioimageio.yaml", unet2d / "v0_4_9.bioimageio.yaml"]


@pytest.mark.parametrize("index", [0, 1, 2], ids=["example", "unet2d-0.5", "unet2d-0.4"])
def test_the_entry_is_added_without_touching_any_other_line(unet2d, tmp_path, index):
    source = _rdfs(unet2d)[index]
    package = _copy(source, tmp_path, source.name)
    original = source.read_text(encoding="utf-8").splitlines()
    text = rdf_text_with(package, _entry())
    new = text.splitlines()
    # the original lines are all there, in order, the entry is one contiguous block
    position = next(i for i, (a, b) in enumerate(zip(original + [None], new)) if a != b)
    added = len(new) - len(original)
    assert new[:position] == original[:position] and new[position + added:] == original[position:]
    assert [line for line in original if line.lstrip().startswith("#")] == \
        [line for line in new if line.lstrip().startswith("#")]
    package.rdf_path.write_text(text, encoding="utf-8")
    loaded = load_rdf(package)  # validates with bioimageio.spec
    evaluations = YAML(typ="safe").load(text)["config"]["bioimageio"]["evaluations"]
    assert evaluations == [_entry()]
    if index != 2:  # format 0.5 reads the entry as typed Evaluation
        assert loaded.description.config.bioimageio.evaluations[0].sample_count == 4


@pytest.mark.parametrize("index", [0, 1], ids=["example", "unet2d-sequences-at-key-column"])
def test_re_evaluating_replaces_the_entry_and_keeps_other_datasets(unet2d, tmp_path, index):
    package = _copy(_rdfs(unet2d)[index], tmp_path)
    package.rdf_path.write_text(rdf_text_with(package, _entry("first")), encoding="utf-8")
    package.rdf_path.write_text(rdf_text_with(package, _entry("second")), encoding="utf-8")
    package.rdf_path.write_text(rdf_text_with(package, _entry("first")), encoding="utf-8")
    evaluations = YAML(typ="safe").load(package.rdf_path.read_text())["config"]["bioimageio"]["evaluations"]
    assert [e["dataset_id"] for e in evaluations] == ["second", "first"]


def test_config_without_bioimageio_gets_it(unet2d, tmp_path):
    target = tmp_path / "rdf.yaml"
    target.write_text((unet2d / "bioimageio.yaml").read_text() + "config:\n  mine: 1  # keep me\n")
    text = rdf_text_with(open_package(target), _entry())
    assert "  mine: 1  # keep me\n  bioimageio:\n    evaluations:\n" in text


def test_labels_fit_the_spec_and_long_ones_are_cut_uniquely():
    entry = _entry()
    assert entry["evaluation_factors"] == ["Overall", "condition=a", "condition=a-ver~"]
    assert all(len(f) <= 16 for f in entry["evaluation_factors"] + entry["metrics"])
    assert entry["results"][0][0] == "0.65 ± 0.13"


def test_an_invalid_entry_is_refused_before_writing(tmp_path):
    package = _copy(package_path() / "rdf.yaml", tmp_path)
    entry = _entry()
    entry["dataset_source"] = "not a url"
    with pytest.raises(BmzcardError, match="evaluation entry is invalid"):
        rdf_text_with(package, entry)


def test_card_table_equals_the_table_generate_renders_from_the_rdf(tmp_path):
    package = _copy(package_path() / "rdf.yaml", tmp_path)
    entry = _entry()
    package.rdf_path.write_text(rdf_text_with(package, entry), encoding="utf-8")
    loaded = load_rdf(package)
    from_rdf = facts_from_description(loaded.description, package, tmp_path, loaded.raw)
    ours = {f.key: f.value for f in card_facts(entry, where="m.csv", detail="test", diversity="condition: a",
                                               notes="", figures=[])}
    for key in ("testing_data.source", "testing_data.size", "factors", "metrics", "quantitative_results"):
        assert ours[key] == from_rdf.get(key).value, key
