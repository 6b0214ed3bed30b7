"""`bmzcard evaluate --task classification` with a real bioimage.io model run through bioimageio.core.

The package is built per test: an ONNX model whose three class scores are a
fixed linear layer over the image's mean and maximum, so numpy gives the
expected class of every image from the same formula.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as sk

from bmzcard.cli.app import app

from .conftest import runner, write_manifest

CLASSES = ["dim", "bright", "spotty"]
# scores = WEIGHT @ [mean, max] + BIAS: "dim" wins for dark images, "bright" for a high mean,
# "spotty" for a maximum far above the mean.
WEIGHT = np.array([[-4.0, 0.0], [4.0, -1.0], [-2.0, 1.5]], dtype=np.float32)
BIAS = np.array([1.0, -0.5, -0.6], dtype=np.float32)
SIZE = 24


def expected_class(image: np.ndarray) -> str:
    """The class the model must give, computed with numpy in float32 as the model does."""
    features = np.array([image.mean(dtype=np.float32), image.max()], dtype=np.float32)
    return CLASSES[int(np.argmax(WEIGHT @ features + BIAS))]


def _onnx_model() -> bytes:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes = [
        helper.make_node("GlobalAveragePool", ["raw"], ["mean"]),
        helper.make_node("GlobalMaxPool", ["raw"], ["max"]),
        helper.make_node("Concat", ["mean", "max"], ["features4d"], axis=1),
        helper.make_node("Flatten", ["features4d"], ["features"], axis=1),
        helper.make_node("Gemm", ["features", "weight", "bias"], ["scores"], transB=1),
    ]
    graph = helper.make_graph(
        nodes, "mean_max_classifier",
        [helper.make_tensor_value_info("raw", TensorProto.FLOAT, ["batch", 1, "y", "x"])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", len(CLASSES)])],
        initializer=[numpy_helper.from_array(WEIGHT, "weight"), numpy_helper.from_array(BIAS, "bias")],
    )
    # opset 17 and IR version 8: readable by onnxruntime releases of the last several years
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(model, full_check=True)
    return model.SerializeToString()


RDF = f"""\
type: model
format_version: 0.5.4
name: Mean-max toy classifier
description: Three class scores from a fixed linear layer over an image's mean and maximum (test model).
authors:
  - name: bmzcard tests
cite:
  - text: bmzcard test model
    url: https://example.org/bmzcard
license: MIT
documentation: README.md
tags: [classification, 2d, onnx]
inputs:
  - id: raw
    axes:
      - type: batch
      - type: channel
        channel_names: [intensity]
      - type: space
        id: y
        size: {{min: 8, step: 1}}
      - type: space
        id: x
        size: {{min: 8, step: 1}}
    test_tensor:
      source: test_input.npy
    data:
      type: float32
outputs:
  - id: scores
    axes:
      - type: batch
      - type: channel
        channel_names: [{", ".join(CLASSES)}]
    test_tensor:
      source: test_output.npy
    data:
      type: float32
weights:
  onnx:
    source: weights.onnx
    opset_version: 17
