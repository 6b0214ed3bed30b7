"""Test tensors as images: a package without sample images gets PNGs of its test tensors beside the card."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from bmzcard.outputs.card import generate_card
from bmzcard.sources.package import Package
from bmzcard.sources.rdf_facts.written import tensors
from bmzcard.sources.tensor_images import tensor_images

RDFS = {"0.5": "bioimageio.yaml", "0.4": "v0_4_9.bioimageio.yaml"}


def _without_samples(unet2d: Path, target: Path, rdf_name: str, *, keep_covers: bool = False) -> Path:
    """The unet2d package with only `rdf_name`, its sample tensors (and covers) removed from the RDF."""
    shutil.copytree(unet2d, target, ignore=shutil.ignore_patterns("*.pt", "*.onnx", "README.md", "*bioimageio.yaml"))
    raw = yaml.safe_load((unet2d / rdf_name).read_text())
    for key in ("sample_inputs", "sample_outputs", *(() if keep_covers else ("covers",))):
        raw.pop(key, None)
    for tensor in [*raw["inputs"], *raw["outputs"]]:
        tensor.pop("sample_tensor", None)
    (target / rdf_name).write_text(yaml.safe_dump(raw, sort_keys=False))
    return target / rdf_name


def _expected(array: np.ndarray) -> np.ndarray:
    """Min-max scaling to 0..255, written out independently of the code under test."""
    low, high = float(array.min()), float(array.max())
    return np.rint((array.astype(np.float64) - low) * 255.0 / (high - low)).astype(np.uint8)


@pytest.mark.parametrize("version", sorted(RDFS))
def test_test_tensors_are_shown_beside_the_card_when_no_sample_image_is(unet2d, tmp_path, version):
    rdf = _without_samples(unet2d, tmp_path / "package", RDFS[version])
    report = generate_card(rdf)
    names = ["README.test_input0_raw.png", "README.test_output0_probability.png"]  # tensors raw, probability
    assert sorted(p.name for p in report.images) == sorted(names)
    for name, npy in zip(names, ("test_input.npy", "test_output.npy")):
        shown = np.asarray(Image.open(tmp_path / "package" / name))
        assert shown.dtype == np.uint8 and shown.shape == (512, 512)
        assert np.array_equal(shown, _expected(np.load(unet2d / npy)[0, 0]))  # axes b, c, y, x
    text = report.text
    specs = text[text.index("**Input specifications:**"):text.index("**Output specifications:**")]
    assert f"![test input raw]({names[0]})" in specs
    assert names[1] in text[text.index("**Output specifications:**"):]
    assert "sample images" not in text and "images of the test tensors" in text
    sources = report.written["model_architecture_and_objective.input_specifications"].sources
    assert any(s.kind == "file" and s.where == "test_input.npy" and "test_tensor" in s.detail for s in sources)

    before = {name: (tmp_path / "package" / name).stat().st_mtime_ns for name in names}
    again = generate_card(rdf)  # unchanged: nothing rewritten, card byte-identical
    assert again.images == [] and again.text == text
    assert {name: (tmp_path / "package" / name).stat().st_mtime_ns for name in names} == before


def test_a_package_showing_sample_images_or_covers_gets_none(unet2d, tmp_path):
    package = tmp_path / "samples"
    shutil.copytree(unet2d, package, ignore=shutil.ignore_patterns("*.pt", "*.onnx"))
    report = generate_card(package / "bioimageio.yaml", package / "CARD.md")
    assert report.images == [] and "sample images" in report.text and ".test_" not in report.text
    rdf = _without_samples(unet2d, tmp_path / "covers", "bioimageio.yaml", keep_covers=True)
    report = generate_card(rdf)
    assert report.images == [] and ".test_" not in report.text and "sample images" not in report.text
    assert not list((tmp_path / "covers").glob("README.test_*"))


def test_no_images_outside_the_package_or_beside_a_zip(unet2d, tmp_path):
    rdf = _without_samples(unet2d, tmp_path / "package", "bioimageio.yaml")
    (tmp_path / "elsewhere").mkdir()
    report = generate_card(rdf, tmp_path / "elsewhere" / "README.md")
    assert report.images == [] and ".test_" not in report.text
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == ["README.md", "README.md.bmzcard.json"]
    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in (tmp_path / "package").iterdir():
            zipped.write(path, path.name)
    report = generate_card(archive)
    assert report.images == [] and ".test_" not in report.text
    assert not list(tmp_path.glob("*.png"))


def test_the_slice_follows_the_axis_types(tmp_path):
    """b, c, z, y, x: the middle z slice, one image per channel (up to 3), first batch entry."""
    raw = {"format_version": "0.5.4", "inputs": [{"id": "volume", "test_tensor": {"source": "t.npy"}, "axes": [
        {"type": "batch"}, {"type": "channel", "channel_names": ["a", "b", "c", "d"]},
        {"type": "space", "id": "z", "size": 5}, {"type": "space", "id": "y", "size": 6},
        {"type": "space", "id": "x", "size": 7}]}]}
    array = np.random.default_rng(0).normal(size=(2, 4, 5, 6, 7)).astype(np.float32)
    array[0, 1, 2, 0, 0] = np.nan  # non-finite values are black and do not stretch the scale
    np.save(tmp_path / "t.npy", array)
    package = Package(tmp_path / "rdf.yaml", "rdf.yaml", tmp_path)
    images = tensor_images(tensors(raw, "inputs")[0], package, "My Card", 0)
    assert [i.name for i in images] == [f"My_Card.test_input0_volume_c{c}.png" for c in range(3)]
    assert [i.alt for i in images] == [f"test input volume, channel {c} of 4" for c in range(3)]
    for channel, image in enumerate(images):
        shown = np.asarray(Image.open(io.BytesIO(image.data)))
        plane = array[0, channel, 2].astype(np.float64)
        finite = np.isfinite(plane)
        expected = np.zeros(plane.shape, np.uint8)
        expected[finite] = _expected(plane[finite])
        assert np.array_equal(shown, expected)
    assert images == tensor_images(tensors(raw, "inputs")[0], package, "My Card", 0)  # deterministic bytes


@pytest.mark.parametrize("axes, shape", [("bcx", (1, 1, 10)), ("bcyx", (1, 1, 3))])
def test_tensors_without_an_image_plane_or_of_another_shape_give_none(tmp_path, axes, shape):
    raw = {"format_version": "0.4.9", "test_inputs": ["t.npy"],
           "inputs": [{"name": "x", "axes": axes, "data_type": "float32", "shape": [1] * len(axes)}]}
    np.save(tmp_path / "t.npy", np.ones(shape, np.float32))
    assert tensor_images(tensors(raw, "inputs")[0], Package(tmp_path / "r.yaml", "r.yaml", tmp_path), "README", 0) == []


def test_a_pickled_or_escaping_test_tensor_is_not_read(tmp_path):
    raw = {"format_version": "0.4.9", "test_inputs": ["t.npy"],
           "inputs": [{"name": "x", "axes": "yx", "data_type": "float32", "shape": [2, 2]}]}
    np.save(tmp_path / "t.npy", np.array([[{}, 1], [2, 3]], dtype=object), allow_pickle=True)
    package = Package(tmp_path / "r.yaml", "r.yaml", tmp_path)
    assert tensor_images(tensors(raw, "inputs")[0], package, "README", 0) == []
    inner = tmp_path / "inner"
    inner.mkdir()
    np.save(tmp_path / "outside.npy", np.ones((4, 4)))
    raw["test_inputs"] = ["../outside.npy"]
    assert tensor_images(tensors(raw, "inputs")[0], Package(inner / "r.yaml", "r.yaml", inner), "README", 0) == []


def test_a_hub_export_of_a_generated_card_carries_the_test_tensor_images(unet2d, tmp_path):
    from bmzcard.publish.huggingface import export_hf

    rdf = _without_samples(unet2d, tmp_path / "package", "bioimageio.yaml")
    export_hf(rdf, tmp_path / "hub")
    shown = tmp_path / "hub" / "README.test_input0_raw.png"
    assert "](README.test_input0_raw.png)" in (tmp_path / "hub" / "README.md").read_text()
    assert np.array_equal(np.asarray(Image.open(shown)), _expected(np.load(unet2d / "test_input.npy")[0, 0]))
    assert not list((tmp_path / "package").glob("README*"))  # the export writes nothing into the package
