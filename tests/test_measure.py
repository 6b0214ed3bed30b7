"""Parameter counts, sizes and timings of model packages (`bmzcard measure`).

Counts are exact; timings and memory are checked for structure and sanity only.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import types
import zipfile
from collections import OrderedDict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bmzcard.errors import BmzcardError
from bmzcard.measure import count_parameters, measure_package, measurement_facts
from bmzcard.sources.torch_archive import UnsafeArchiveError, read_archive

SHARED = Path(os.environ.get("BMZCARD_SHARED", Path(__file__).resolve().parents[1] / ".." / "shared"))
UNET = SHARED / "bmz" / "packages" / "unet2d_nuclei_broad"
UNET_PARAMETERS = 449_489  # 18 convolutions' weights and biases


@pytest.fixture(scope="module")
def unet() -> Path:
    assert UNET.is_dir(), f"shared package missing: {UNET} (set BMZCARD_SHARED)"
    return UNET


def test_unet_parameters_onnx(unet):
    count = count_parameters("onnx", unet / "weights.onnx")
    assert (count.parameters, count.buffers, count.constants) == (UNET_PARAMETERS, 0, 0)
    assert count.file_bytes == (unet / "weights.onnx").stat().st_size


def test_unet_parameters_torchscript(unet):
    count = count_parameters("torchscript", unet / "weights.pt")
    assert (count.parameters, count.buffers) == (UNET_PARAMETERS, 0)
    assert "__parameters__" in count.counted


def test_unet_torchscript_tensors_by_hand(unet):
    # encoders.0.0 is Conv2d(1 -> 16, 3x3): weight 16x1x3x3 and bias 16, both parameters
    archive = read_archive(unet / "weights.pt")
    first_conv = archive.root.state["encoders"].state["0"].state["0"]
    assert first_conv.state["weight"].shape == (16, 1, 3, 3)
    assert first_conv.state["bias"].shape == (16,)
    assert archive.declared[first_conv.qualified_name] == (["weight", "bias"], [])


def _onnx_with_batchnorm(path: Path) -> None:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    def init(name, array):
        return numpy_helper.from_array(np.asarray(array), name)

    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w", "b"], ["c"]),
            helper.make_node("BatchNormalization", ["c", "scale", "shift", "mean", "var"], ["n"]),
            helper.make_node("Reshape", ["n", "shape"], ["y"]),
        ],
        "bn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])],
        [
            init("w", np.ones((2, 1, 3, 3), "float32")),  # 18
            init("b", np.zeros(2, "float32")),  # 2
            init("scale", np.ones(2, "float32")),  # 2
            init("shift", np.zeros(2, "float32")),  # 2
            init("mean", np.zeros(2, "float32")),  # buffer
            init("var", np.ones(2, "float32")),  # buffer
            init("shape", np.array([1, 8], "int64")),  # constant
        ],
    )
    onnx.save(helper.make_model(graph), str(path))


def test_onnx_counts_trainable_initializers_only(tmp_path):
    _onnx_with_batchnorm(tmp_path / "bn.onnx")
    count = count_parameters("onnx", tmp_path / "bn.onnx")
    # parameters 18 + 2 + 2 + 2 = 24; running mean and var 2 + 2 = 4; shape 2
    assert (count.parameters, count.buffers, count.constants) == (24, 4, 2)


class _FakeStorage:
    def __init__(self, key: str, numel: int) -> None:
        self.key, self.numel = key, numel


class _FakeTensor:
    def __init__(self, storage: _FakeStorage, shape: tuple[int, ...]) -> None:
        self.storage, self.shape = storage, shape


def _write_state_dict(path: Path, monkeypatch) -> None:
    """A torch.save-style zip, written without torch: pickled names resolve to stand-ins."""

    def _rebuild_tensor_v2(*args):  # never called: only pickled by name
        raise AssertionError

    torch_module = types.ModuleType("torch")
    utils_module = types.ModuleType("torch._utils")
    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils_module._rebuild_tensor_v2 = _rebuild_tensor_v2
    float_storage = type("FloatStorage", (), {"__module__": "torch"})
    long_storage = type("LongStorage", (), {"__module__": "torch"})
    torch_module.FloatStorage, torch_module.LongStorage = float_storage, long_storage
    monkeypatch.setitem(sys.modules, "torch", torch_module)
    monkeypatch.setitem(sys.modules, "torch._utils", utils_module)

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, _FakeStorage):
                kind = long_storage if obj.key == "4" else float_storage
                return ("storage", kind, obj.key, "cpu", obj.numel)
            return None

        def reducer_override(self, obj):
            if isinstance(obj, _FakeTensor):
                stride = tuple(1 for _ in obj.shape)
                return _rebuild_tensor_v2, (obj.storage, 0, obj.shape, stride, False, OrderedDict())
            return NotImplemented

    def tensor(key: str, *shape: int) -> _FakeTensor:
        numel = 1
        for n in shape:
            numel *= n
        return _FakeTensor(_FakeStorage(key, numel), shape)

    state = OrderedDict(
        [
            ("conv.weight", tensor("0", 8, 3, 3, 3)),  # 216
            ("bn.weight", tensor("1", 8)),  # 8
            ("bn.running_mean", tensor("2", 8)),  # buffer
            ("bn.running_var", tensor("3", 8)),  # buffer
            ("bn.num_batches_tracked", tensor("4")),  # int64 buffer, 1 value
        ]
    )
    with zipfile.ZipFile(path, "w") as archive:
        with archive.open("archive/data.pkl", "w") as file:
            Pickler(file, protocol=2).dump(state)
        for key in "0123":
            archive.writestr(f"archive/data/{key}", b"")


def test_state_dict_separates_batchnorm_buffers(tmp_path, monkeypatch):
    _write_state_dict(tmp_path / "weights.pt", monkeypatch)
    monkeypatch.undo()  # reading must not need the stand-in modules
    count = count_parameters("pytorch_state_dict", tmp_path / "weights.pt")
    assert (count.parameters, count.buffers) == (216 + 8, 8 + 8 + 1)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch.jit is deprecated upstream
def test_counts_agree_with_torch_where_installed(unet, tmp_path):
    torch = pytest.importorskip("torch")  # optional dependency: bmzcard[torch]
    assert sum(p.numel() for p in torch.jit.load(str(unet / "weights.pt")).parameters()) == UNET_PARAMETERS
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Conv2d(4, 2, 1)).eval()
    torch.jit.script(net).save(str(tmp_path / "scripted.pt"))
    torch.save(net.state_dict(), tmp_path / "state.pt")  # an OrderedDict with _metadata
    expected = (sum(p.numel() for p in net.parameters()), sum(b.numel() for b in net.buffers()))
    for weight_format, name in (("torchscript", "scripted.pt"), ("pytorch_state_dict", "state.pt")):
        count = count_parameters(weight_format, tmp_path / name)
        assert (count.parameters, count.buffers) == expected, weight_format


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo should never run",))


def test_archive_with_code_in_the_pickle_is_refused(tmp_path):
    path = tmp_path / "evil.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"w": _Evil()}, protocol=2))
    with pytest.raises(UnsafeArchiveError, match="refusing"):
        read_archive(path)
    count = count_parameters("pytorch_state_dict", path)
    assert count.parameters is None and "refusing" in count.counted


def test_sizes_without_timing_and_facts(unet):
    measurement = measure_package(unet, timing=False)
    formats = {w.weight_format: w for w in measurement.weights}
    assert set(formats) == {"onnx", "torchscript"}
    assert {w.parameters for w in formats.values()} == {UNET_PARAMETERS}
    facts = {f.key: f for f in measurement_facts(measurement.to_json())}
    assert set(facts) == {"speeds_sizes_times.model_size", "hardware_requirements.storage"}
    assert "449,489 parameters" in facts["speeds_sizes_times.model_size"].value


def test_older_description_format_is_measured_alike(unet):
    measurement = measure_package(unet / "v0_4_9.bioimageio.yaml", timing=False)
    assert {w.parameters for w in measurement.weights} == {UNET_PARAMETERS}


def test_errors_for_missing_package_and_weights(unet, tmp_path):
    with pytest.raises(BmzcardError, match="no such file"):
        measure_package(tmp_path / "absent")
    with pytest.raises(BmzcardError, match="no pytorch_state_dict weights"):
        measure_package(unet, weight_format="pytorch_state_dict")


def test_cli_measures_onnx_timing_and_writes_json(unet, tmp_path):
    from bmzcard.cli.app import app

    out = tmp_path / "measure.json"
    result = CliRunner().invoke(
        app, ["measure", str(unet), "--weights", "onnx", "--threads", "1", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    content = json.loads(out.read_text())
    timing = content["inference"][0]
    assert timing["weight_format"] == "onnx" and timing["threads"] == 1
    assert timing["input_shapes"] == {"raw": [1, 1, 512, 512]} and timing["batch_size"] == 1
    assert len(timing["times_s"]) >= 20
    assert 0 < timing["p10_s"] <= timing["median_s"] <= timing["p90_s"]
    assert timing["cold_s"] > 0 and timing["peak_memory_bytes"] > 0
    assert timing["versions"]["onnxruntime"] and timing["cpu"]
    keys = {f.key for f in measurement_facts(content)}
    assert {
        "speeds_sizes_times.inference_time",
        "speeds_sizes_times.memory_requirements",
        "hardware_requirements.inference",
    } <= keys


def test_cli_rejects_bad_shape(unet):
    from bmzcard.cli.app import app

    result = CliRunner().invoke(app, ["measure", str(unet), "--shape", "other=1,1,64,64"])
    assert result.exit_code == 2 and "no input 'other'" in result.output


def test_parameters_are_counted_inside_a_zip_package(unet2d, tmp_path):
    import zipfile

    from bmzcard.measure import measure_package

    package = tmp_path / "unet2d.zip"
    with zipfile.ZipFile(package, "w") as archive:
        for path in unet2d.iterdir():
            if path.name != "v0_4_9.bioimageio.yaml":
                archive.write(path, path.name)
    measurement = measure_package(package, timing=False)
    counts = {w.weight_format: w.parameters for w in measurement.weights}
    assert counts == {"onnx": 449_489, "torchscript": 449_489}


def test_write_card_fills_card_and_rdf_keeping_comments(unet2d, tmp_path):
    """`measure --write-card`: measured sentences in the card, counts in config.bioimageio, comments kept."""
    import shutil

    from ruamel.yaml import YAML
    from typer.testing import CliRunner

    from bmzcard.cli.app import app

    package = tmp_path / "unet2d"
    shutil.copytree(unet2d, package)
    rdf = package / "bioimageio.yaml"
    rdf.write_text(rdf.read_text().replace("license: MIT", "license: MIT  # chosen by the authors"))
    result = CliRunner().invoke(app, ["measure", str(rdf), "--write-card", "--card", str(package / "card.md"),
                                      "--repeats", "20", "--threads", "1"])
    assert result.exit_code == 0, result.output
    text = rdf.read_text()
    assert "license: MIT  # chosen by the authors" in text  # untouched lines stay byte for byte
    config = YAML(typ="safe").load(text)["config"]["bioimageio"]
    assert config["model_parameter_count"] == 449_489
    assert "median per" in config["inference_time"] and "RAM" in config["memory_requirements_inference"]
    card = (package / "card.md").read_text()
    assert f"- **Inference time:** {config['inference_time']}" in card
    assert "449,489 parameters" in card
    assert (package / "bioimageio.yaml.bak").exists()


def test_every_weight_format_is_measured_and_named_as_the_card_names_it(unet, tmp_path):
    """Sizes of formats bmzcard cannot count (here Keras 3) are measured too, each named as the RDF's card names it."""
    import shutil

    package = tmp_path / "unet2d"
    shutil.copytree(unet, package)
    (package / "weights.keras").write_bytes(b"k" * 2048)
    rdf = package / "bioimageio.yaml"
    rdf.write_text(rdf.read_text().replace(
        "weights:\n", "weights:\n  keras_v3:\n    source: weights.keras\n    keras_version: 3.3.3\n"
                      "    backend: [tensorflow, 2.16.1]\n    parent: torchscript\n", 1))
    measurement = measure_package(rdf, timing=False)
    sizes = {w.weight_format: (w.file_bytes, w.parameters) for w in measurement.weights}
    assert sizes["keras_v3"] == (2048, None)
    assert sizes["onnx"][1] == sizes["torchscript"][1] == UNET_PARAMETERS
    facts = {f.key: f.value for f in measurement_facts(measurement.to_json())}
    storage = facts["hardware_requirements.storage"]
    # ONNX first (the format timed by default), then TorchScript, then Keras 3; labels as in the RDF's weight list
    assert storage.startswith("Weights: ONNX ")
    assert storage.index("ONNX ") < storage.index("PyTorch (TorchScript) ") < storage.index("Keras 3 2.0 kB")
    assert "TorchScript," not in storage and "TorchScript 1" not in storage
