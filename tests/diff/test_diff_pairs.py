"""Pairs of versions with one known change each: found, classified and shown."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from ruamel.yaml import YAML

import bmzcard
from bmzcard.diff.formats import DiffFormat, render
from tests.diff.conftest import EXAMPLE, edit_rdf

CARD = """# Example nuclei U-Net

A tiny 2D U-Net for nuclei in synthetic images.

# Model Details

## Model Description

- **Developed by:** bmzcard developers
- **Model type:** *semantic segmentation*

# Uses

## Direct Use

Apply the model to widefield fluorescence images of nuclei at a pixel size
of 0.5 micrometer, without fine-tuning.

# Bias, Risks, and Limitations

## Limitations

Dim nuclei at low signal-to-noise ratio are partly missed and touching nuclei merge.
"""


def _rules(report) -> list[str]:
    return [c.rule for c in report.changes]


def _warnings(report) -> list[str]:
    return [w.rule for w in report.warnings]


def test_identical_packages_give_no_changes(example_pair):
    old, new = example_pair
    report = bmzcard.diff(old, new)
    assert report.changes == [] and not report.has_changes
    assert report.to_json()["summary"]["changes"] == 0


def test_reformatted_yaml_is_no_change(example_pair, tmp_path):
    """Key order, comments, quoting, flow style, re-wrapped text, DOI URL and tag order do not count."""
    old, new = example_pair
    data = YAML(typ="safe").load((new / "rdf.yaml").read_text(encoding="utf-8"))
    data["description"] = data["description"].replace(" ", "\n  ", 3)  # re-wrapped
    data["cite"][0]["doi"] = "https://doi.org/" + data["cite"][0]["doi"]
    data["tags"] = list(reversed(data["tags"]))
    reordered = dict(sorted(data.items(), reverse=True))
    writer = YAML(typ="safe")
    writer.default_flow_style = True  # flow style, no comments, other quoting
    with open(new / "rdf.yaml", "w", encoding="utf-8") as stream:
        writer.dump(reordered, stream)
    assert (new / "rdf.yaml").read_text() != (old / "rdf.yaml").read_text()
    report = bmzcard.diff(old, new)
    assert report.changes == [], [c.message for c in report.changes]


def test_04_and_its_upgrade_to_05_have_no_interface_change(tmp_path, unet2d):
    from bioimageio.spec import save_bioimageio_yaml_only

    from bmzcard.sources.package import open_package
    from bmzcard.sources.rdf import load_rdf

    folder = tmp_path / "pkg"
    shutil.copytree(unet2d, folder)
    (folder / "bioimageio.yaml").unlink()
    old = folder / "v0_4_9.bioimageio.yaml"
    upgraded = tmp_path / "pkg" / "upgraded.bioimageio.yaml"
    save_bioimageio_yaml_only(load_rdf(open_package(old)).description, upgraded)
    report = bmzcard.diff(old, upgraded)
    assert report.old["compared_as"].endswith("(upgraded from 0.4.9)")
    assert [(c.path, c.rule) for c in report.changes] == [("format_version", "FORMAT_VERSION_CHANGED")]
    assert not [c for c in report.changes if c.section == "interface"]


def test_shared_04_and_05_files_differ_where_the_authors_edited(unet2d):
    """The spec's own 0.4 and 0.5 examples: a fixed batch size and a declared output range are breaking."""
    report = bmzcard.diff(unet2d / "v0_4_9.bioimageio.yaml", unet2d / "bioimageio.yaml")
    by_path = {c.path: c for c in report.changes}
    assert by_path["inputs.raw.axes.batch.size"].rule == "AXIS_SIZE_CHANGED"
    assert by_path["inputs.raw.axes.batch.size"].breaking
    assert by_path["outputs.probability.data.range"].new == [0, 1]
    assert by_path["outputs.probability.axes.channel.channel_names"].breaking is False  # one channel either way
    # weight hashes: declared in 0.5, computed from the files for 0.4: the same files, no change
    assert not [p for p in by_path if p.startswith("weights.") and p.endswith("sha256")]
    assert "VERSION_NOT_BUMPED" in _warnings(report)  # 0.1.3 -> no version


