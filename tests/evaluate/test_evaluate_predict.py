"""Model runs: the task from the package, input layouts, how images are fed."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from bmzcard.errors import BmzcardError
from bmzcard.evaluate.predict import (
    ModelRunner,
    ModelSettings,
    default_task,
    load_description,
)
from bmzcard.example import package_path


def test_default_task_comes_from_config_or_tags(unet2d):
    assert default_task(load_description(package_path())[1].description) == "semantic-segmentation"
    # unet2d names no task in its config; its tags say "segmentation"
    assert default_task(load_description(unet2d / "bioimageio.yaml")[1].description) == "segmentation"


def _runner_with_axes(*axes):
    runner = ModelRunner.__new__(ModelRunner)  # layout logic only: no model loaded
    runner.input = SimpleNamespace(axes=list(axes))
    return runner


def test_images_are_arranged_in_the_models_axis_order():
    channel_last = _runner_with_axes(SimpleNamespace(type="batch"), SimpleNamespace(type="space"),
                                     SimpleNamespace(type="space"), SimpleNamespace(type="channel", size=3))
    rgb = np.arange(2 * 4 * 3).reshape(2, 4, 3)
    arranged = channel_last.as_input(rgb, "rgb.png")
    assert arranged.shape == (1, 2, 4, 3) and np.array_equal(arranged[0], rgb)
    single = _runner_with_axes(SimpleNamespace(type="batch"), SimpleNamespace(type="channel", size=1),
                               SimpleNamespace(type="space"), SimpleNamespace(type="space"))
    assert single.as_input(np.zeros((5, 6)), "gray.npy").shape == (1, 1, 5, 6)
    with pytest.raises(BmzcardError, match=r"does not have the model's 1 channel\(s\) first or last"):
        single.as_input(np.zeros((5, 6, 7)), "volume.npy")
    with pytest.raises(BmzcardError, match="does not fit the model input bcss"):
        single.as_input(np.zeros(5), "line.npy")


def test_feeding_follows_the_models_size_rules(unet2d):
    example = ModelRunner(ModelSettings(str(package_path())))
    assert example.weight_format == "onnx"
    assert example.mode_for((1, 1, 128, 128)) == "whole"  # 128 + 2 * 8 halo = 144 = 32 + 7 * 16
    assert example.mode_for((1, 1, 100, 100)) == "tiled"
    fixed = ModelRunner(ModelSettings(str(unet2d / "bioimageio.yaml")))
    assert fixed.mode_for((1, 1, 512, 512)) == "whole-unpadded"  # fixed 512: no room for the halo
    assert ModelRunner(ModelSettings(str(package_path()), tile=2)).mode_for((1, 1, 128, 128)) == "tiled"
    assert ModelRunner(ModelSettings(str(package_path()), device="cpu")).devices() == ["CPUExecutionProvider"]


def test_unknown_weight_formats_are_refused():
    with pytest.raises(BmzcardError, match="no keras_hdf5 weights"):
        ModelRunner(ModelSettings(str(package_path()), weight_format="keras_hdf5"))
