"""`bmzcard render`: sources, outputs, errors and byte-identical pages across processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bmzcard.cli.app import app

from .conftest import parse_page

runner = CliRunner()


@pytest.fixture
def package(unet2d: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "unet2d"
    shutil.copytree(unet2d, copy)
    return copy


def test_package_folder_writes_readme_html_beside_the_card_with_checks_score(package):
    result = runner.invoke(app, ["render", str(package)])
    assert result.exit_code == 0, result.output
    page = (package / "README.html").read_text(encoding="utf-8")
    check = runner.invoke(app, ["check", str(package), "--format", "json"])
    score = json.loads(check.stdout)["files"][0]["score"]
    assert f"{score:.1f}%" in parse_page(page).text
    assert "README.html" in result.output


def test_standard_output_gives_the_same_page_and_writes_nothing(package):
    runner.invoke(app, ["render", str(package), "-o", str(package / "first.html")])
    before = sorted(p.name for p in package.iterdir())
    result = runner.invoke(app, ["render", str(package), "-o", "-"])
    assert result.exit_code == 0
    assert result.stdout == (package / "first.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in package.iterdir()) == before


def test_two_processes_render_the_same_bytes(package, tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"page-{seed}.html"
        subprocess.run(
            [sys.executable, "-m", "bmzcard", "render", str(package), "-o", str(out)],
            env={**env, "PYTHONHASHSEED": seed}, check=True, capture_output=True,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_a_card_alone_uses_the_rdf_beside_it(package):
    result = runner.invoke(app, ["render", str(package / "README.md"), "-o", str(package / "card.html")])
    assert result.exit_code == 0
    assert "license MIT" in parse_page((package / "card.html").read_text()).text


def test_zip_page_goes_beside_the_zip(package, tmp_path):
    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in package.iterdir():
            zipped.write(file, file.name)
    result = runner.invoke(app, ["render", str(archive)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "model.html").read_text()
    assert 'src="data:image/png;base64,' in page  # the cover, read from the zip


def test_images_not_embedded_are_warnings_not_failures(tmp_path):
    card = tmp_path / "README.md"
    card.write_text("# Card\n\n![gone](missing.png)\n")
    result = runner.invoke(app, ["render", str(card)])
    assert result.exit_code == 0
    assert "warning:" in result.output and "missing.png" in result.output
    assert (tmp_path / "README.html").exists()


@pytest.mark.parametrize(
    "content, message",
    [(b"\x00\x01binary\x00", "binary"), ("caf\xe9".encode("latin-1"), "UTF-8")],
)
def test_unreadable_card_exits_2_with_one_line_and_writes_nothing(tmp_path, content, message):
    card = tmp_path / "README.md"
    card.write_bytes(content)
    result = runner.invoke(app, ["render", str(card)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and str(card) in lines[0] and message in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md"]


def test_missing_source_and_invalid_rdf_exit_2(tmp_path):
    assert runner.invoke(app, ["render", str(tmp_path / "nope")]).exit_code == 2
    (tmp_path / "rdf.yaml").write_text("name: [unclosed\n")
    (tmp_path / "README.md").write_text("# x\n")
    result = runner.invoke(app, ["render", str(tmp_path)])
    assert result.exit_code == 2 and "rdf.yaml" in result.output
    assert not (tmp_path / "README.html").exists()


def test_refuses_to_write_over_the_card(tmp_path):
    card = tmp_path / "README.md"
    card.write_text("# mine\n")
    result = runner.invoke(app, ["render", str(card), "-o", str(card)])
    assert result.exit_code == 2
    assert card.read_text() == "# mine\n"


def test_help_has_examples():
    result = runner.invoke(app, ["render", "--help"])
    assert result.exit_code == 0 and "Examples" in result.output and "-o -" in result.output
