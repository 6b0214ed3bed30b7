"""`bmzcard package`: the zoo zip, validated by bioimageio.spec and run by bioimageio.core's test_model."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from network import refuse_network

from bmzcard.cli.app import app
from bmzcard.errors import BmzcardError
from bmzcard.outputs.card import generate_card
from bmzcard.publish.package import package_model

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "src" / "bmzcard" / "example" / "package"
runner = CliRunner()


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    """The example package with its generated card (which still has `check` errors: a results table TODO)."""
    folder = tmp_path / "demo"
    shutil.copytree(EXAMPLE, folder)
    generate_card(folder)
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_package_of_the_demo_validates_and_passes_test_model(demo: Path, tmp_path: Path):
    from bioimageio.core import test_model
    from bioimageio.spec import load_description
    from bioimageio.spec.model.v0_5 import ModelDescr

    before = _files(demo)
    (tmp_path / "upload").mkdir()
    output = tmp_path / "upload" / "demo.zip"

    with pytest.MonkeyPatch.context() as patch:  # offline packaging never touches the network
        refuse_network(patch)
        report = package_model(demo, output, allow_errors=True)
    assert report.output == output and report.errors > 0
    assert _files(demo) == before  # the package itself is never modified
    described = load_description(output, perform_io_checks=True)
    assert isinstance(described, ModelDescr), described.validation_summary.format()
    summary = test_model(output)
    assert summary.status == "passed", summary.format()
    with zipfile.ZipFile(output) as archive:
        rdf = yaml.safe_load(archive.read("rdf.yaml"))
        card = archive.read("README.md")
    assert card == (demo / "README.md").read_bytes()
    assert rdf["documentation"] == {"source": "README.md", "sha256": hashlib.sha256(card).hexdigest()}


def test_card_with_check_errors_is_refused_and_nothing_written(demo: Path, tmp_path: Path):
    output = tmp_path / "demo.zip"
    with pytest.raises(BmzcardError, match=r"check errors? .*--allow-errors"):
        package_model(demo, output)
    assert list(tmp_path.glob("*.zip")) == [] and list(tmp_path.glob(".demo.zip*")) == []


def test_card_text_goes_into_config(demo: Path, tmp_path: Path):
    card = (demo / "README.md").read_text()
    start = card.index("## Known Biases")
    end = card.index("\n## ", start + 5)
    card = card[:start] + "## Known Biases\n\nOnly ever seen synthetic ellipses.\n" + card[end:]
    (demo / "README.md").write_text(card)
    report = package_model(demo, tmp_path / "demo.zip", allow_errors=True)
    assert report.config_written == ["config.bioimageio.bias_risks_limitations.known_biases"]
    with zipfile.ZipFile(tmp_path / "demo.zip") as archive:
        rdf = yaml.safe_load(archive.read("rdf.yaml"))
    risks = rdf["config"]["bioimageio"]["bias_risks_limitations"]
    assert risks["known_biases"] == "Only ever seen synthetic ellipses."
    assert risks["risks"].startswith("Results on real data may look plausible")  # unchanged


def test_a_package_that_does_not_validate_is_never_written(demo: Path, tmp_path: Path):
    (demo / "weights.onnx").unlink()
    output = tmp_path / "demo.zip"
    output.write_bytes(b"an older zip")
    with pytest.raises(BmzcardError) as raised:
        package_model(demo, output, allow_errors=True)
    assert str(raised.value) == f"{demo / 'weights.onnx'}: cannot pack a file the RDF names: no such file"
    assert output.read_bytes() == b"an older zip"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo", "demo.zip"]


def test_a_missing_output_folder_is_refused_not_created(demo: Path, tmp_path: Path):
    with pytest.raises(BmzcardError, match="does not exist"):
        package_model(demo, tmp_path / "typo" / "demo.zip", allow_errors=True)
    assert not (tmp_path / "typo").exists()


def test_output_inside_the_package_is_refused(demo: Path):
    with pytest.raises(BmzcardError, match="inside the package"):
        package_model(demo, demo / "model.zip", allow_errors=True)


def test_cli_package(demo: Path, tmp_path: Path):
    result = runner.invoke(app, ["package", str(demo), "-o", str(tmp_path / "m.zip")])
    assert result.exit_code == 2 and "--allow-errors" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["package", str(demo), "-o", str(tmp_path / "m.zip"), "--allow-errors"])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(tmp_path / "m.zip")
    result = runner.invoke(app, ["package", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_every_image_the_card_shows_is_in_the_zip_where_its_link_points(demo: Path, tmp_path: Path):
    """The zoo shows the zip's card: its images must travel with it (bioimageio.spec packs files flat)."""
    from bioimageio.spec import load_description
    from bioimageio.spec.model.v0_5 import ModelDescr

    from bmzcard.sources.readme import parse_card

    (demo / "figures").mkdir()
    shutil.copy(demo / "sample_output.png", demo / "figures" / "plot.png")
    (demo / "figures" / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"another picture of the same name")
    shutil.copy(demo / "sample_input.png", demo / "only_in_card.png")
    card = (demo / "README.md").read_text()
    card += ("\n![a plot](figures/plot.png)\n![same name as the cover](./figures/cover.png)\n"
             '<img src="only_in_card.png" alt="html image">\n')
    (demo / "README.md").write_text(card)
    before = _files(demo)
    output = tmp_path / "demo.zip"
    package_model(demo, output, allow_errors=True)
    assert _files(demo) == before
    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
        packed_card = archive.read("README.md").decode()
        contents = {name: archive.read(name) for name in names}
        rdf = yaml.safe_load(archive.read("rdf.yaml"))
    shown = {link.target: link.text for link in parse_card(packed_card).links if link.kind == "image"}
    expected = {"a plot": demo / "figures" / "plot.png", "same name as the cover": demo / "figures" / "cover.png",
                "html image": demo / "only_in_card.png"}
    for target, alt in shown.items():
        assert target in names, f"the card in the zip shows {target!r}, which the zip does not hold"
        if alt in expected:
            assert contents[target] == expected[alt].read_bytes(), alt
    assert set(expected) <= set(shown.values())
    assert contents["cover.png"] == (demo / "cover.png").read_bytes()  # the RDF's cover is not replaced
    assert rdf["documentation"]["sha256"] == hashlib.sha256(contents["README.md"]).hexdigest()
    described = load_description(output, perform_io_checks=True)
    assert isinstance(described, ModelDescr), described.validation_summary.format()


def test_the_zip_gets_the_usual_file_mode(demo: Path, tmp_path: Path):
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    output = tmp_path / "demo.zip"
    package_model(demo, output, allow_errors=True)
    assert output.stat().st_mode & 0o777 == 0o666 & ~mask
