"""Untrusted packages: zips that escape or explode, alias bombs, huge or binary files."""

from __future__ import annotations

import shutil
import stat
import time
import zipfile

import pytest

from bmzcard.errors import BmzcardError
from bmzcard.outputs.card import generate_card
from bmzcard.sources.package import open_package
from bmzcard.sources.rdf import MAX_EXPANDED_NODES, read_raw
from bmzcard.sources.readme import read_card


def _zip_package(unet2d, target):
    with zipfile.ZipFile(target, "w") as archive:
        for path in unet2d.iterdir():
            if path.name != "v0_4_9.bioimageio.yaml":
                archive.write(path, path.name)
    return target


def test_generate_from_a_zip_package(tmp_path, unet2d):
    package = _zip_package(unet2d, tmp_path / "unet2d.zip")
    report = generate_card(package)
    assert report.output == tmp_path / "unet2d.README.md"
    text = report.output.read_text()
    assert "# UNet 2D Nuclei Broad" in text and "ONNX: 1.81 MB" in text
    assert 'predict(model="unet2d.zip"' in text  # the snippet names the package as seen from the card


@pytest.mark.parametrize("entry", ["../evil.txt", "/etc/evil", "a/../../evil"])
def test_zip_entries_may_not_escape(tmp_path, entry):
    package = tmp_path / "evil.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("rdf.yaml", "type: model\n")
        archive.writestr(entry, "x")
    with pytest.raises(BmzcardError, match="outside the package"):
        open_package(package)


def test_zip_symlinks_are_refused(tmp_path):
    package = tmp_path / "link.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("rdf.yaml", "type: model\n")
        info = zipfile.ZipInfo("weights.pt")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(BmzcardError, match="symbolic link"):
        open_package(package)


def test_zip_bombs_are_refused(tmp_path):
    package = tmp_path / "bomb.zip"
    with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("rdf.yaml", "type: model\n")
        archive.writestr("weights.onnx", b"\0" * 50_000_000)
    with pytest.raises(BmzcardError, match="zip bomb"):
        open_package(package)


def test_billion_laughs_fails_fast(tmp_path):
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 10):
        name, previous = chr(97 + index), chr(96 + index)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    rdf = tmp_path / "rdf.yaml"
    rdf.write_text("\n".join(levels) + "\n")
    started = time.process_time()
    with pytest.raises(BmzcardError, match="billion laughs"):
        read_raw(open_package(rdf))
    assert time.process_time() - started < 5  # fails fast instead of expanding 10^9 nodes


def test_harmless_aliases_are_read(tmp_path):
    rdf = tmp_path / "rdf.yaml"
    rdf.write_text("author: &me {name: A}\nmaintainer: *me\n")
    assert read_raw(open_package(rdf)) == {"author": {"name": "A"}, "maintainer": {"name": "A"}}
    assert MAX_EXPANDED_NODES >= 100_000


def test_yaml_errors_name_the_line(tmp_path):
    rdf = tmp_path / "rdf.yaml"
    rdf.write_text("name: ok\nauthors: [unclosed\n")
    with pytest.raises(BmzcardError, match=r"line \d+: invalid YAML") as raised:
        read_raw(open_package(rdf))
    assert str(rdf) in str(raised.value)


def test_folder_without_rdf_and_unknown_files(tmp_path):
    with pytest.raises(BmzcardError, match="no bioimageio.yaml"):
        open_package(tmp_path)
    other = tmp_path / "notes.txt"
    other.write_text("x")
    with pytest.raises(BmzcardError, match="not a model package"):
        open_package(other)


def test_folder_prefers_bioimageio_yaml(tmp_path, unet2d):
    copy = tmp_path / "p"
    shutil.copytree(unet2d, copy)
    assert open_package(copy).rdf_name == "bioimageio.yaml"


@pytest.mark.parametrize(
    "content, message",
    [(b"\x89PNG\r\n\x1a\n\x00\x00", "binary"), (b"\xff\xfe# x", "not UTF-8"), (b"", None)],
)
def test_unreadable_cards_give_clear_errors(tmp_path, content, message):
    card = tmp_path / "README.md"
    card.write_bytes(content)
    if message is None:
        assert read_card(card).headings == []
    else:
        with pytest.raises(BmzcardError, match=message):
            read_card(card)