def test_renamed_tensor_is_breaking(unet_pair):
    old, new = unet_pair

    def rename(data):
        data["inputs"][0]["id"] = "image"
        for axis in data["outputs"][0]["axes"]:
            if isinstance(axis.get("size"), dict) and axis["size"].get("tensor_id") == "raw":
                axis["size"]["tensor_id"] = "image"

    edit_rdf(new, rename, "bioimageio.yaml")
    report = bmzcard.diff(old, new)
    assert "as written" not in report.new["compared_as"]
    renamed = [c for c in report.changes if c.rule == "TENSOR_RENAMED"]
    assert len(renamed) == 1
    assert (renamed[0].path, renamed[0].old, renamed[0].new, renamed[0].breaking) == ("inputs.raw", "raw", "image", True)
    assert set(_rules(report)) <= {"TENSOR_RENAMED", "AXIS_SIZE_CHANGED"}  # outputs' sizes now refer to `image`


def test_stricter_axis_size_step_is_breaking(example_pair):
    old, new = example_pair
    edit_rdf(new, lambda d: d["inputs"][0]["axes"][2]["size"].__setitem__("step", 32))
    report = bmzcard.diff(old, new)
    assert [(c.path, c.rule, c.old, c.new, c.breaking) for c in report.changes] == [
        ("inputs.raw.axes.y.size.step", "AXIS_SIZE_CHANGED", 16, 32, True)
    ]
    assert _warnings(report) == ["VERSION_NOT_BUMPED"]


def test_looser_axis_size_step_is_not_breaking(example_pair):
    old, new = example_pair
    edit_rdf(new, lambda d: d["inputs"][0]["axes"][2]["size"].__setitem__("step", 8))
    (change,) = bmzcard.diff(old, new).changes
    assert (change.rule, change.breaking) == ("AXIS_SIZE_RELAXED", False)


def test_changed_data_range_is_breaking(example_pair):
    old, new = example_pair
    edit_rdf(new, lambda d: d["outputs"][0]["data"].__setitem__("range", [0.0, 255.0]))
    (change,) = bmzcard.diff(old, new).changes
    assert (change.path, change.rule, change.old, change.new, change.breaking) == (
        "outputs.probability.data.range", "DATA_RANGE_CHANGED", [0, 1], [0, 255], True)


def test_changed_preprocessing_and_dtype_are_breaking(example_pair):
    old, new = example_pair

    def change(data):
        data["inputs"][0]["preprocessing"][1]["id"] = "scale_range"
        data["inputs"][0]["preprocessing"][1]["kwargs"] = {"axes": ["y", "x"], "min_percentile": 1, "max_percentile": 99}

    edit_rdf(new, change)
    report = bmzcard.diff(old, new)
    assert report.changes and all(c.rule == "PREPROCESSING_CHANGED" and c.breaking for c in report.changes)


def test_normalization_axes_in_another_order_are_the_same(example_pair):
    old, new = example_pair
    edit_rdf(new, lambda d: d["inputs"][0]["preprocessing"][1]["kwargs"].__setitem__("axes", ["x", "y"]))
    assert bmzcard.diff(old, new).changes == []


def test_removed_weight_format_is_breaking_and_added_is_not(example_pair):
    old, new = example_pair
    edit_rdf(new, lambda d: d["weights"].pop("onnx"))
    (removed,) = bmzcard.diff(old, new).changes
    assert (removed.path, removed.kind, removed.rule, removed.breaking) == ("weights.onnx", "removed", "WEIGHT_FORMAT_REMOVED", True)
    (added,) = bmzcard.diff(new, old).changes
    assert (added.path, added.kind, added.rule, added.breaking) == ("weights.onnx", "added", "WEIGHT_FORMAT_ADDED", False)


def _evaluation(results: list[list[str]]) -> dict:
    return {
        "dataset_id": "nuclei-eval",
        "dataset_source": "https://example.org/nuclei-eval",
        "dataset_role": "test",
        "sample_count": 8,
        "evaluation_factors": ["Overall", "snr=high"],
        "evaluation_factors_long": ["all 8 images", "images whose snr is high (4 images)"],
        "metrics": ["Dice"],
        "metrics_long": ["Dice per image (`dice` in the JSON result)"],
        "results": results,
    }


