"""`bmzcard evaluate` for classification (labels, scored per set of images) and detection (points, boxes)."""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as sk

from bmzcard.cli.app import app
from bmzcard.evaluate import classification, detection
from bmzcard.evaluate.manifest import read_manifest
from bmzcard.example import package_path
from bmzcard.sources.package import open_package
from bmzcard.sources.rdf import load_rdf
from tests.metrics.coco_reference import coco_reference

from .conftest import runner, write_manifest

CLASSES = ["cat", "dog", "bird"]


@pytest.fixture()
def label_manifest(tmp_path: Path) -> tuple[Path, list[list[str]]]:
    """40 images with true and predicted classes (about 70% right) and a factor ``site`` with two levels."""
    rng = np.random.default_rng(7)
    np.save(tmp_path / "image.npy", np.zeros((4, 4)))
    rows = []
    for index in range(40):
        truth = CLASSES[rng.integers(0, 3)]
        predicted = truth if rng.random() < 0.7 else CLASSES[rng.integers(0, 3)]
        rows.append(["image.npy", truth, predicted, "a" if index % 3 else "b"])
    path = write_manifest(tmp_path / "labels.csv", ["image", "ground_truth", "prediction", "site"], rows)
    return path, rows


def _evaluate(*arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, ["evaluate", *arguments])
    return result.exit_code, result.output


def test_classification_metrics_match_scikit_learn_per_level(label_manifest, tmp_path):
    path, rows = label_manifest
    out = tmp_path / "result.json"
    code, output = _evaluate("--data", str(path), "--task", "classification", "--bootstrap", "200",
                             "--metrics", "accuracy,balanced_accuracy,precision,recall,f1", "--json", str(out))
    assert code == 0, output
    document = json.loads(out.read_text())
    summary = document["summary"]
    for level, chosen in (("overall", rows), ("site=a", [r for r in rows if r[3] == "a"]),
                          ("site=b", [r for r in rows if r[3] == "b"])):
        truth, predicted = [r[1] for r in chosen], [r[2] for r in chosen]
        expected = {
            "accuracy": sk.accuracy_score(truth, predicted),
            "balanced_accuracy": sk.balanced_accuracy_score(truth, predicted),
            "precision": sk.precision_score(truth, predicted, average="macro", zero_division=0),
            "recall": sk.recall_score(truth, predicted, average="macro", zero_division=0),
            "f1": sk.f1_score(truth, predicted, average="macro", zero_division=0),
        }
        for name, value in expected.items():
            cell = summary[name][level]
            assert cell["mean"] == pytest.approx(value, abs=1e-12), (name, level)
            assert cell["n"] == len(chosen)
            assert cell["ci_low"] <= cell["ci_high"] and cell["std"] > 0
        per_class = sk.precision_score(truth, predicted, labels=CLASSES, average=None, zero_division=0)
        for label, value in zip(CLASSES, per_class):
            assert summary[f"precision[{label}]"][level]["mean"] == pytest.approx(value, abs=1e-12)
        order = document["confusion_matrix"]["classes"]
        assert document["confusion_matrix"]["levels"][level] == sk.confusion_matrix(
            truth, predicted, labels=order).tolist()
    assert "bootstrap over those images" in document["settings"]["bootstrap"]["method"]
    assert document["per_image"][0]["labels"] == {"ground_truth": rows[0][1], "prediction": rows[0][2]}
    with open(out.with_name("result_per_image.csv"), newline="") as stream:
        table = list(csv.DictReader(stream))
    assert [(t["ground_truth"], t["prediction"], float(t["correct"])) for t in table] == [
        (r[1], r[2], float(r[1] == r[2])) for r in rows]


def test_classification_bootstrap_is_reproducible_with_its_seed(label_manifest, tmp_path):
    path, _ = label_manifest
    documents = []
    for name, seed in (("first", "3"), ("again", "3"), ("other", "4")):
        out = tmp_path / f"{name}.json"
        code, output = _evaluate("--data", str(path), "--task", "classification", "--bootstrap", "100",
                                 "--seed", seed, "--json", str(out))
        assert code == 0, output
        documents.append(json.loads(out.read_text())["summary"])
    assert documents[0] == documents[1]
    assert documents[0]["f1"]["overall"]["mean"] == documents[2]["f1"]["overall"]["mean"]
    assert documents[0]["f1"]["overall"]["ci_low"] != documents[2]["f1"]["overall"]["ci_low"]


