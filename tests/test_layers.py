"""The layer order of the developers' guide, enforced by tools/check_layers.py."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "check_layers.py"


def _load():
    spec = importlib.util.spec_from_file_location("check_layers", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("check_layers", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_import_of_bmzcard_runs_down_the_layers():
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    assert "0 against the layer order" in done.stdout


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "bmzcard" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for folder in [p for p in (tmp_path / "bmzcard").rglob("*") if p.is_dir()] + [tmp_path / "bmzcard"]:
        (folder / "__init__.py").touch()
    return tmp_path


def test_an_upward_import_inside_a_function_is_found(tmp_path):
    root = _tree(tmp_path, {
        "sources/records.py": "def read():\n    from bmzcard.measure.facts import measurement_facts\n",
        "measure/facts.py": "",
    })
    violations, _ = _load().check(root)
    assert [(v.importer, v.imported, v.line) for v in violations] == [
        ("bmzcard.sources.records", "bmzcard.measure.facts", 2)]


def test_a_producer_importing_another_producer_is_found(tmp_path):
    root = _tree(tmp_path, {"evaluate/job.py": "import bmzcard.generate\n", "generate.py": ""})
    violations, _ = _load().check(root)
    assert [v.why for v in violations] == ["no producer imports another producer"]


def test_relative_from_and_import_module_imports_are_read(tmp_path):
    root = _tree(tmp_path, {
        "card/fill.py": "from ..outputs import files\n",
        "metrics/x.py": "import importlib\nimportlib.import_module('bmzcard.lint.engine')\n",
        "outputs/files.py": "", "lint/engine.py": "",
    })
    violations, _ = _load().check(root)
    assert sorted((v.importer, v.imported) for v in violations) == [
        ("bmzcard.card.fill", "bmzcard.outputs.files"), ("bmzcard.metrics.x", "bmzcard.lint.engine")]


def test_downward_and_same_layer_imports_pass(tmp_path):
    root = _tree(tmp_path, {
        "cli/app.py": "from bmzcard.lint import engine\nfrom bmzcard.outputs.files import write\n",
        "lint/engine.py": "def f():\n    from bmzcard.evaluate.recompute import again\n",
        "carbon/facts.py": "from bmzcard.facts import Fact\nfrom bmzcard.errors import E\n",
        "outputs/files.py": "", "evaluate/recompute.py": "", "facts.py": "", "errors.py": "",
    })
    violations, count = _load().check(root)
    assert violations == [] and count == 5


def test_a_module_without_a_layer_is_reported(tmp_path):
    root = _tree(tmp_path, {"gadgets.py": ""})
    violations, _ = _load().check(root)
    assert "'gadgets' has no layer" in violations[0].why
