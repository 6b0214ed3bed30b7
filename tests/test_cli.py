"""The command line: init, generate, error handling, start-up imports."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from bmzcard.card.layout import blank_card
from bmzcard.cli.app import app

runner = CliRunner()


def test_init_writes_the_blank_card_and_refuses_to_overwrite(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    card = tmp_path / "README.md"
    assert card.read_text() == blank_card()
    card.write_text("# mine\n")
    again = runner.invoke(app, ["init", str(tmp_path)])
    assert again.exit_code == 2 and "--force" in again.output
    assert card.read_text() == "# mine\n"
    forced = runner.invoke(app, ["init", str(tmp_path), "--force"])
    assert forced.exit_code == 0 and (tmp_path / "README.md.bak").read_text() == "# mine\n"


def test_generate_to_standard_output_writes_no_file(unet2d, tmp_path):
    result = runner.invoke(app, ["generate", str(unet2d / "bioimageio.yaml"), "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# UNet 2D Nuclei Broad\n")
    assert not (unet2d / "README.md.bmzcard.json").exists()


def test_generate_reports_what_it_did(unet2d, tmp_path):
    output = tmp_path / "card.md"
    result = runner.invoke(app, ["generate", str(unet2d), "-o", str(output), "-v"])
    assert result.exit_code == 0, result.output
    assert f"Wrote {output}" in " ".join(result.output.split())
    assert "fields still TODO" in result.output
    assert "model_description.license" in result.output and "rdf:license" in result.output


def test_errors_are_one_line_with_exit_code_2(tmp_path):
    result = runner.invoke(app, ["generate", str(tmp_path / "nothing.yaml")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "no such file or folder" in result.output
    debug = runner.invoke(app, ["--debug", "generate", str(tmp_path / "nothing.yaml")])
    assert debug.exit_code != 0 and debug.exception is not None


def test_help_does_not_import_heavy_libraries():
    """`bmzcard --help` and `check` start fast: bioimageio.spec, onnx and torch load only when used."""
    code = (
        "import sys; from bmzcard.cli.app import app; "
        "heavy = [m for m in ('bioimageio.spec', 'bioimageio.core', 'onnx', 'onnxruntime', 'torch', 'matplotlib') "
        "if m in sys.modules]; print(heavy)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
