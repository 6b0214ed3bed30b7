"""Hostile packages for the security tests: each built fresh from bmzcard's example package.

Every trap writes a marker file outside the package when it runs, so a test can
tell whether package code was executed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bmzcard.example import package_path

runner = CliRunner()

_WEIGHTS_START = "weights:\n"
_WEIGHTS_END = "\n# Described inline"


def trap(marker: Path) -> str:
    """Python source that leaves `marker` behind when imported."""
    return f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n"


def copy_example(target: Path) -> Path:
    shutil.copytree(package_path(), target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def with_state_dict_weights(package: Path, marker: Path, keep_onnx: bool = True) -> Path:
    """Add `pytorch_state_dict` weights whose architecture is the package's own `arch.py` (a trap)."""
    rdf = (package / "rdf.yaml").read_text()
    start, end = rdf.index(_WEIGHTS_START), rdf.index(_WEIGHTS_END)
    weights = ("weights:\n  pytorch_state_dict:\n    source: weights.pt\n    architecture:\n"
               "      source: arch.py\n      callable: UNet\n    pytorch_version: 2.13.0\n")
    if keep_onnx:
        weights += "  onnx:\n    source: weights.onnx\n    opset_version: 17\n    parent: pytorch_state_dict\n"
    (package / "rdf.yaml").write_text(rdf[:start] + weights + rdf[end:])
    (package / "arch.py").write_text(trap(marker) + "UNet = None\n")
    return package


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "package")


@pytest.fixture
def evaluated_package(tmp_path: Path) -> tuple[Path, Path]:
    """The example with trap state-dict weights beside its ONNX ones, evaluated with ONNX into its card."""
    from bmzcard.cli.app import app
    from bmzcard.example import eval_manifest_path

    marker = tmp_path / "arch-ran"
    package = with_state_dict_weights(copy_example(tmp_path / "package"), marker)
    result = runner.invoke(app, [
        "evaluate", str(package), "--data", str(eval_manifest_path()), "--threshold", "0.5",
        "--weight-format", "onnx", "--device", "cpu", "--write-card", "--dataset-id", "synthetic-eval",
        "--dataset-source", "https://example.org/synthetic-eval",
    ])
    assert result.exit_code == 0, result.output
    assert not marker.exists()
    return package, marker