def test_classification_model_output_gives_the_argmax_class_named_by_classes(tmp_path):
    np.save(tmp_path / "image.npy", np.zeros((4, 4)))
    path = write_manifest(tmp_path / "labels.csv", ["image", "ground_truth"], [["image.npy", "dog"]] * 2)
    manifest = read_manifest(path, label_columns=classification.LABEL_COLUMNS)

    class Scores:
        def predict(self, image, where):
            return np.array([[0.1], [0.7], [0.2]]), "whole"

    results = classification.evaluate_rows(manifest, ("cat", "dog", "bird"), Scores())
    assert results[0].labels == {"ground_truth": "dog", "prediction": "dog"} and results[0].metrics == {"correct": 1.0}
    assert "argmax" in classification.describe(manifest, ("cat", "dog", "bird"))


def test_classification_bad_row_names_file_and_row_and_writes_nothing(label_manifest, tmp_path):
    path, rows = label_manifest
    rows[2][2] = ""
    write_manifest(path, ["image", "ground_truth", "prediction", "site"], rows)
    out = tmp_path / "bad.json"
    code, output = _evaluate("--data", str(path), "--task", "classification", "--json", str(out))
    assert code == 2
    assert "labels.csv" in output and "row 3" in output and "prediction" in output
    assert not out.exists() and not out.with_name("bad_per_image.csv").exists()


def _points(path: Path, points: list[tuple[float, ...]], columns: str = "y,x") -> str:
    path.write_text("\n".join([columns, *(",".join(str(v) for v in p) for p in points)]) + "\n")
    return path.name


@pytest.fixture()
def point_manifest(tmp_path: Path) -> Path:
    """Two images: true points at (10,10), (20,20), (30,30); predictions 2, 4 and far away from them."""
    truth = [(10, 10), (20, 20), (30, 30)]
    rows = []
    for index, predicted in enumerate(([(10, 12), (20, 24), (50, 50)], [(10, 10), (20, 20), (30, 30)])):
        np.save(tmp_path / f"image{index}.npy", np.zeros((64, 64)))
        rows.append([f"image{index}.npy", _points(tmp_path / f"truth{index}.csv", truth),
                     _points(tmp_path / f"pred{index}.csv", predicted), "far" if index == 0 else "exact"])
    return write_manifest(tmp_path / "points.csv", ["image", "ground_truth", "prediction", "offset"], rows)


@pytest.mark.parametrize(("distance", "matched"), [("1.9", 0), ("2", 1), ("3", 1), ("4", 2)])
def test_points_match_within_the_distance_only(point_manifest, tmp_path, distance, matched):
    out = tmp_path / "points.json"
    code, output = _evaluate("--data", str(point_manifest), "--task", "detection", "--match-distance", distance,
                             "--bootstrap", "50", "--json", str(out))
    assert code == 0, output
    document = json.loads(out.read_text())
    first, second = document["per_image"]
    assert first["metrics"] == {"f1": matched / 3, "precision": matched / 3, "recall": matched / 3}
    assert second["metrics"]["f1"] == 1.0
    assert document["summary"]["f1"]["offset=far"]["mean"] == pytest.approx(matched / 3)
    assert document["summary"]["f1"]["overall"]["mean"] == pytest.approx((matched / 3 + 1) / 2)
    assert document["settings"]["prediction_rule"] == f"points matched one-to-one within {float(distance):g} pixels"


