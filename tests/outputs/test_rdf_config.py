"""Values set in `config.bioimageio` whatever style the author wrote `config` in; YAML errors are one line.

Every edited RDF is read back by a YAML parser other than the writer's (PyYAML)
and validated by bioimageio.spec; the lines before `config` stay byte for byte.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bmzcard.cli.app import app
from bmzcard.errors import BmzcardError
from bmzcard.example import package_path
from bmzcard.outputs.rdf_config import rdf_text_with_config
from bmzcard.sources.package import open_package
from bmzcard.sources.rdf import load_rdf

UPDATES = {"funded_by": "Grant 7", "evaluations": []}


def _package(tmp_path: Path, config: str) -> tuple[Path, str]:
    """The example package with its `config` block replaced by `config`; and the RDF's text before it."""
    folder = tmp_path / "package"
    shutil.copytree(package_path(), folder)
    text = (folder / "rdf.yaml").read_text(encoding="utf-8")
    head = text[: text.index("\nconfig:\n") + 1]
    (folder / "rdf.yaml").write_text(head + config, encoding="utf-8")
    return folder, head


@pytest.mark.parametrize(("config", "expected"), [
    ("config:\n  bioimageio:\n    modality: widefield  # the author's\n",
     {"bioimageio": {"modality": "widefield", **UPDATES}}),
    ("config: {bioimageio: {}}\n", {"bioimageio": UPDATES}),
    ("config:\n  bioimageio: {}\n  mine: 1  # keep me\n", {"bioimageio": UPDATES, "mine": 1}),
    ("config: {}\n", {"bioimageio": UPDATES}),
    ("config:\n", {"bioimageio": UPDATES}),
    ("config: {bioimageio: {modality: widefield, funded_by: old}, mine: [1, 2]}\n",
     {"bioimageio": {"modality": "widefield", "funded_by": "Grant 7", "evaluations": []}, "mine": [1, 2]}),
    ("config:\n  mine: {a: 1,\n    b: 2}\n  bioimageio: {modality: widefield}\n",
     {"mine": {"a": 1, "b": 2}, "bioimageio": {"modality": "widefield", **UPDATES}}),
], ids=["block", "flow-empty-inside", "flow-empty-bioimageio", "flow-empty-config", "null-config", "flow-with-keys",
        "flow-over-two-lines"])
def test_values_are_set_in_every_style_of_config(tmp_path, config, expected):
    folder, head = _package(tmp_path, config)
    text = rdf_text_with_config(open_package(folder), UPDATES)
    assert text.startswith(head)  # every line before `config`, comments included, unchanged
    assert yaml.safe_load(text)["config"] == expected
    if "# keep me" in config:
        assert "  mine: 1  # keep me\n" in text
    if "# the author's" in config:
        assert "    modality: widefield  # the author's\n" in text
    (folder / "rdf.yaml").write_text(text, encoding="utf-8")
    assert load_rdf(open_package(folder)).description.config.bioimageio.funded_by == "Grant 7"


def test_a_whole_rdf_in_flow_style_is_written_in_block_style(tmp_path):
    folder, _ = _package(tmp_path, "config: {}\n")
    data = yaml.safe_load((folder / "rdf.yaml").read_text(encoding="utf-8"))
    (folder / "rdf.yaml").write_text(yaml.safe_dump(data, default_flow_style=True, width=10_000), encoding="utf-8")
    text = rdf_text_with_config(open_package(folder), UPDATES)
    assert yaml.safe_load(text) == {**data, "config": {"bioimageio": UPDATES}}
    assert not text.startswith("{")


@pytest.mark.parametrize(("config", "field"), [
    ("config: 7\n", "config"),
    ("config: {bioimageio: [1, 2]}\n", "config.bioimageio"),
    ("config:\n  bioimageio: text\n", "config.bioimageio"),
])
def test_a_config_that_is_no_mapping_is_a_one_line_error(tmp_path, config, field):
    folder, _ = _package(tmp_path, config)
    before = (folder / "rdf.yaml").read_bytes()
    with pytest.raises(BmzcardError) as raised:
        rdf_text_with_config(open_package(folder), UPDATES)
    message = str(raised.value)
    assert message.startswith(f"{folder / 'rdf.yaml'}: {field}: is ") and "not a mapping" in message and "\n" not in message
    assert (folder / "rdf.yaml").read_bytes() == before


def test_invalid_yaml_is_a_one_line_error_naming_the_rdf(tmp_path):
    folder, _ = _package(tmp_path, "config: {bioimageio: {}\n")  # the flow mapping never closes
    with pytest.raises(BmzcardError) as raised:
        rdf_text_with_config(open_package(folder), UPDATES)
    assert str(raised.value).startswith(f"{folder / 'rdf.yaml'}: line ") and "invalid YAML" in str(raised.value)


def test_measure_writes_into_a_flow_config_through_the_cli(tmp_path):
    """The command that hit the bug: `measure --write-card` sets measured values in `config.bioimageio`."""
    folder, head = _package(tmp_path, "config: {bioimageio: {}}\n")
    result = CliRunner().invoke(app, ["measure", str(folder), "--write-card", "--no-timing"])
    assert result.exit_code == 0, result.output
    text = (folder / "rdf.yaml").read_text(encoding="utf-8")
    assert text.startswith(head)
    assert "model_parameter_count" in yaml.safe_load(text)["config"]["bioimageio"]
