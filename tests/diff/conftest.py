"""Pairs of model versions with one known change each, built from the real packages."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest
from ruamel.yaml import YAML

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "bmzcard" / "example" / "package"


def copy_package(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def edit_rdf(folder: Path, change: Callable[[dict], None], name: str = "rdf.yaml") -> Path:
    """Apply `change` to the RDF's data, keeping its comments and layout elsewhere."""
    yaml = YAML()
    yaml.preserve_quotes = True
    path = folder / name
    data = yaml.load(path.read_text(encoding="utf-8"))
    change(data)
    with open(path, "w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
    return path


@pytest.fixture()
def example_pair(tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of bmzcard's example package (0.5, ONNX + TorchScript, a card-less README)."""
    return copy_package(EXAMPLE, tmp_path / "old"), copy_package(EXAMPLE, tmp_path / "new")


@pytest.fixture()
def unet_pair(tmp_path: Path, unet2d: Path) -> tuple[Path, Path]:
    """Two copies of the shared unet2d_nuclei_broad package, each with its 0.5 RDF only."""
    pair = []
    for name in ("old", "new"):
        folder = copy_package(unet2d, tmp_path / name)
        (folder / "v0_4_9.bioimageio.yaml").unlink()
        pair.append(folder)
    return pair[0], pair[1]
