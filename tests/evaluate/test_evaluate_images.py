"""Image readers: every format, headers only for shapes, NaN refused."""

from __future__ import annotations

import numpy as np
import pytest
import tifffile
from PIL import Image

from bmzcard.errors import BmzcardError
from bmzcard.evaluate.images import image_shape, read_image


def test_blobs_tiff_reads_with_its_documented_shape_and_labels(shared):
    mask = shared / "data" / "blobs_instance_gt" / "masks" / "blobs.tif"
    assert image_shape(mask) == (254, 256)
    labels = read_image(mask)
    assert labels.shape == (254, 256) and len(np.unique(labels)) - 1 == 61


def test_png_rgb_images_keep_their_channels(shared):
    folder = shared / "data" / "fluorescent_neuronal_cells_sample"
    image = min((folder / "images").glob("*.png"))
    shape = image_shape(image)
    assert len(shape) == 3 and shape[-1] == 3
    assert read_image(image).shape == shape


def test_npy_tiff_png_and_zarr_agree(tmp_path):
    import zarr

    data = np.arange(48, dtype=np.uint8).reshape(6, 8)
    np.save(tmp_path / "a.npy", data)
    tifffile.imwrite(tmp_path / "a.tiff", data)
    Image.fromarray(data).save(tmp_path / "a.png")
    zarr.save_array(str(tmp_path / "a.zarr"), data)
    group = zarr.open_group(str(tmp_path / "ome.zarr"), mode="w")
    group.create_array("0", data=data)
    group.attrs["multiscales"] = [{"datasets": [{"path": "0"}]}]
    for name in ("a.npy", "a.tiff", "a.png", "a.zarr", "ome.zarr"):
        assert image_shape(tmp_path / name) == (6, 8), name
        np.testing.assert_array_equal(read_image(tmp_path / name), data)


def test_nan_unreadable_and_unknown_files_are_named(tmp_path):
    values = np.ones((4, 4), np.float32)
    values[1, 2] = np.nan
    np.save(tmp_path / "nan.npy", values)
    with pytest.raises(BmzcardError, match=r"1 NaN or infinite values, the first at index \(1, 2\)") as error:
        read_image(tmp_path / "nan.npy")
    assert "nan.npy" in str(error.value)
    (tmp_path / "broken.npy").write_bytes(b"not numpy")
    with pytest.raises(BmzcardError, match="not a .npy file") as error:
        image_shape(tmp_path / "broken.npy")
    assert "broken.npy" in str(error.value)
    with pytest.raises(BmzcardError, match="unsupported image format '.jpg'"):
        read_image(tmp_path / "photo.jpg")