def _sidecar(folder: Path, manifest_sha256: str, ci: dict[str, tuple[float, float]]) -> None:
    summary = {"dice": {level: {"mean": 0.0, "std": 0.0, "n": 4, "ci_low": low, "ci_high": high}
                        for level, (low, high) in ci.items()}}
    (folder / "evaluation").mkdir()
    (folder / "evaluation" / "summary.json").write_text(json.dumps({"summary": summary}))
    record = {"manifest_sha256": manifest_sha256, "entry": _evaluation([]), "json": "evaluation/summary.json"}
    (folder / "README.md.bmzcard.json").write_text(json.dumps({"schema": "bmzcard.provenance/1", "evaluation": record}))


def _retrain(new: Path, results: list[list[str]], version: str = "0.2.0", comment: str | None = "re-trained") -> str:
    weights = new / "weights.onnx"
    weights.write_bytes(weights.read_bytes() + b"retrained")
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()

    def change(data):
        data["weights"]["onnx"]["sha256"] = digest
        data["version"] = version
        if comment:
            data["version_comment"] = comment
        data["config"]["bioimageio"]["evaluations"] = [_evaluation(results)]

    edit_rdf(new, change)
    return digest


def test_retrained_model_reports_metrics_with_delta_and_interval(example_pair):
    old, new = example_pair
    edit_rdf(old, lambda d: d["config"]["bioimageio"].__setitem__("evaluations", [_evaluation([["0.91 ± 0.02", "0.92 ± 0.01"]])]))
    _sidecar(old, "a" * 64, {"overall": (0.90, 0.925), "snr=high": (0.91, 0.935)})
    digest = _retrain(new, [["0.95 ± 0.01", "0.92 ± 0.01"]])
    _sidecar(new, "a" * 64, {"overall": (0.94, 0.96), "snr=high": (0.91, 0.93)})
    report = bmzcard.diff(old, new)
    rows = {(m.metric, m.level): m for m in report.metrics}
    overall, high = rows[("Dice", "Overall")], rows[("Dice", "snr=high")]
    assert (overall.old, overall.new, overall.outside_ci, overall.comparable) == (0.91, 0.95, True, True)
    assert overall.delta == pytest.approx(0.04)
    assert (high.delta, high.outside_ci) == (0.0, False)  # 0.92 lies in [0.91, 0.935]
    by_rule = {c.rule: c for c in report.changes}
    assert by_rule["WEIGHTS_CHANGED"].new == digest and not by_rule["WEIGHTS_CHANGED"].breaking
    size = by_rule["MEASUREMENT_CHANGED"]
    assert (size.path, size.new - size.old) == ("weights.onnx.file_size", len(b"retrained"))
    assert by_rule["VERSION_CHANGED"].old == "0.1.0" and by_rule["VERSION_CHANGED"].new == "0.2.0"
    assert report.warnings == []  # version bumped, version_comment written, same manifest
    text = render(report, DiffFormat.TEXT)
    assert "Dice [Overall]: 0.91 → 0.95 (+0.04, CI outside)" in text


def test_evaluation_on_other_data_is_called_not_comparable(example_pair):
    old, new = example_pair
    edit_rdf(old, lambda d: d["config"]["bioimageio"].__setitem__("evaluations", [_evaluation([["0.91", "0.92"]])]))
    _sidecar(old, "a" * 64, {"overall": (0.90, 0.925)})
    _retrain(new, [["0.95", "0.93"]])
    _sidecar(new, "b" * 64, {"overall": (0.94, 0.96)})
    report = bmzcard.diff(old, new)
    assert report.metrics and all(m.comparable is False for m in report.metrics)
    assert _warnings(report) == ["METRICS_NOT_COMPARABLE"]


def test_edited_card_section_found_after_markdown_normalization(example_pair):
    old, new = example_pair
    (old / "README.md").write_text(CARD, encoding="utf-8")
    edited = (
        CARD.replace("- **Model type:** *semantic segmentation*", "* **Model type:** _semantic segmentation_")
        .replace("at a pixel size\nof 0.5 micrometer,", "at a pixel size of 0.5 micrometer,  \n")
        .replace("are partly missed and touching", "are often missed and touching")
    )
    (new / "README.md").write_text(edited, encoding="utf-8")
    report = bmzcard.diff(old, new)
    (change,) = report.changes  # re-wrapping, list markers, emphasis style and trailing spaces do not count
    assert (change.path, change.rule, change.section, change.breaking) == (
        "card.limitations", "CARD_SECTION_CHANGED", "card", False)
    assert ["-", "partly"] in change.detail["words"] and ["+", "often"] in change.detail["words"]
    assert "[-partly-] {+often+}" in render(report, DiffFormat.TEXT)
    assert "~~partly~~ **often**" in render(report, DiffFormat.MARKDOWN)


