"""Classification metrics against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from bmzcard.metrics import MetricInputError
from bmzcard.metrics.classification import (
    accuracy,
    balanced_accuracy,
    confusion_matrix,
    f1,
    precision,
    precision_recall_f1,
    recall,
)


@pytest.mark.parametrize("seed", range(5))
def test_against_sklearn(seed):
    rng = np.random.default_rng(seed)
    gt = rng.integers(0, 4, 50)
    pred = np.where(rng.random(50) < 0.6, gt, rng.integers(0, 5, 50))  # class 4 never true
    labels = np.union1d(gt, pred)
    np.testing.assert_array_equal(confusion_matrix(gt, pred), skm.confusion_matrix(gt, pred, labels=labels))
    assert accuracy(gt, pred) == pytest.approx(skm.accuracy_score(gt, pred))
    with pytest.warns(UserWarning) if 4 in pred else _nothing():
        ref_ba = skm.balanced_accuracy_score(gt, pred)
    assert balanced_accuracy(gt, pred) == pytest.approx(ref_ba)
    p, r, f, _ = skm.precision_recall_fscore_support(gt, pred, labels=labels, zero_division=0)
    res = precision_recall_f1(gt, pred)
    np.testing.assert_allclose(res["precision"], p)
    np.testing.assert_allclose(res["recall"], r)
    np.testing.assert_allclose(res["f1"], f)
    assert precision(gt, pred) == pytest.approx(skm.precision_score(gt, pred, average="macro", zero_division=0))
    assert recall(gt, pred) == pytest.approx(skm.recall_score(gt, pred, average="macro", zero_division=0))
    assert f1(gt, pred) == pytest.approx(skm.f1_score(gt, pred, average="macro", zero_division=0))


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_string_labels_and_explicit_classes():
    gt = ["cell", "cell", "debris", "cell"]
    pred = ["cell", "debris", "debris", "cell"]
    cm = confusion_matrix(gt, pred, classes=["debris", "cell", "mitosis"])
    assert cm.tolist() == [[1, 0, 0], [1, 2, 0], [0, 0, 0]]
    res = precision_recall_f1(gt, pred, classes=["debris", "cell", "mitosis"])
    # mitosis: no support, no prediction -> 0.0, and it counts in the macro mean
    assert res["f1"][2] == 0.0
    assert res["macro_f1"] == pytest.approx((2 / 3 + 0.8 + 0) / 3)
    assert balanced_accuracy(gt, pred) == pytest.approx((2 / 3 + 1) / 2)


def test_errors():
    with pytest.raises(MetricInputError) as err:
        accuracy([1, 2], [1])
    assert err.value.parameter == "prediction"
    with pytest.raises(MetricInputError) as err:
        confusion_matrix([1, 2], [1, 3], classes=[1, 2])
    assert err.value.parameter == "classes" and "3" in str(err.value)
    with pytest.raises(MetricInputError):
        accuracy([], [])
