"""Large volumes with prediction files are evaluated slab by slab, with the whole-volume numbers."""

from __future__ import annotations

import numpy as np
import pytest
import tifffile
import zarr

from bmzcard.errors import BmzcardError
from bmzcard.evaluate import EvaluateOptions, evaluate

from .conftest import write_manifest


@pytest.fixture()
def volume_manifest(shared, tmp_path):
    """The shared 3D nuclei labels and their mask (.npy; TIFF plain and
    compressed) with a shifted prediction (Zarr) and a probability map (.npy)."""
    truth = tifffile.imread(shared / "data" / "nuclei3d_synthetic_stardist" / "masks" / "img3d.tif")
    np.save(tmp_path / "truth.npy", truth)
    np.save(tmp_path / "mask.npy", (truth > 0).astype(np.uint8))
    tifffile.imwrite(tmp_path / "truth.tif", truth)
    tifffile.imwrite(tmp_path / "packed.tif", truth, compression="zlib")
    shifted = np.roll(truth, 2, axis=0)
    stored = zarr.create_array(str(tmp_path / "pred.zarr"), shape=truth.shape, dtype=truth.dtype, chunks=(4, 61, 57))
    stored[:] = shifted
    np.save(tmp_path / "prob.npy", (np.roll(truth, 1, axis=2) > 0) * np.float32(0.8))
    return write_manifest(tmp_path / "m.csv", ["image", "ground_truth", "prediction"], [
        ["truth.npy", "truth.npy", "pred.zarr"], ["truth.tif", "truth.tif", "pred.zarr"],
        ["truth.tif", "packed.tif", "pred.zarr"]])


@pytest.mark.parametrize("task", ["semantic", "instance"])
def test_chunked_path_gives_whole_volume_numbers(volume_manifest, task):
    chunked = evaluate(volume_manifest, options=EvaluateOptions(task=task, chunked_above=1000))
    whole = evaluate(volume_manifest, options=EvaluateOptions(task=task, chunked_above=None))
    # an uncompressed TIFF is memory-mapped; a compressed one is read whole, then computed slab by slab
    assert chunked.record["computation"] == {"chunked": 3}
    assert whole.record["computation"] == {"whole-volume": 3}
    assert [r.metrics for r in chunked.results] == [r.metrics for r in whole.results]
    assert chunked.summary == whole.summary


def test_small_volumes_take_the_whole_volume_path(volume_manifest):
    report = evaluate(volume_manifest, options=EvaluateOptions(task="instance"))
    assert report.record["computation"] == {"whole-volume": 3}


def test_threshold_rule_applies_per_slab(volume_manifest, tmp_path):
    manifest = write_manifest(tmp_path / "p.csv", ["image", "ground_truth", "prediction"],
                              [["mask.npy", "mask.npy", "prob.npy"]])
    options = {"task": "semantic", "threshold": 0.5, "metrics": ("dice", "iou", "hd", "hd95", "nsd")}
    chunked = evaluate(manifest, options=EvaluateOptions(**options, chunked_above=1000))
    whole = evaluate(manifest, options=EvaluateOptions(**options, chunked_above=None))
    assert chunked.record["computation"] == {"chunked": 1}
    assert chunked.results[0].metrics == whole.results[0].metrics


def test_channel_and_singleton_axes_are_taken_per_slab(volume_manifest, tmp_path):
    probability = np.load(tmp_path / "prob.npy")
    # channel 1 is the foreground probability, channel 0 its complement
    np.save(tmp_path / "channels.npy", np.stack([1 - probability, probability]))
    np.save(tmp_path / "batch.npy", np.load(tmp_path / "mask.npy")[None])
    options = {"task": "semantic", "metrics": ("dice", "hd95")}
    for prediction, extra in (("channels.npy", {"threshold": 0.5, "channel": 1}), ("batch.npy", {})):
        manifest = write_manifest(tmp_path / "c.csv", ["image", "ground_truth", "prediction"],
                                  [["mask.npy", "mask.npy", prediction]])
        chunked = evaluate(manifest, options=EvaluateOptions(**options, **extra, chunked_above=1000))
        whole = evaluate(manifest, options=EvaluateOptions(**options, **extra, chunked_above=None))
        assert chunked.record["computation"] == {"chunked": 1}
        assert chunked.results[0].metrics == whole.results[0].metrics
    assert chunked.results[0].metrics["dice"] == 1.0  # the singleton axis held the mask itself


@pytest.mark.parametrize("task", ["semantic", "instance"])
def test_sparse_annotations_are_evaluated_slab_by_slab_too(volume_manifest, tmp_path, task):
    truth = np.load(tmp_path / "truth.npy")
    unlabelled = np.zeros(truth.shape, np.uint8)
    unlabelled[10:20] = 1  # a band of planes nobody annotated
    np.save(tmp_path / "unlabelled.npy", unlabelled)
    manifest = write_manifest(tmp_path / "s.csv", ["image", "ground_truth", "prediction", "ignore_mask"],
                              [["truth.npy", "truth.npy", "pred.zarr", "unlabelled.npy"]])
    options = {"task": task, "ignore_label": 3}  # and label 3 is unlabelled as well
    chunked = evaluate(manifest, options=EvaluateOptions(**options, chunked_above=1000))
    whole = evaluate(manifest, options=EvaluateOptions(**options, chunked_above=None))
    dense = evaluate(manifest.with_name("m.csv"), options=EvaluateOptions(task=task, chunked_above=None))
    assert chunked.record["computation"] == {"chunked": 1}
    assert chunked.results[0].metrics == whole.results[0].metrics
    assert chunked.results[0].metrics != dense.results[0].metrics  # the ignored pixels mattered