@pytest.mark.parametrize(("threshold", "f1"), [("0.5", 1.0), ("0.51", 0.0)])
def test_boxes_match_at_the_iou_threshold_and_scores_give_map(tmp_path, threshold, f1):
    np.save(tmp_path / "image.npy", np.zeros((16, 16)))
    box = "y_min,x_min,y_max,x_max"
    _points(tmp_path / "truth.csv", [(0, 0, 10, 10)], box)
    _points(tmp_path / "half.csv", [(0, 0, 10, 5, 0.9)], box + ",score")  # IoU exactly 0.5
    _points(tmp_path / "same.csv", [(0, 0, 10, 10, 0.8)], box + ",score")
    path = write_manifest(tmp_path / "boxes.csv", ["image", "ground_truth", "prediction"],
                          [["image.npy", "truth.csv", "half.csv"], ["image.npy", "truth.csv", "same.csv"]])
    out = tmp_path / "boxes.json"
    code, output = _evaluate("--data", str(path), "--task", "detection", "--iou-threshold", threshold,
                             "--bootstrap", "50", "--json", str(out))
    assert code == 0, output
    half, same = (entry["metrics"] for entry in json.loads(out.read_text())["per_image"])
    assert half["f1"] == f1 and same["f1"] == 1.0
    # IoU 0.5 is a hit at 0.50 only; COCOeval's precision of a hit is 1 / (1 + eps)
    assert half["map"] == pytest.approx(0.1, abs=1e-12) and same["map"] == pytest.approx(1.0, abs=1e-12)


def test_detection_bad_file_names_manifest_row_and_file(point_manifest, tmp_path):
    (tmp_path / "pred1.csv").write_text("y,x\n10,oops\n")
    out = tmp_path / "bad.json"
    code, output = _evaluate("--data", str(point_manifest), "--task", "detection", "--match-distance", "3",
                             "--json", str(out))
    assert code == 2
    assert "points.csv" in output and "row 2" in output and "pred1.csv" in output and "'oops'" in output
    assert not out.exists()


def test_points_need_a_match_distance(point_manifest):
    code, output = _evaluate("--data", str(point_manifest), "--task", "detection")
    assert code == 2 and "--match-distance" in output


@pytest.mark.parametrize("task", ["classification", "detection"])
def test_write_card_fills_a_valid_rdf_entry_and_the_card(label_manifest, point_manifest, tmp_path, task):
    package = tmp_path / "package"
    shutil.copytree(package_path(), package)
    data, extra = ((label_manifest[0], []) if task == "classification"
                   else (point_manifest, ["--match-distance", "3"]))
    code, output = _evaluate(str(package), "--data", str(data), "--task", task, "--bootstrap", "50", *extra,
                             "--write-card", "--dataset-id", f"{task}-test",
                             "--dataset-source", "https://example.org/data")
    assert code == 0, output
    evaluation = load_rdf(open_package(package)).description.config.bioimageio.evaluations[0]
    card = (package / "README.md").read_text()
    assert "| Metric | Overall |" in card and "F1" in evaluation.metrics
    # the card's table is what the linter reads: it matches the RDF and its re-computation
    checked = runner.invoke(app, ["check", str(package / "README.md"), "--verify"])
    assert checked.exit_code == 0, checked.output
    if task == "classification":
        assert "| Precision (cat) |" in card and "precision of class cat (one-vs-rest)" in card
        matrix = json.loads((package / "evaluation" / "summary.json").read_text())["confusion_matrix"]
        first = matrix["levels"]["overall"][0]
        assert f"| {matrix['classes'][0]} | {' | '.join(map(str, first))} |" in card
        assert "bootstrap samples of those images" in card
        assert not list((package / "evaluation").glob("*.png"))
    else:
        assert "points matched one-to-one within 3 micrometer" in card  # the model input's pixel size
        assert (package / "evaluation" / "boxplot_f1.png").is_file()


def test_classification_intervals_equal_scipys_paired_percentile_bootstrap(label_manifest):
    """The metric on each resample of the level's images: scipy.stats.bootstrap(paired=True) with the same seed."""
    path, rows = label_manifest
    manifest = read_manifest(path, label_columns=classification.LABEL_COLUMNS)
    results = classification.evaluate_rows(manifest, None, None)
    order = classification.class_order(results, None)
    summary = classification.summarize(results, ["site"], ["balanced_accuracy"], order, seed=5, resamples=300,
                                       confidence=0.9)
    chosen = [r for r in rows if r[3] == "b"]
    truth, predicted = np.array([r[1] for r in chosen]), np.array([r[2] for r in chosen])
    reference = stats.bootstrap((truth, predicted), lambda t, p: sk.balanced_accuracy_score(t, p), paired=True,
                                vectorized=False, n_resamples=300, confidence_level=0.9, method="percentile",
                                rng=np.random.default_rng(5))
    cell = summary["balanced_accuracy"]["site=b"]
    np.testing.assert_allclose((cell.ci_low, cell.ci_high), tuple(reference.confidence_interval), rtol=1e-12)
    assert cell.std == pytest.approx(reference.standard_error, rel=1e-12)


