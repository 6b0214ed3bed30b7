"""bmzcard's bundled example: a tiny nuclei U-Net package and its evaluation data.

The files are package data made by ``examples/train_example.py`` in the
repository (see its docstring for how to rerun it; it is not installed);
nothing here needs torch.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def package_path() -> Path:
    """Return the folder of the bundled example model package.

    Returns
    -------
    pathlib.Path
        The folder holding ``rdf.yaml``, the weights, test tensors and cover.
    """
    return _HERE / "package"


def eval_manifest_path() -> Path:
    """Return the manifest of the bundled evaluation data set.

    Returns
    -------
    pathlib.Path
        ``manifest.csv`` with columns ``image``, ``ground_truth`` and ``snr``;
        its file names are relative to the manifest's folder.
    """
    return _HERE / "eval_data" / "manifest.csv"
