"""Hostile packages for the security tests: each built fresh from bmzcard's example package.

Every trap writes a marker file outside the package when it runs, so a test can
tell whether package code was executed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


def run_bmzcard(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """bmzcard in its own process: a crash (a segmentation fault) must not take the tests down with it."""
    import bmzcard

    environment = dict(os.environ, **(env or {}))
    source = str(Path(bmzcard.__file__).resolve().parents[1])
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [source, environment.get("PYTHONPATH")]))
    environment["COLUMNS"] = "400"  # one line stays one line
    return subprocess.run([sys.executable, "-m", "bmzcard", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=600)


def assert_one_line_error(done, names: str | Path) -> None:
    """Exit 2, one line naming the file, no traceback.

    Commands print that line alone on stderr; `check` prints an unreadable card
    or package in its report on stdout (followed by the report's count line).
    """
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stdout + done.stderr
    if done.args[3] == "check" and not done.stderr:  # an unreadable card or package: in the report
        lines = [line for line in done.stdout.splitlines() if str(names) in line]
        assert len(lines) == 1 and "1 unreadable" in done.stdout and not done.stderr, done.stdout
        return
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and not done.stdout, (done.stdout, done.stderr)
    assert str(names) in lines[0], lines


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
