"""Shared material and reference helpers for the metric tests.

The shared data folder is read from ``$BMZCARD_SHARED`` (default
``<repo>/../shared``); the tests fail, not skip, when it is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import tifffile

REPO = Path(__file__).resolve().parents[2]


def shared_root() -> Path:
    root = Path(os.environ.get("BMZCARD_SHARED", REPO.parent / "shared"))
    if not (root / "data").is_dir():
        pytest.fail(f"shared material not found at {root} (set BMZCARD_SHARED)", pytrace=False)
    return root


@pytest.fixture(scope="session")
def shared() -> Path:
    return shared_root()


@pytest.fixture(scope="session")
def blobs_labels(shared) -> np.ndarray:
    return tifffile.imread(shared / "data/blobs_instance_gt/masks/blobs.tif")


@pytest.fixture(scope="session")
def nuclei3d_labels(shared) -> np.ndarray:
    return tifffile.imread(shared / "data/nuclei3d_synthetic_stardist/masks/img3d.tif")


@pytest.fixture(scope="session")
def nuclei3d_image(shared) -> np.ndarray:
    return tifffile.imread(shared / "data/nuclei3d_synthetic_stardist/images/img3d.tif")


@pytest.fixture(scope="session")
def neuron_masks(shared) -> list[np.ndarray]:
    import imageio.v3 as iio

    files = sorted((shared / "data/fluorescent_neuronal_cells_sample/masks").glob("*.png"))
    assert len(files) == 4
    return [iio.imread(f) for f in files]


@pytest.fixture(scope="session")
def unet_tensors(shared) -> tuple[np.ndarray, np.ndarray]:
    folder = shared / "bmz/packages/unet2d_nuclei_broad"
    x = np.load(folder / "test_input.npy")[0, 0].astype(np.float64)
    y = np.load(folder / "test_output.npy")[0, 0].astype(np.float64)
    return x, y


def perturb_labels(labels: np.ndarray, seed: int) -> np.ndarray:
    """A plausible 'prediction': shifted, some objects grown, some dropped,
    some false positives, and relabelled with non-contiguous labels."""
    from scipy import ndimage as ndi

    rng = np.random.default_rng(seed)
    pred = np.roll(labels, tuple(rng.integers(-2, 3, labels.ndim)), axis=tuple(range(labels.ndim)))
    if seed % 2:
        pred = ndi.grey_dilation(pred, size=(3,) * labels.ndim)
    ids = np.unique(pred)[1:]
    drop = rng.choice(ids, len(ids) // 8, replace=False)
    pred[np.isin(pred, drop)] = 0
    # a false positive
    corner = tuple(slice(0, 4) for _ in range(labels.ndim))
    pred[corner] = ids.max() + 1
    ids = np.unique(pred)[1:]
    lut = np.zeros(int(pred.max()) + 1, dtype=np.int64)
    lut[ids] = rng.choice(50_000, ids.size, replace=False) + 1
    return lut[pred]


@pytest.fixture(scope="session")
def perturb():
    """The :func:`perturb_labels` function, as a fixture."""
    return perturb_labels
