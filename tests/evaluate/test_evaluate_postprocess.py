"""Explicit thresholding and labelling of predictions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bmzcard.errors import BmzcardError
from bmzcard.evaluate.images import read_image
from bmzcard.evaluate.postprocess import PredictionRule

HERE = Path("prediction.npy")


def test_probabilities_need_an_explicit_threshold():
    probabilities = np.array([[0.2, 0.7], [0.5, 0.1]], np.float32)
    with pytest.raises(BmzcardError, match="give --threshold"):
        PredictionRule("semantic").apply(probabilities, 2, HERE)
    mask = PredictionRule("semantic", threshold=0.5).apply(probabilities, 2, HERE)
    np.testing.assert_array_equal(mask, [[False, True], [True, False]])
    assert PredictionRule("semantic", threshold=0.5).describe() == "foreground where prediction >= 0.5"


def test_thresholded_instances_are_connected_components_of_the_blobs(shared):
    labels = read_image(shared / "data" / "blobs_instance_gt" / "masks" / "blobs.tif")
    probability = (labels > 0).astype(np.float32) * 0.9
    rule = PredictionRule("instance", threshold=0.5)
    instances = rule.apply(probability, 2, HERE)
    # touching blobs merge, so there are at most as many components as objects, and most survive
    assert 40 < instances.max() <= 61
    assert "connected components" in rule.describe()


def test_channels_must_be_chosen_and_options_must_fit_the_task():
    two = np.zeros((2, 3, 3), np.uint8)
    with pytest.raises(BmzcardError, match="choose one with --channel"):
        PredictionRule("semantic").apply(two, 2, HERE)
    assert PredictionRule("semantic", channel=1).apply(two, 2, HERE).shape == (3, 3)
    with pytest.raises(BmzcardError, match="--threshold does not apply to restoration"):
        PredictionRule("restoration", threshold=0.5).check()
