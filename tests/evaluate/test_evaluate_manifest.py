"""The manifest: columns, factors, paths and row-level errors."""

from __future__ import annotations

import numpy as np
import pytest

from bmzcard.errors import BmzcardError
from bmzcard.evaluate.manifest import read_manifest
from bmzcard.example import eval_manifest_path

from .conftest import write_manifest


def test_the_example_manifest_has_eight_rows_and_the_snr_factor():
    manifest = read_manifest(eval_manifest_path())
    assert len(manifest.rows) == 8
    assert manifest.factors == ("snr",)
    assert manifest.levels("snr") == ["high", "low"]
    assert manifest.rows[0].image == eval_manifest_path().parent / "img_00.npy"
    assert manifest.rows[0].image.is_file() and not manifest.has_predictions
    assert len(manifest.sha256) == 64


@pytest.fixture()
def files(tmp_path):
    for name in ("a.npy", "b.npy"):
        np.save(tmp_path / name, np.zeros((4, 4), np.uint8))
    return tmp_path


def test_tsv_manifests_and_factor_selection(files):
    path = write_manifest(files / "m.tsv", ["image", "ground_truth", "snr", "cell_type"],
                          [["a.npy", "b.npy", "low", "hela"]], delimiter="\t")
    manifest = read_manifest(path, factors=["cell_type"])
    assert manifest.factors == ("cell_type",)
    assert manifest.rows[0].factors == {"cell_type": "hela"}


@pytest.mark.parametrize(
    ("header", "rows", "factors", "expected"),
    [
        (["image", "snr"], [["a.npy", "low"]], None, "column 'ground_truth' is missing"),
        (["image", "ground_truth"], [["a.npy", "b.npy"]], ["snr"], "unknown factor 'snr'"),
        (["image", "ground_truth"], [["a.npy", "b.npy"], ["a.npy", "missing.npy"]], None,
         "row 2: ground_truth file not found"),
        (["image", "ground_truth", "snr"], [["a.npy", "b.npy", "low"], ["a.npy", "b.npy"]], None,
         "row 2: has 2 cells, the header has 3"),
        (["image", "ground_truth", "snr"], [["a.npy", "b.npy", ""]], None, "row 1: empty value in factor column 'snr'"),
        (["image", "ground_truth", "prediction"], [["a.npy", "b.npy", "a.npy"], ["a.npy", "b.npy", ""]], None,
         "row 2: empty prediction cell"),
    ],
)
def test_bad_manifests_name_the_problem_and_the_row(files, header, rows, factors, expected):
    path = write_manifest(files / "m.csv", header, rows)
    with pytest.raises(BmzcardError) as error:
        read_manifest(path, factors=factors)
    assert expected in str(error.value)
    assert str(path) in str(error.value)
