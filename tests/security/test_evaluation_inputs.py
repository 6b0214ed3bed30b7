"""Manifests and images from others: empty images, decompression bombs, paths out of the folder, long runs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tifffile
from PIL import Image

from bmzcard.cli.app import app
from bmzcard.errors import BmzcardError
from bmzcard.evaluate import EvaluateOptions, evaluate
from bmzcard.evaluate import images
from bmzcard.evaluate.images import read_image

from .conftest import runner

SEMANTIC = ["--task", "semantic", "--threshold", "0.5"]


def manifest(folder, rows, header=("image", "ground_truth", "prediction")):
    path = folder / "manifest.csv"
    path.write_text("\n".join(",".join(map(str, row)) for row in [header, *rows]) + "\n")
    return path


@pytest.mark.parametrize("shape", [(0, 0), (0, 8), (8, 0)])
def test_an_image_without_pixels_is_an_error_not_a_perfect_score(tmp_path, shape):
    np.save(tmp_path / "empty.npy", np.zeros(shape, np.uint8))
    np.save(tmp_path / "gt.npy", np.eye(8, dtype=np.uint8))
    for row in (["empty.npy", "empty.npy", "empty.npy"], ["gt.npy", "gt.npy", "gt.npy"]):
        data = manifest(tmp_path, [row, ["empty.npy", "empty.npy", "empty.npy"]])
        json_out = tmp_path / "out.json"
        result = runner.invoke(app, ["evaluate", "--data", str(data), *SEMANTIC, "--json", str(json_out)])
        assert result.exit_code == 2, result.output
        assert "no pixels" in result.output and "empty.npy" in result.output and "Traceback" not in result.output
        assert not json_out.exists()


def test_reading_an_empty_array_is_refused_and_one_pixel_is_not(tmp_path):
    Image.new("L", (1, 1)).save(tmp_path / "one.png")
    np.save(tmp_path / "empty.npy", np.zeros((0, 3), np.float32))
    with pytest.raises(BmzcardError, match="no pixels"):
        read_image(tmp_path / "empty.npy")
    assert read_image(tmp_path / "one.png").shape == (1, 1)


def test_decoded_size_is_judged_from_the_header_before_decoding(tmp_path, monkeypatch):
    """A small compressed file claiming many pixels is refused without decoding them."""
    tifffile.imwrite(tmp_path / "bomb.tif", np.zeros((2048, 2048), np.uint16), compression="zlib")
    Image.fromarray(np.zeros((2048, 2048), np.uint8)).save(tmp_path / "bomb.png")
    tifffile.imwrite(tmp_path / "plain.tif", np.zeros((2048, 2048), np.uint16))  # read in place, not decoded
    assert (tmp_path / "bomb.tif").stat().st_size < 100_000 and (tmp_path / "bomb.png").stat().st_size < 100_000
    monkeypatch.setattr(images, "MAX_DECODED_BYTES", 1_000_000)

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded before the size was checked")

    monkeypatch.setattr(tifffile, "imread", no_decoding)
    monkeypatch.setattr(Image.Image, "tobytes", no_decoding)
    for name, size in (("bomb.tif", 2048 * 2048 * 2), ("bomb.png", 2048 * 2048)):
        with pytest.raises(BmzcardError, match=f"{size:,} bytes of pixels"):
            read_image(tmp_path / name)
    monkeypatch.undo()
    assert read_image(tmp_path / "plain.tif").shape == (2048, 2048)


def test_files_outside_the_manifest_folder_are_read_but_listed(tmp_path):
    data_folder, elsewhere = tmp_path / "data", tmp_path / "elsewhere"
    data_folder.mkdir(), elsewhere.mkdir()
    np.save(data_folder / "gt.npy", np.eye(8, dtype=np.uint8))
    np.save(elsewhere / "pred.npy", np.eye(8, dtype=np.uint8))
    data = manifest(data_folder, [["gt.npy", "gt.npy", "../elsewhere/pred.npy"],
                                  ["gt.npy", "gt.npy", str(elsewhere / "pred.npy")],
                                  ["gt.npy", "gt.npy", "gt.npy"]])
    json_out = tmp_path / "out.json"
    result = runner.invoke(app, ["evaluate", "--data", str(data), *SEMANTIC, "--json", str(json_out)])
    assert result.exit_code == 0, result.output
    assert "2 file(s) outside the manifest's folder" in result.output
    listed = json.loads(json_out.read_text())["settings"]["files_outside_manifest_folder"]
    assert [entry.split(":")[0] for entry in listed] == ["row 1 prediction", "row 2 prediction"]


def test_long_manifests_report_progress_while_read_and_checked(tmp_path):
    np.save(tmp_path / "gt.npy", np.eye(8, dtype=np.uint8))
    data = manifest(tmp_path, [["gt.npy", "gt.npy", "gt.npy"]] * 600)
    seen = []
    evaluate(data, None, EvaluateOptions(task="semantic", threshold=0.5),
             progress=lambda done, total, stage: seen.append((stage, done, total)))
    stages = list(dict.fromkeys(stage for stage, _, _ in seen))
    assert stages == ["reading the manifest", "checking files", "evaluating images"]
    for stage in stages:
        assert max(done for s, done, total in seen if s == stage) == 600
        assert {total for s, _, total in seen if s == stage} == {600}
