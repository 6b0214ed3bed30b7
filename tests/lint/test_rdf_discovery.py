"""Consistency needs no flag: the RDF is found through the card's sidecar; when none is found, the report says so."""

from __future__ import annotations

import re
import shutil

from typer.testing import CliRunner

from bmzcard.cli.app import app
from bmzcard.outputs.card import generate_card

APACHE = "- **License:** [Apache License 2.0](https://spdx.org/licenses/Apache-2.0.html) (SPDX: `Apache-2.0`)"


def _copied_card(unet2d, tmp_path, keep_sidecar: bool):
    package = tmp_path / "package"
    shutil.copytree(unet2d, package)
    (package / "README.md").unlink()
    generate_card(package / "bioimageio.yaml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    text = (package / "README.md").read_text()
    (elsewhere / "README.md").write_text(re.sub(r"^- \*\*License:\*\*.*$", APACHE, text, flags=re.M))
    if keep_sidecar:
        shutil.copy(package / "README.md.bmzcard.json", elsewhere / "README.md.bmzcard.json")
    return elsewhere / "README.md"


def test_copied_card_with_another_license_is_an_error_without_rdf_flag(unet2d, tmp_path):
    card = _copied_card(unet2d, tmp_path, keep_sidecar=True)
    result = CliRunner().invoke(app, ["check", str(card), "--select", "C"])
    assert result.exit_code == 1, result.output
    assert "C002 [error]" in result.output and "'MIT'" in result.output
    assert "no RDF found" not in result.output


def test_no_rdf_found_is_said(unet2d, tmp_path):
    card = _copied_card(unet2d, tmp_path, keep_sidecar=False)
    result = CliRunner().invoke(app, ["check", str(card), "--select", "C"])
    assert result.exit_code == 0, result.output
    assert f"{card}: note: no RDF found" in result.output
    json_result = CliRunner().invoke(app, ["check", str(card), "--select", "C", "--format", "json"])
    assert '"note": "no RDF found' in json_result.output