"""


@pytest.fixture()
def classifier_package(tmp_path: Path) -> Path:
    """A format 0.5 model package with ONNX weights; its test output is what onnxruntime computes."""
    import onnxruntime

    package = tmp_path / "classifier"
    package.mkdir()
    weights = _onnx_model()
    (package / "weights.onnx").write_bytes(weights)
    test_input = np.random.default_rng(0).random((1, 1, SIZE, SIZE), dtype=np.float32)
    session = onnxruntime.InferenceSession(weights, providers=["CPUExecutionProvider"])
    np.save(package / "test_input.npy", test_input)
    np.save(package / "test_output.npy", session.run(None, {"raw": test_input})[0])
    (package / "README.md").write_text("# Mean-max toy classifier\n\nA test model of bmzcard.\n")
    (package / "rdf.yaml").write_text(RDF)
    return package


def test_the_package_is_a_valid_model_description(classifier_package):
    from bioimageio.spec import load_description
    from bioimageio.spec.model.v0_5 import ModelDescr

    description = load_description(classifier_package / "rdf.yaml", perform_io_checks=False)
    assert isinstance(description, ModelDescr), description.validation_summary.format()
    assert [str(n) for n in description.outputs[0].axes[1].channel_names] == CLASSES


@pytest.fixture()
def stained_images(tmp_path: Path) -> tuple[Path, list[dict]]:
    """30 images of three kinds, intended kind as ground truth, and a factor ``stain``.

    The brighter ``hoechst`` stain and the random levels push some images
    across the model's decision boundaries, so the model is not always right.
    """
    rng = np.random.default_rng(3)
    rows = []
    for index in range(30):
        kind, stain = CLASSES[index % 3], ("dapi", "hoechst")[index // 3 % 2]
        image = rng.uniform(0.0, 0.15, (SIZE, SIZE))
        if kind == "bright":
            image += rng.uniform(0.1, 0.6)
        elif kind == "spotty":
            spots = rng.integers(0, SIZE, (2, 3))
            image[spots[0], spots[1]] = rng.uniform(0.4, 1.0)
        image = (image * (1.0 if stain == "dapi" else 1.6)).astype(np.float32)
        np.save(tmp_path / f"image{index:02d}.npy", image)
        rows.append({"image": f"image{index:02d}.npy", "truth": kind, "stain": stain,
                     "expected": expected_class(image)})
    manifest = write_manifest(tmp_path / "manifest.csv", ["image", "ground_truth", "stain"],
                              [[r["image"], r["truth"], r["stain"]] for r in rows])
    return manifest, rows


def _evaluate(package: Path, manifest: Path, out: Path, classes: list[str], *extra: str):
    return runner.invoke(app, [
        "evaluate", str(package), "--data", str(manifest), "--task", "classification",
        "--classes", ",".join(classes), "--weight-format", "onnx", "--device", "cpu",
        "--metrics", "accuracy,balanced_accuracy,f1", "--bootstrap", "50", "--json", str(out), *extra,
    ])


def test_a_real_onnx_classifier_gives_the_numpy_class_and_scikit_learn_metrics(classifier_package,
                                                                              stained_images, tmp_path):
    manifest, rows = stained_images
    accuracy = np.mean([r["expected"] == r["truth"] for r in rows])
    assert 0.5 < accuracy < 1.0, "the images must give both right and wrong classes"
    out = tmp_path / "result.json"
    result = _evaluate(classifier_package, manifest, out, CLASSES)
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["settings"]["weight_format"] == "onnx"
    assert [(r["row"], r["labels"]) for r in document["per_image"]] == [
        (number, {"ground_truth": r["truth"], "prediction": r["expected"]}) for number, r in enumerate(rows, 1)]
    for level, chosen in (("overall", rows), ("stain=dapi", [r for r in rows if r["stain"] == "dapi"]),
                          ("stain=hoechst", [r for r in rows if r["stain"] == "hoechst"])):
        truth, predicted = [r["truth"] for r in chosen], [r["expected"] for r in chosen]
        expected = {
            "accuracy": sk.accuracy_score(truth, predicted),
            "balanced_accuracy": sk.balanced_accuracy_score(truth, predicted),
            "f1": sk.f1_score(truth, predicted, average="macro", zero_division=0),
        }
        for name, value in expected.items():
            cell = document["summary"][name][level]
            assert cell["mean"] == pytest.approx(value, abs=1e-12), (name, level)
            assert cell["n"] == len(chosen)


def test_classes_of_the_wrong_length_are_refused_before_any_image_and_write_nothing(
        classifier_package, stained_images, tmp_path):
    manifest, _ = stained_images
    out = tmp_path / "wrong.json"
    result = _evaluate(classifier_package, manifest, out, CLASSES[:2])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    # the output's channel names come from the RDF: the user sees which classes the model has
    assert "--classes: 2 class names given, but the model's output" in message
    assert f"has 3 channels ({', '.join(CLASSES)})" in message
    assert "row 1" not in message  # refused before the first image ran
    assert not out.exists() and not out.with_name("wrong_per_image.csv").exists()


def test_class_scores_are_not_computed_in_tiles(classifier_package, stained_images, tmp_path):
    # one tile's scores are not the image's: tiling a model without spatial outputs is refused
    manifest, _ = stained_images
    out = tmp_path / "tiled.json"
    result = _evaluate(classifier_package, manifest, out, CLASSES, "--tile", "0")
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "manifest.csv: row 1:" in message and "cannot be run in tiles; --tile was given" in message
    assert not out.exists()
