"""Turn a prediction into what the metrics compare, by explicit rules only.

Probability maps are never binarized by a guessed cut-off: a float prediction
for a segmentation task needs ``--threshold``, and instance labels are made
from it by connected components. The rule is written into the provenance
(:meth:`PredictionRule.describe`) so the numbers can be re-computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bmzcard.errors import BmzcardError

SEGMENTATION = ("semantic", "instance")


@dataclass(frozen=True)
class PredictionRule:
    """How a raw prediction becomes labels (or stays intensities).

    Attributes
    ----------
    task : str
        Canonical task (``semantic``, ``instance``, ``restoration``).
    threshold : float or None
        Foreground where ``prediction >= threshold``.
    channel : int or None
        Which channel of a multi-channel prediction to use.
    connected_components : bool
        Label connected foreground regions (instance task); forced on for
        thresholded predictions of the instance task.
    """

    task: str
    threshold: float | None = None
    channel: int | None = None
    connected_components: bool = False

    def check(self) -> None:
        """Refuse options that do not apply to the task."""
        if self.task not in SEGMENTATION and self.threshold is not None:
            raise BmzcardError(f"--threshold does not apply to {self.task}", field="--threshold")
        if self.task != "instance" and self.connected_components:
            raise BmzcardError("--connected-components applies to instance segmentation only",
                               field="--connected-components")

    def describe(self) -> str:
        """The rule in words, for the card and the provenance."""
        steps = []
        if self.channel is not None:
            steps.append(f"channel {self.channel} of the prediction")
        if self.threshold is not None:
            steps.append(f"foreground where prediction >= {self.threshold:g}")
        if self.labels_components:
            steps.append("instances = connected components of the foreground (full connectivity)")
        if not steps:
            steps.append("prediction compared as given" + (" (integer labels)" if self.task in SEGMENTATION else ""))
        return "; ".join(steps)

    @property
    def labels_components(self) -> bool:
        """Whether instances are made by connected-component labelling."""
        return self.task == "instance" and (self.threshold is not None or self.connected_components)

    def leading_index(self, shape: tuple[int, ...], ground_truth_ndim: int, where: Path | str) -> tuple[int, ...]:
        """The index that takes a prediction's leading axes away: singleton axes, then the
        ``channel`` of a channel axis (an array or a lazily read file alike).

        Raises
        ------
        BmzcardError
            For a channel axis without ``channel`` or with ``channel`` out of range.
        """
        index: tuple[int, ...] = ()
        while len(shape) > ground_truth_ndim and shape[0] == 1 and self.channel is None:
            index, shape = index + (0,), shape[1:]
        if len(shape) == ground_truth_ndim + 1:
            if self.channel is None:
                raise BmzcardError(f"the prediction has {shape[0]} channels (shape {tuple(shape)}); "
                                   "choose one with --channel", path=where)
            if not 0 <= self.channel < shape[0]:
                raise BmzcardError(f"--channel {self.channel} is out of range for {shape[0]} channels", path=where)
            index += (self.channel,)
        return index

    def apply(self, prediction: np.ndarray, ground_truth_ndim: int, where: Path | str,
              *, label_components: bool = True) -> np.ndarray:
        """The prediction ready for the metrics.

        Parameters
        ----------
        prediction : ndarray
            Model output or prediction file (a leading channel axis allowed).
        ground_truth_ndim : int
            Number of axes of the ground truth, to tell a channel axis apart.
        where : Path or str
            The file (or "model output for <image>") to name in errors.
        label_components : bool
            False stops before the connected-component labelling (the
            foreground is returned), for labelling done slab by slab.
        """
        array = np.asarray(prediction)
        array = array[self.leading_index(array.shape, ground_truth_ndim, where)]
        if self.task not in SEGMENTATION:
            return array
        if self.threshold is None:
            array = integer_labels(array, where, "the prediction holds non-integer values (probabilities?); "
                                   "give --threshold to binarize it")
            if self.labels_components and label_components:
                return _components(array != 0)
            return array
        foreground = array >= self.threshold
        return _components(foreground) if self.labels_components and label_components else foreground


def integer_labels(array: np.ndarray, where: Path | str, message: str) -> np.ndarray:
    """A label image stored as floats (common in TIFF files) as int64, if every value is a whole number.

    Raises
    ------
    BmzcardError
        With ``message`` naming ``where``, for any fractional value.
    """
    if not np.issubdtype(array.dtype, np.floating):
        return array
    if not np.array_equal(array, np.round(array)):
        raise BmzcardError(message, path=where)
    return array.astype(np.int64)


def _components(mask: np.ndarray) -> np.ndarray:
    return connected_components(mask)[0].astype(np.int32)


def connected_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """Connected components of ``mask`` with full connectivity (8 in 2D, 26
    in 3D) labelled 1..n in raster order, and n."""
    from skimage.measure import label

    return label(mask, connectivity=mask.ndim, return_num=True)
