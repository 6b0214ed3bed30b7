"""Every hostile input, through the command line: exit 2, one line naming the file, no traceback, nothing written.

Each case builds its input in a fresh folder (the example package, a manifest,
a record...) and gives the command to run on it and the file the error must
name. bmzcard runs in its own process, so that a crash (a segmentation fault
in a parser) fails the case instead of the test run; the folder's files,
bytes and links are compared before and after.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest
import tifffile

from bmzcard.example import eval_manifest_path

from .conftest import assert_one_line_error, copy_example, run_bmzcard, with_state_dict_weights

DEEP = 200_000


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): (os.readlink(p) if p.is_symlink() else p.read_bytes() if p.is_file() else "dir")
            for p in sorted(folder.rglob("*"))}


def _append(path: Path, text: str) -> Path:
    path.write_text(path.read_text() + text)
    return path


def _zip(folder: Path, entries: dict, *, link: str | None = None, compress: bool = False) -> Path:
    target = folder / "package.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as archive:
        archive.writestr("rdf.yaml", "type: model\n")
        for name, data in entries.items():
            archive.writestr(name, data)
        if link is not None:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return target


def _card_with_sidecar(folder: Path, content: bytes) -> Path:
    """The example, generated, then its sidecar replaced by `content`."""
    package = copy_example(folder / "package")
    assert run_bmzcard("generate", str(package), "--force").returncode == 0
    sidecar = package / "README.md.bmzcard.json"
    sidecar.write_bytes(content)
    return package


def _manifest(folder: Path, image: str, make) -> Path:
    make(folder)
    np.save(folder / "gt.npy", np.eye(8, dtype=np.uint8))
    manifest = folder / "manifest.csv"
    manifest.write_text(f"image,ground_truth,prediction\n{image},gt.npy,{image}\n")
    return manifest


def _tiff_bomb(folder: Path) -> None:
    """219 bytes claiming 70,000 x 70,000 pixels (4.9 GB) in one compressed strip."""
    tifffile.imwrite(folder / "bomb.tif", np.zeros((16, 16), np.uint8), compression="zlib", metadata=None)
    with tifffile.TiffFile(folder / "bomb.tif", mode="r+b") as tif:
        for tag in ("ImageWidth", "ImageLength", "RowsPerStrip"):
            tif.pages[0].tags[tag].overwrite(70_000)


def _billion_laughs() -> str:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 10):
        name, previous = chr(97 + index), chr(96 + index)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(levels) + "\n"


def case_rdf_nested_flow(folder):
    package = copy_example(folder / "package")
    return ["generate", str(package)], _append(package / "rdf.yaml", "\nx: " + "[" * DEEP + "]" * DEEP + "\n")


def case_rdf_nested_block(folder):
    package = copy_example(folder / "package")
    return ["check", str(package)], _append(package / "rdf.yaml", "\nx:\n  " + "- " * DEEP + "x\n")


def case_rdf_billion_laughs(folder):
    package = copy_example(folder / "package")
    return ["generate", str(package)], _append(package / "rdf.yaml", _billion_laughs())


def case_rdf_invalid_yaml(folder):
    package = copy_example(folder / "package")
    return ["generate", str(package)], _append(package / "rdf.yaml", "\nauthors: [unclosed\n")


def case_rdf_too_large(folder):
    package = copy_example(folder / "package")
    return ["generate", str(package)], _append(package / "rdf.yaml", "\n# " + "x" * 2_100_000 + "\n")


def case_rdf_linked_outside(folder):
    package = copy_example(folder / "package")
    (folder / "outside.yaml").write_text((package / "rdf.yaml").read_text())
    (package / "rdf.yaml").unlink()
    (package / "rdf.yaml").symlink_to(folder / "outside.yaml")
    return ["generate", str(package)], package / "rdf.yaml"


def case_folder_without_rdf(folder):
    (folder / "empty").mkdir()
    return ["generate", str(folder / "empty")], folder / "empty"


def case_zip_entry_escapes(folder):
    return ["generate", str(_zip(folder, {"../evil.txt": "x"}))], folder / "package.zip"


def case_zip_entry_absolute(folder):
    return ["check", str(_zip(folder, {"/etc/evil": "x"}))], folder / "package.zip"


def case_zip_symlink(folder):
    return ["generate", str(_zip(folder, {}, link="weights.pt"))], folder / "package.zip"


def case_zip_bomb(folder):
    return ["generate", str(_zip(folder, {"weights.onnx": b"\0" * 50_000_000}, compress=True))], folder / "package.zip"


def case_card_binary(folder):
    (folder / "README.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    return ["check", str(folder / "README.md")], folder / "README.md"


def case_card_not_utf8(folder):
    package = copy_example(folder / "package")
    (package / "README.md").write_bytes(b"\xff\xfe# x")
    return ["generate", str(package)], package / "README.md"


def case_card_too_large(folder):
    package = copy_example(folder / "package")
    (package / "README.md").write_text("x" * 5_100_000)
    return ["generate", str(package)], package / "README.md"


def case_card_is_a_folder(folder):
    package = copy_example(folder / "package")
    (package / "README.md").unlink()
    (package / "README.md").mkdir()
    return ["generate", str(package)], package / "README.md"


def case_card_linked_outside(folder):
    package = copy_example(folder / "package")
    (folder / "secret.md").write_text("# private\n")
    (package / "README.md").unlink()
    (package / "README.md").symlink_to(folder / "secret.md")
    return ["generate", str(package)], package / "README.md"


def case_sidecar_syntax_error(folder):
    package = _card_with_sidecar(folder, b'{"schema": "bmzcard.provenance/1", "facts": [,]}')
    return ["generate", str(package)], package / "README.md.bmzcard.json"


def case_sidecar_wrong_shape(folder):
    package = _card_with_sidecar(folder, b'{"facts": 5}')
    return ["generate", str(package)], package / "README.md.bmzcard.json"


def case_sidecar_nested(folder):
    package = _card_with_sidecar(folder, b"[" * 100_000 + b"]" * 100_000)
    return ["generate", str(package)], package / "README.md.bmzcard.json"


def case_sidecar_too_large(folder):
    package = _card_with_sidecar(folder, b'{"x": "' + b"x" * 21_000_000 + b'"}')
    return ["generate", str(package)], package / "README.md.bmzcard.json"


def case_sidecar_consent_for_verify(folder):
    """The sidecar asks for allow_code: check --verify refuses without the user's own --allow-code."""
    marker = folder / "arch-ran"
    package = with_state_dict_weights(copy_example(folder / "package"), marker)
    done = run_bmzcard("evaluate", str(package), "--data", str(eval_manifest_path()), "--threshold", "0.5",
                       "--weight-format", "onnx", "--device", "cpu", "--write-card", "--dataset-id", "eval",
                       "--dataset-source", "https://example.org/eval")
    assert done.returncode == 0, done.stderr
    sidecar = package / "README.md.bmzcard.json"
    data = json.loads(sidecar.read_text())
    data["evaluation"]["options"].update(allow_code=True, weight_format="pytorch_state_dict")
    sidecar.write_text(json.dumps(data))
    return ["check", str(package / "README.md"), "--verify", "--select", "V"], package / "rdf.yaml"