def same_objects(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two label images hold the same objects, whatever their numbers."""
    if not np.array_equal(a == 0, b == 0):
        return False
    pairs = np.unique(np.stack([a[a > 0], b[b > 0]]), axis=1)
    return pairs.shape[1] == np.unique(a[a > 0]).size == np.unique(b[b > 0]).size


@pytest.mark.parametrize("shape", [(40, 30, 20), (64, 48)])
@pytest.mark.parametrize("step", [1, 3, 7, 1000])
def test_component_labels_join_objects_across_slab_borders(shape, step):
    from bmzcard.evaluate.chunked import ComponentLabels
    from bmzcard.evaluate.postprocess import connected_components

    rng = np.random.default_rng(step)
    foreground = rng.random(shape) < 0.3
    # a diagonal line: consecutive pixels touch only through a corner, across every border
    line = np.arange(min(shape))
    foreground[(line,) * len(shape)] = True
    chunked = ComponentLabels(foreground, step)
    whole, _ = connected_components(foreground)
    assert same_objects(chunked[0 : shape[0]], whole)
    assert same_objects(np.concatenate([chunked[i : i + 5] for i in range(0, shape[0], 5)]), whole)
    assert np.unique(chunked[0 : shape[0]]).size - 1 == whole.max()


@pytest.mark.parametrize("extra", [{"threshold": 0.5}, {"connected_components": True}])
def test_connected_components_are_labelled_slab_by_slab(volume_manifest, tmp_path, extra):
    manifest = write_manifest(tmp_path / "cc.csv", ["image", "ground_truth", "prediction"],
                              [["truth.npy", "truth.npy", "prob.npy" if "threshold" in extra else "mask.npy"]])
    chunked = evaluate(manifest, options=EvaluateOptions(task="instance", **extra, chunked_above=1000))
    whole = evaluate(manifest, options=EvaluateOptions(task="instance", **extra, chunked_above=None))
    assert chunked.record["computation"] == {"chunked": 1}
    assert chunked.results[0].metrics == whole.results[0].metrics
    assert 0 < chunked.results[0].metrics["f1"] < 1  # touching nuclei merge: a real, imperfect score


def test_model_outputs_above_the_threshold_are_computed_slab_by_slab(example_copy):
    from bmzcard.example import eval_manifest_path

    options = {"threshold": 0.5, "weight_format": "onnx", "device": "cpu",
               "metrics": ("dice", "iou", "hd", "hd95", "nsd")}
    chunked = evaluate(eval_manifest_path(), example_copy, EvaluateOptions(**options, chunked_above=1000))
    whole = evaluate(eval_manifest_path(), example_copy, EvaluateOptions(**options, chunked_above=None))
    assert chunked.record["computation"] == {"chunked": len(chunked.results)}
    assert [r.metrics for r in chunked.results] == [r.metrics for r in whole.results]


def test_nan_in_a_slab_names_the_row(volume_manifest, tmp_path):
    probability = np.load(tmp_path / "prob.npy")
    probability[20, 3, 4] = np.nan
    np.save(tmp_path / "prob.npy", probability)
    manifest = write_manifest(tmp_path / "p.csv", ["image", "ground_truth", "prediction"],
                              [["mask.npy", "mask.npy", "prob.npy"]])
    with pytest.raises(BmzcardError, match=r"row 1: .*prob.npy: NaN"):
        evaluate(manifest, options=EvaluateOptions(task="semantic", threshold=0.5, chunked_above=1000))


def test_cli_chunked_above_chooses_the_path_and_keeps_the_numbers(tmp_path):
    """`--chunked-above 0` keeps every image whole; a tiny limit sends them slab by slab; same numbers."""
    import json

    import numpy as np
    from typer.testing import CliRunner

    from bmzcard.cli.app import app

    rng = np.random.default_rng(3)
    truth = np.zeros((24, 32, 32), dtype=np.uint8)
    truth[4:20, 6:26, 8:28] = 1
    prediction = truth.copy()
    prediction[rng.random(truth.shape) < 0.02] ^= 1
    np.save(tmp_path / "gt.npy", truth)
    np.save(tmp_path / "pred.npy", prediction)
    (tmp_path / "m.csv").write_text("image,ground_truth,prediction\ngt.npy,gt.npy,pred.npy\n")
    results = {}
    for limit in ("0", "0.001"):
        out = tmp_path / f"r{limit}.json"
        result = CliRunner().invoke(app, ["evaluate", "--data", str(tmp_path / "m.csv"), "--task",
                                          "semantic-segmentation", "--chunked-above", limit, "--json", str(out)])
        assert result.exit_code == 0, result.output
        results[limit] = json.loads(out.read_text())
    assert results["0"]["per_image"][0]["metrics"] == results["0.001"]["per_image"][0]["metrics"]
    assert results["0"]["settings"]["options"]["chunked_above"] is None
    assert results["0.001"]["settings"]["options"]["chunked_above"] == int(0.001 * (1 << 20))
    assert results["0"]["settings"]["computation"] == {"whole-volume": 1}
    assert results["0.001"]["settings"]["computation"] == {"chunked": 1}
