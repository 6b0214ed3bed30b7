"""Sparse annotations through ``bmzcard evaluate``: --ignore-label and the ignore_mask column.

Real material: BBBC007 scribbles (0 unlabelled, 1 background, 2 nucleus)
and BBBC007 sparse instance labels (6-9 nuclei per image annotated, the rest
0). References: scikit-learn on the labelled pixels only, and
``stardist.matching`` after dropping the predicted objects that lie mostly
where nobody annotated.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import tifffile
from skimage.filters import threshold_otsu
from skimage.measure import label
from sklearn.metrics import f1_score, jaccard_score
from stardist.matching import matching
from typer.testing import CliRunner

from bmzcard.cli.app import app

from .conftest import write_manifest

runner = CliRunner()


def evaluate_json(tmp_path, manifest, *args) -> dict:
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["evaluate", "--data", str(manifest), "--json", str(out), *args])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def without_ignore_masks(manifest):
    """A copy of the scribbles manifest (beside it) without its last column, ignore_mask."""
    plain = manifest.with_name("plain.csv")
    plain.write_text("".join(line.rsplit(",", 1)[0] + "\n" for line in manifest.read_text().splitlines()))
    return plain


@pytest.fixture()
def scribbles(shared, tmp_path):
    """(manifest path, [(scribbles, prediction)]): Otsu predictions as 1/2 labels, masks of the unlabelled."""
    folder = shared / "data/bbbc007_sparse_annotations/crops"
    rows, pairs = [], []
    for index, path in enumerate(sorted((folder / "sparse_semantic").glob("*.tif"))):
        image = tifffile.imread(folder / "images" / path.name)
        prediction = np.where(image > threshold_otsu(image), 2, 1).astype(np.uint8)
        np.save(tmp_path / f"pred{index}.npy", prediction)
        np.save(tmp_path / f"unlabelled{index}.npy", tifffile.imread(path) == 0)
        rows.append([str(folder / "images" / path.name), str(path), f"pred{index}.npy", f"unlabelled{index}.npy"])
        pairs.append((tifffile.imread(path).astype(np.int64), prediction))
    manifest = write_manifest(tmp_path / "scribbles.csv", ["image", "ground_truth", "prediction", "ignore_mask"], rows)
    return manifest, pairs


def test_semantic_ignore_label_scores_the_labelled_pixels_only(scribbles, tmp_path):
    manifest, pairs = scribbles
    # the same manifest without its ignore_mask column: only --ignore-label leaves pixels out
    plain = without_ignore_masks(manifest)
    document = evaluate_json(tmp_path, plain, "--task", "semantic-segmentation", "--ignore-label", "0",
                             "--metrics", "dice,iou")
    for entry, (truth, prediction) in zip(document["per_image"], pairs):
        labelled = truth != 0
        t, p = truth[labelled], prediction[labelled]
        per_class = f1_score(t, p, labels=[1, 2], average=None)
        assert entry["metrics"]["dice[1]"] == pytest.approx(per_class[0], rel=1e-12)
        assert entry["metrics"]["dice[2]"] == pytest.approx(per_class[1], rel=1e-12)
        assert entry["metrics"]["dice"] == pytest.approx(per_class.mean(), rel=1e-12)
        assert entry["metrics"]["iou"] == pytest.approx(jaccard_score(t, p, labels=[1, 2], average="macro"), rel=1e-12)
    assert "ground-truth value 0" in document["settings"]["prediction_rule"]
    assert document["settings"]["options"]["ignore_label"] == 0  # recorded, so --verify can re-compute


def test_ignore_mask_column_gives_the_same_numbers_as_the_ignore_label(scribbles, tmp_path):
    manifest, _ = scribbles
    by_mask = evaluate_json(tmp_path, manifest, "--task", "semantic-segmentation", "--metrics", "dice,iou")
    by_label = evaluate_json(tmp_path, manifest, "--task", "semantic-segmentation", "--ignore-label", "0",
                             "--metrics", "dice,iou")
    assert [e["metrics"] for e in by_mask["per_image"]] == [e["metrics"] for e in by_label["per_image"]]
    assert "ignore masks" in by_mask["settings"]["prediction_rule"]
    # and the masks matter: without them the unlabelled pixels count as background
    unmasked = without_ignore_masks(manifest)
    dense = evaluate_json(tmp_path, unmasked, "--task", "semantic-segmentation", "--metrics", "dice,iou")
    assert dense["per_image"][0]["metrics"]["dice"] != by_mask["per_image"][0]["metrics"]["dice"]


def test_sparse_instances_drop_predictions_where_nobody_annotated(shared, tmp_path):
    folder = shared / "data/bbbc007_sparse_annotations/batch"
    rows, expected = [], []
    for index, path in enumerate(sorted((folder / "sparse_instances").glob("*.tif"))[:3]):
        image = tifffile.imread(folder / "images" / path.name)
        prediction = label(image > threshold_otsu(image)).astype(np.int32)
        np.save(tmp_path / f"inst{index}.npy", prediction)
        rows.append([str(folder / "images" / path.name), str(path), f"inst{index}.npy"])
        truth = tifffile.imread(path)
        # the reference: drop predicted objects with more than half their pixels unannotated
        kept = prediction.copy()
        for obj in np.unique(prediction)[1:]:
            inside = prediction == obj
            if np.count_nonzero(inside & (truth == 0)) > 0.5 * np.count_nonzero(inside):
                kept[inside] = 0
        expected.append((matching(truth, kept, thresh=0.5), matching(truth, prediction, thresh=0.5)))
    manifest = write_manifest(tmp_path / "instances.csv", ["image", "ground_truth", "prediction"], rows)
    document = evaluate_json(tmp_path, manifest, "--task", "instance-segmentation", "--ignore-label", "0")
    for entry, (sparse, dense) in zip(document["per_image"], expected):
        assert entry["metrics"]["precision"] == pytest.approx(sparse.precision, rel=1e-12)
        assert entry["metrics"]["recall"] == pytest.approx(sparse.recall, rel=1e-12)
        assert entry["metrics"]["ap@0.50"] == pytest.approx(sparse.accuracy, rel=1e-12)
        # unannotated nuclei would otherwise all be false positives
        assert sparse.fp < dense.fp
    assert "objects more than half inside them are dropped" in document["settings"]["prediction_rule"]


def test_bad_ignore_inputs_exit_2_and_write_nothing(scribbles, tmp_path):
    manifest, _ = scribbles
    np.save(tmp_path / "unlabelled1.npy", np.zeros((3, 3), bool))  # the wrong shape for row 2
    out = tmp_path / "never.json"
    result = runner.invoke(app, ["evaluate", "--data", str(manifest), "--task", "semantic-segmentation",
                                 "--json", str(out)])
    assert result.exit_code == 2 and "row 2" in result.output and "ignore_mask" in result.output
    result = runner.invoke(app, ["evaluate", "--data", str(manifest), "--task", "restoration",
                                 "--json", str(out)])
    assert result.exit_code == 2 and "ignore_mask" in result.output
    plain = without_ignore_masks(manifest)
    result = runner.invoke(app, ["evaluate", "--data", str(plain), "--task", "restoration", "--ignore-label", "0",
                                 "--json", str(out)])
    assert result.exit_code == 2 and "--ignore-label" in result.output
    assert not out.exists()