def case_record_nested(folder):
    package = copy_example(folder / "package")
    record = folder / "record.json"
    record.write_text("[" * 100_000 + "]" * 100_000)
    return ["generate", str(package), "--record", str(record)], record


def case_record_wrong_shape(folder):
    package = copy_example(folder / "package")
    record = folder / "record.json"
    record.write_text(json.dumps({"weights": "x", "inference": {"a": 1}}))
    return ["generate", str(package), "--record", str(record)], record


def case_settings_nested(folder):
    package = copy_example(folder / "package")
    (folder / "bmzcard.toml").write_text("select = " + "[" * 5000 + "]" * 5000 + "\n")
    return ["check", str(package)], folder / "bmzcard.toml"


def case_measure_code_without_consent(folder):
    package = with_state_dict_weights(copy_example(folder / "package"), folder / "arch-ran", keep_onnx=False)
    return ["measure", str(package)], package / "rdf.yaml"


def case_image_without_pixels(folder):
    manifest = _manifest(folder, "empty.npy", lambda f: np.save(f / "empty.npy", np.zeros((0, 0), np.uint8)))
    return ["evaluate", "--data", str(manifest), "--task", "semantic", "--threshold", "0.5"], manifest


def case_image_decompression_bomb(folder):
    manifest = _manifest(folder, "bomb.tif", _tiff_bomb)
    return ["evaluate", "--data", str(manifest), "--task", "semantic", "--threshold", "0.5"], manifest


def case_image_not_npy(folder):
    manifest = _manifest(folder, "broken.npy", lambda f: (f / "broken.npy").write_bytes(b"garbage"))
    return ["evaluate", "--data", str(manifest), "--task", "semantic", "--threshold", "0.5"], manifest


def case_image_with_nan(folder):
    values = np.full((8, 8), 0.25, np.float32)
    values[3, 3] = np.nan
    manifest = _manifest(folder, "nan.npy", lambda f: np.save(f / "nan.npy", values))
    return ["evaluate", "--data", str(manifest), "--task", "semantic", "--threshold", "0.5"], manifest


def case_json_into_missing_folder(folder):
    package = copy_example(folder / "package")
    return ["measure", str(package), "--no-timing", "--json", str(folder / "no" / "x.json")], folder / "no" / "x.json"


def case_carbon_hours_overflow(folder):
    return ["carbon", "-H", "T4", "--hours", "1e308", "--intensity", "0.3"], "--hours"


CASES = {name[len("case_"):]: builder for name, builder in sorted(globals().items()) if name.startswith("case_")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_one_line_exit_2_and_changes_nothing(tmp_path, name):
    folder = tmp_path / "case"
    folder.mkdir()
    args, named = CASES[name](folder)
    before = _snapshot(tmp_path)
    done = run_bmzcard(*args, cwd=folder)
    assert_one_line_error(done, named)
    assert _snapshot(tmp_path) == before, name
    assert not (folder / "arch-ran").exists()  # and no package code ran