def _box_rows(tmp_path: Path, rng) -> tuple[Path, list]:
    """Six images (two without true boxes) of jittered, missing and extra scored boxes, factor ``plate``."""
    np.save(tmp_path / "image.npy", np.zeros((8, 8)))
    header, rows, data = "y_min,x_min,y_max,x_max", [], []
    for index in range(6):
        lower = rng.uniform(0, 100, (0 if index in (2, 5) else int(rng.integers(1, 8)), 2))
        truth = np.hstack([lower, lower + rng.uniform(5, 20, lower.shape)])
        found = truth[rng.random(len(truth)) < 0.8]
        kept = found + rng.normal(0, 1.5, found.shape)
        stray = rng.uniform(0, 100, (int(rng.integers(0, 3)), 2))
        predicted = np.vstack([kept, np.hstack([stray, stray + 10])])
        predicted[:, 2:] = np.maximum(predicted[:, 2:], predicted[:, :2])
        scores = rng.random(len(predicted))
        _points(tmp_path / f"truth{index}.csv", [tuple(b) for b in truth], header)
        _points(tmp_path / f"pred{index}.csv", [(*b, s) for b, s in zip(predicted, scores)], header + ",score")
        rows.append(["image.npy", f"truth{index}.csv", f"pred{index}.csv", "p1" if index < 3 else "p2"])
        data.append((truth, predicted, scores))
    return write_manifest(tmp_path / "boxes.csv", ["image", "ground_truth", "prediction", "plate"], rows), data


@pytest.mark.filterwarnings("ignore::scipy.stats.DegenerateDataWarning")  # scipy's interval of NaN replicates
def test_detection_map_is_pooled_per_level_as_cocoeval(tmp_path):
    """A level's map is pycocotools' AP of its images pooled; its bootstrap is scipy's with COCOeval as statistic."""
    path, data = _box_rows(tmp_path, np.random.default_rng(12))
    manifest = read_manifest(path)
    matching = detection.Matching()
    pairs, kind, scored = detection.read_rows(manifest, matching)
    results = detection.evaluate_rows(manifest, pairs, matching, None, None, scored)
    summary = detection.summarize(results, pairs, ["plate"], seed=4, resamples=40, confidence=0.95)
    for level, members in (("overall", range(6)), ("plate=p1", range(3)), ("plate=p2", range(3, 6))):
        chosen = [data[i] for i in members]
        assert summary["map"][level].mean == coco_reference(*zip(*chosen))
        assert summary["map"][level].n == len(chosen)

        def statistic(drawn):
            return coco_reference(*zip(*(chosen[i] for i in np.sort(drawn))))

        replicates = stats.bootstrap((np.arange(len(chosen)),), statistic, vectorized=False, n_resamples=40,
                                     method="percentile", rng=np.random.default_rng(4)).bootstrap_distribution
        # resamples without a true box have no AP (NaN): left out of the interval, as for classes absent
        finite = replicates[np.isfinite(replicates)]
        cell = summary["map"][level]
        np.testing.assert_allclose((cell.ci_low, cell.ci_high), np.quantile(finite, [0.025, 0.975]), rtol=1e-12)
        assert cell.std == pytest.approx(np.std(finite, ddof=1), rel=1e-12)
    # per image: the image's own COCO mAP, undefined (NaN) without true boxes; the other metrics are means
    assert math.isnan(results[2].metrics["map"])
    assert results[0].metrics["map"] == coco_reference([data[0][0]], [data[0][1]], [data[0][2]])
    f1 = [r.metrics["f1"] for r in results]
    assert summary["f1"]["overall"].mean == pytest.approx(np.mean(f1), abs=1e-12)
    assert "pooled" in detection.AGGREGATION
