"""Box detection through the command line into the card: each level's mAP is pycocotools' pooled AP.

`bmzcard evaluate --write-card` on CSV files of scored boxes with two factors
(``plate``: two levels of images with boxes; ``field``: a level whose images
hold no true box). The card's and the RDF's mAP cells must be COCOeval's AP of
each level's images pooled (tests/metrics/coco_reference.py), the level
without true boxes ``n/a`` (valid for bioimageio.spec, no NaN in the YAML),
and ``check --verify`` must re-compute the same numbers: it passes on the
card as written and fails on a card showing the per-image mean instead.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from bmzcard.cli.app import app
from bmzcard.example import package_path
from bmzcard.sources.package import open_package
from bmzcard.sources.rdf import load_rdf
from tests.metrics.coco_reference import coco_reference

from .conftest import runner, write_manifest

HEADER = "y_min,x_min,y_max,x_max"
RESAMPLES = 60


def _write_boxes(path: Path, boxes, scores=None) -> str:
    lines = [HEADER + (",score" if scores is not None else "")]
    for index, box in enumerate(np.asarray(boxes, float).reshape(-1, 4)):
        values = list(box) + ([scores[index]] if scores is not None else [])
        lines.append(",".join(repr(float(v)) for v in values))
    path.write_text("\n".join(lines) + "\n")
    return path.name


def _box_manifest(folder: Path) -> tuple[Path, list[tuple], list[dict]]:
    """Ten images: plate p1 (5) and p2 (5); field ``blank`` (2 images without true boxes) and ``cells``.

    Images of p1 have many boxes found well, p2 few boxes found badly, so the
    pooled AP differs clearly from the mean of per-image APs.
    """
    rng = np.random.default_rng(21)
    np.save(folder / "image.npy", np.zeros((8, 8)))
    rows, data, factors = [], [], []
    for index in range(10):
        plate = "p1" if index < 5 else "p2"
        blank = index in (3, 8)
        count = 0 if blank else int(rng.integers(8, 14) if plate == "p1" else rng.integers(1, 4))
        lower = rng.uniform(0, 200, (count, 2))
        truth = np.hstack([lower, lower + rng.uniform(6, 25, (count, 2))])
        found = truth[rng.random(count) < (0.9 if plate == "p1" else 0.6)]
        kept = found + rng.normal(0, 1.0 if plate == "p1" else 3.0, found.shape)
        stray = rng.uniform(0, 200, (int(rng.integers(1, 4)), 2))
        predicted = np.vstack([kept, np.hstack([stray, stray + rng.uniform(6, 25, stray.shape)])])
        predicted[:, 2:] = np.maximum(predicted[:, 2:], predicted[:, :2])
        scores = rng.random(len(predicted))
        field = "blank" if blank else "cells"
        rows.append(["image.npy", _write_boxes(folder / f"truth{index}.csv", truth),
                     _write_boxes(folder / f"pred{index}.csv", predicted, scores), plate, field])
        data.append((truth, predicted, scores))
        factors.append({"plate": plate, "field": field})
    manifest = write_manifest(folder / "boxes.csv", ["image", "ground_truth", "prediction", "plate", "field"], rows)
    return manifest, data, factors


def _levels(factors: list[dict]) -> dict[str, list[int]]:
    levels = {"overall": list(range(len(factors)))}
    for name in ("plate", "field"):
        for index, row in enumerate(factors):
            levels.setdefault(f"{name}={row[name]}", []).append(index)
    return levels


def _card_row(card: str, label: str) -> list[str]:
    line = next(line for line in card.splitlines() if line.startswith(f"| {label} |"))
    return [cell.strip() for cell in line.strip("|").split("|")[1:]]


@pytest.fixture()
def evaluated_boxes(tmp_path):
    package = tmp_path / "package"
    shutil.copytree(package_path(), package)
    manifest, data, factors = _box_manifest(tmp_path)
    result = runner.invoke(app, [
        "evaluate", str(package), "--data", str(manifest), "--task", "detection", "--bootstrap", str(RESAMPLES),
        "--seed", "3", "--write-card", "--dataset-id", "boxes-test", "--dataset-source", "https://example.org/boxes",
    ])
    assert result.exit_code == 0, result.output
    return package, data, factors


@pytest.mark.filterwarnings("ignore::scipy.stats.DegenerateDataWarning")  # scipy's interval of NaN replicates
def test_each_levels_map_in_card_and_rdf_is_cocoevals_pooled_ap(evaluated_boxes):
    package, data, factors = evaluated_boxes
    levels = _levels(factors)
    summary = json.loads((package / "evaluation" / "summary.json").read_text())
    card = (package / "README.md").read_text()
    evaluation = load_rdf(open_package(package)).description.config.bioimageio.evaluations[0]  # validated by spec
    row = evaluation.results[evaluation.metrics.index("mAP")]
    assert evaluation.evaluation_factors == ["Overall", "plate=p1", "plate=p2", "field=cells", "field=blank"]
    assert list(summary["summary"]["map"]) == list(levels)
    for column, (level, members) in enumerate(levels.items()):
        chosen = [data[i] for i in members]
        expected = coco_reference(*zip(*chosen))
        cell = summary["summary"]["map"][level]
        if level == "field=blank":  # no true box: COCOeval's -1, no AP
            assert math.isnan(expected) and cell["mean"] == "nan" and cell["std"] == "nan"
            assert row[column] == "n/a" and _card_row(card, "mAP")[column] == "n/a"
            continue
        assert cell["mean"] == expected, level
        assert cell["n"] == len(members)
        shown = f"{expected:.2f} ± {cell['std']:.2f}"
        assert row[column] == shown and _card_row(card, "mAP")[column] == shown
        # the std is the pooled AP's over a bootstrap of the level's images: scipy's, with COCOeval as statistic
        replicates = stats.bootstrap((np.arange(len(chosen)),),
                                     lambda drawn: coco_reference(*zip(*(chosen[i] for i in np.sort(drawn)))),
                                     vectorized=False, n_resamples=RESAMPLES, method="percentile",
                                     rng=np.random.default_rng(3)).bootstrap_distribution
        finite = replicates[np.isfinite(replicates)]
        assert cell["std"] == pytest.approx(np.std(finite, ddof=1), rel=1e-12)
        assert (cell["ci_low"], cell["ci_high"]) == pytest.approx(tuple(np.quantile(finite, [0.025, 0.975])),
                                                                  rel=1e-12)
    # precision, recall and F1 stay means over images
    f1 = [r["metrics"]["f1"] for r in summary["per_image"]]
    assert summary["summary"]["f1"]["plate=p2"]["mean"] == pytest.approx(np.mean(f1[5:]), abs=1e-12)
    # no NaN written into the RDF: YAML's .nan would not be a valid result cell
    rdf_text = (package / "rdf.yaml").read_text()
    assert not re.search(r"\bnan\b", rdf_text, re.IGNORECASE)


def test_record_and_card_say_map_is_pooled_and_the_rest_are_means(evaluated_boxes):
    package, _, _ = evaluated_boxes
    settings = json.loads((package / "evaluation" / "summary.json").read_text())["settings"]
    assert "map: COCO mAP@[.50:.95] pooled over each level's images" in settings["bootstrap"]["method"]
    assert "precision, recall, f1: mean over each level's images" in settings["bootstrap"]["method"]
    assert "map: standard deviation of the pooled map over the bootstrap samples" in settings["std"]
    card = (package / "README.md").read_text()
    assert "Mean ± standard deviation over images" not in card
    assert "mAP: COCO mAP@[.50:.95] of the column's images pooled" in card
    assert "Precision, recall and F1: mean over the column's images ± standard deviation over images" in card
    definition = next(line for line in card.splitlines() if line.startswith("- **mAP**:"))
    assert "COCOeval, the column's images pooled" in definition


def test_check_verify_recomputes_the_pooled_map(evaluated_boxes):
    package, data, _ = evaluated_boxes
    card_path = package / "README.md"
    checked = runner.invoke(app, ["check", str(card_path), "--verify"])
    assert checked.exit_code == 0, checked.output
    # a card showing the mean of per-image APs instead of the pooled AP is caught
    card = card_path.read_text()
    pooled = coco_reference(*zip(*data))
    per_image = np.nanmean([coco_reference([t], [p], [s]) for t, p, s in data])
    assert abs(pooled - per_image) > 0.01  # the data set tells the two apart
    line = next(line for line in card.splitlines() if line.startswith("| mAP |"))
    overall = _card_row(card, "mAP")[0]
    edited = line.replace(f"| {overall} |", f"| {per_image:.2f}{overall[4:]} |", 1)
    card_path.write_text(card.replace(line, edited))
    checked = runner.invoke(app, ["check", str(card_path), "--verify"])
    assert checked.exit_code != 0
    assert "mAP / Overall" in checked.output and f"re-computed {overall}" in checked.output
