"""Fixtures of the evaluate tests: the example evaluated once, small manifests on shared data."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bmzcard.example import eval_manifest_path, package_path

runner = CliRunner()


@pytest.fixture(scope="session")
def example_copy(tmp_path_factory) -> Path:
    """A fresh copy of the bundled example package."""
    target = tmp_path_factory.mktemp("example") / "package"
    shutil.copytree(package_path(), target)
    return target


@pytest.fixture(scope="session")
def evaluated_example(tmp_path_factory):
    """The bundled example evaluated through the CLI with --write-card, once per session."""
    from bmzcard.cli.app import app

    target = tmp_path_factory.mktemp("evaluated") / "package"
    shutil.copytree(package_path(), target)
    result = runner.invoke(app, [
        "evaluate", str(target), "--data", str(eval_manifest_path()), "--threshold", "0.5",
        "--weight-format", "onnx", "--device", "cpu", "--write-card", "--dataset-id", "synthetic-eval",
        "--dataset-source", "https://example.org/synthetic-eval", "--json", str(target / "result.json"),
    ])
    assert result.exit_code == 0, result.output
    return target, result


def write_manifest(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    path.write_text("\n".join(delimiter.join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def neuron_manifest(shared: Path, tmp_path: Path) -> Path:
    """The 4 neuronal-cell masks of the shared data with predictions made by shifting each mask.

    Factor ``magnification`` from the file names (200x in the name or not).
    """
    from PIL import Image

    folder = shared / "data" / "fluorescent_neuronal_cells_sample"
    rows = []
    for index, mask_path in enumerate(sorted((folder / "masks").glob("*.png"))):
        mask = np.asarray(Image.open(mask_path)) > 0
        prediction = np.roll(mask, shift=index + 1, axis=1).astype(np.uint8)
        np.save(tmp_path / f"pred_{index}.npy", prediction)
        level = "200x" if "200x" in mask_path.name else "other"
        rows.append([str(folder / "images" / mask_path.name), str(mask_path), f"pred_{index}.npy", level])
    return write_manifest(tmp_path / "manifest.csv", ["image", "ground_truth", "prediction", "magnification"], rows)
