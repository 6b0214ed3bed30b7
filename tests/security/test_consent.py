"""No Python from a package runs unless the user passes --allow-code on that command line."""

from __future__ import annotations

import json
from pathlib import Path

from bmzcard.cli.app import app

from .conftest import runner, trap, with_state_dict_weights


def test_measure_does_not_import_the_architecture_without_allow_code(example, tmp_path):
    marker = tmp_path / "arch-ran"
    with_state_dict_weights(example, marker)
    result = runner.invoke(app, ["measure", str(example), "--weights", "pytorch_state_dict"])
    assert result.exit_code == 2, result.output
    assert "--allow-code" in result.output and "arch.py" in result.output
    assert not marker.exists()


def test_measure_with_only_code_weights_refuses_instead_of_choosing_them(example, tmp_path):
    marker = tmp_path / "arch-ran"
    with_state_dict_weights(example, marker, keep_onnx=False)
    result = runner.invoke(app, ["measure", str(example)])
    assert result.exit_code == 2 and "--allow-code" in result.output
    assert not marker.exists()
    # counting parameters reads the weights without code: still allowed
    result = runner.invoke(app, ["measure", str(example), "--no-timing"])
    assert result.exit_code == 0, result.output
    assert not marker.exists()


def test_allow_code_is_the_users_consent(example, tmp_path):
    """With the flag the architecture is imported: the trap above is a real one."""
    marker = tmp_path / "arch-ran"
    with_state_dict_weights(example, marker)
    runner.invoke(app, ["measure", str(example), "--weights", "pytorch_state_dict", "--allow-code"])
    assert marker.exists()


def test_the_measuring_process_does_not_import_modules_from_the_working_folder(example, tmp_path, monkeypatch):
    """`cd PKG && bmzcard measure .` with a `json.py` in the package: the child imports the standard one."""
    marker = tmp_path / "json-ran"
    (example / "json.py").write_text(trap(marker) + "from importlib import import_module\n")
    monkeypatch.chdir(example)
    result = runner.invoke(app, ["measure", ".", "--weights", "onnx", "--threads", "1"])
    assert result.exit_code == 0, result.output
    assert not marker.exists()


def test_measuring_process_is_isolated():
    from bmzcard.measure.timing import child_command

    command = child_command(Path("request.json"), Path("result.json"))
    assert command[1] == "-I" and "-m" not in command


def test_check_verify_takes_consent_from_the_command_line_only(evaluated_package, tmp_path):
    """A sidecar recording `allow_code: true` does not grant it: the package cannot consent for the user."""
    package, marker = evaluated_package
    sidecar = package / "README.md.bmzcard.json"
    data = json.loads(sidecar.read_text())
    data["evaluation"]["options"].update(allow_code=True, weight_format="pytorch_state_dict")
    sidecar.write_text(json.dumps(data))
    result = runner.invoke(app, ["check", str(package / "README.md"), "--verify", "--select", "V"])
    assert not marker.exists(), result.output
    assert "--allow-code" in result.output
    runner.invoke(app, ["check", str(package / "README.md"), "--verify", "--select", "V", "--allow-code"])
    assert marker.exists()
