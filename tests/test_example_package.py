"""The bundled example package is a valid, reproducible bioimage.io model.

All checks run offline on the committed files; none needs torch.
"""

from __future__ import annotations

import csv
from pathlib import Path

import bioimageio.core
import numpy as np
import onnx
import pytest
from bioimageio.spec import load_description
from bioimageio.spec.model.v0_5 import ModelDescr
from ruamel.yaml import YAML

from bmzcard.example import eval_manifest_path, package_path

MAX_BYTES = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def rdf_path() -> Path:
    return package_path() / "rdf.yaml"


@pytest.fixture(scope="module")
def descr(rdf_path: Path) -> ModelDescr:
    return load_description(rdf_path, perform_io_checks=True)


def test_package_validates_with_io_checks(descr) -> None:
    errors = [e for detail in descr.validation_summary.details for e in detail.errors]
    assert isinstance(descr, ModelDescr), descr.validation_summary.display()
    assert errors == []
    # The package follows the newest format the installed spec implements.
    assert descr.format_version == ModelDescr.implemented_format_version


def test_rdf_keeps_comments_and_leaves_evaluations_to_evaluate(rdf_path: Path) -> None:
    text = rdf_path.read_text(encoding="utf-8")
    card_fields = YAML().load(text)["config"]["bioimageio"]
    assert text.startswith("# bmzcard's bundled example model package.")
    # `bmzcard evaluate` owns the evaluations; training hardware and hours are known, the location is not.
    assert "evaluations" not in card_fields
    assert set(card_fields["environmental_impact"]) == {"hardware_type", "hours_used"}
    assert card_fields["environmental_impact"]["hours_used"] == card_fields["training"]["training_duration"]


def test_declared_parameter_count_is_the_real_one(descr) -> None:
    onnx_model = onnx.load(str(package_path() / "weights.onnx"))
    real_count = sum(int(np.prod(t.dims)) for t in onnx_model.graph.initializer)
    assert descr.config.bioimageio.model_parameter_count == real_count


def test_weights_and_bundled_data_are_small(descr) -> None:
    weight_files = [package_path() / "weights.onnx", package_path() / "weights.pt"]
    declared = {str(w.source) for w in (descr.weights.onnx, descr.weights.torchscript)}
    assert declared == {f.name for f in weight_files}
    assert sum(f.stat().st_size for f in weight_files) < MAX_BYTES
    bundled = [*package_path().iterdir(), *eval_manifest_path().parent.iterdir()]
    assert sum(f.stat().st_size for f in bundled) < MAX_BYTES


def test_bioimageio_core_reproduces_test_outputs_with_onnx(rdf_path: Path) -> None:
    summary = bioimageio.core.test_model(rdf_path, weight_format="onnx")
    failed = [d.name for d in summary.details if d.status != "passed"]
    assert summary.status == "passed", failed
    assert any("Reproduce test outputs" in d.name for d in summary.details)


def test_eval_manifest_has_two_snr_levels_and_matching_shapes(descr) -> None:
    manifest = eval_manifest_path()
    with open(manifest, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["image", "ground_truth", "snr"]
    assert {row["snr"] for row in rows} == {"low", "high"}
    # The test input is (b, c, y, x); evaluation images are (y, x) like it.
    model_image_shape = np.load(package_path() / "test_input.npy").shape[2:]
    for row in rows:
        image = np.load(manifest.parent / row["image"])
        truth = np.load(manifest.parent / row["ground_truth"])
        assert image.shape == truth.shape == model_image_shape
        assert image.dtype == np.float32
        assert truth.dtype == np.uint8
        assert set(np.unique(truth)) <= {0, 1}
        assert truth.any(), f"{row['ground_truth']} has no foreground"