def test_lint_findings_new_and_fixed_and_completeness(example_pair):
    old, new = example_pair
    (old / "README.md").write_text(CARD, encoding="utf-8")
    emptied = CARD.replace("Dim nuclei at low signal-to-noise ratio are partly missed and touching nuclei merge.\n", "")
    (new / "README.md").write_text(emptied, encoding="utf-8")
    report = bmzcard.diff(old, new)
    assert report.completeness is not None and report.completeness["delta"] < 0
    assert report.findings_new and all(f["code"] for f in report.findings_new)
    back = bmzcard.diff(new, old)
    assert [f["code"] for f in back.findings_fixed] == [f["code"] for f in report.findings_new]


def test_version_rules(example_pair):
    old, new = example_pair
    edit_rdf(new, lambda d: d.__setitem__("description", "A different description."))
    assert _warnings(bmzcard.diff(old, new)) == ["VERSION_NOT_BUMPED"]
    edit_rdf(new, lambda d: d.__setitem__("version", "0.2.0"))
    assert _warnings(bmzcard.diff(old, new)) == ["CHANGELOG_MISSING"]
    (new / "README.md").write_text("# Changelog\n\n- 0.2.0: new description\n", encoding="utf-8")
    assert _warnings(bmzcard.diff(old, new)) == []
    edit_rdf(new, lambda d: d.__setitem__("version", "0.0.9"))
    assert "VERSION_DECREASED" in _warnings(bmzcard.diff(old, new))


def test_numeric_test_tensor_difference(example_pair):
    old, new = example_pair
    array = np.load(old / "test_output.npy")
    changed = array.copy()
    changed.flat[7] += np.float32(0.25)
    np.save(new / "test_output.npy", changed)
    expected = float(np.abs(changed.astype(np.float64) - array.astype(np.float64)).max())
    digest = hashlib.sha256((new / "test_output.npy").read_bytes()).hexdigest()
    edit_rdf(new, lambda d: d["outputs"][0]["test_tensor"].__setitem__("sha256", digest))
    plain = bmzcard.diff(old, new)
    (change,) = plain.changes
    assert (change.path, change.rule, change.detail) == ("outputs.probability.test_tensor.sha256", "TEST_TENSOR_CHANGED", None)
    (numeric,) = bmzcard.diff(old, new, numeric=True).changes
    assert numeric.detail["max_abs_diff"] == pytest.approx(0.25, abs=1e-6)
    assert numeric.detail["max_abs_diff"] == expected
    assert numeric.detail["shape_old"] == list(array.shape)


def test_unrelated_models_compare_without_crashing(unet2d):
    report = bmzcard.diff(EXAMPLE, unet2d)
    assert report.unrelated
    assert any(c.rule == "MODEL_REPLACED" and c.breaking for c in report.changes)
    assert len({c.path for c in report.changes}) == len(report.changes)  # one change per top-level field
    assert all("." not in c.path for c in report.changes if c.section != "card")
    assert render(report, DiffFormat.TEXT).count("different models") == 1


def test_card_path_pairs_with_rdf_beside_it(example_pair):
    old, new = example_pair
    edit_rdf(new, lambda d: d["weights"].pop("onnx"))
    report = bmzcard.diff(old / "README.md", new / "README.md")
    assert report.old["card"].endswith("README.md")
    assert [c.rule for c in report.changes] == ["WEIGHT_FORMAT_REMOVED"]


def test_zip_against_folder(example_pair, tmp_path):
    old, new = example_pair
    archive = shutil.make_archive(str(tmp_path / "old"), "zip", old)
    assert bmzcard.diff(archive, new).changes == []


def test_measurement_change_with_delta(example_pair):
    old, new = example_pair
    edit_rdf(new, lambda d: d["config"]["bioimageio"].__setitem__("model_parameter_count", 30000))
    (change,) = bmzcard.diff(old, new).changes
    assert (change.path, change.rule, change.section) == (
        "config.bioimageio.model_parameter_count", "MEASUREMENT_CHANGED", "measurements")
    assert "change +4607" in change.message  # 30000 - 25393
