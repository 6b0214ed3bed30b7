"""The public Python API: lazy, torch-free to import, documented by a README example that runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import bmzcard

README = Path(__file__).resolve().parents[1] / "README.md"


def test_import_bmzcard_imports_neither_torch_nor_the_heavy_libraries():
    code = ("import sys, bmzcard\n"
            "bmzcard.generate, bmzcard.evaluate, bmzcard.measure, bmzcard.check\n"
            "heavy = sorted(m for m in ('torch', 'bioimageio.spec', 'numpy', 'onnxruntime', 'typer')"
            " if m in sys.modules)\n"
            "print(heavy, sorted(m for m in sys.modules if m.startswith('bmzcard')))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[] ['bmzcard', 'bmzcard.api', 'bmzcard.version']"


def test_the_api_names_stay_functions_when_the_producer_packages_are_imported():
    import bmzcard.evaluate.recompute  # noqa: F401  (binds the package, as Python does for submodules)
    import bmzcard.generate  # noqa: F401
    import bmzcard.measure  # noqa: F401
    import bmzcard.diff.compare  # noqa: F401
    from bmzcard import api

    assert (bmzcard.generate, bmzcard.evaluate, bmzcard.measure, bmzcard.check) == (
        api.generate, api.evaluate, api.measure, api.check)
    assert callable(bmzcard.diff) and bmzcard.diff.__module__ == "bmzcard.diff"
    from bmzcard.evaluate import EvaluateOptions  # the producer modules import as usual

    assert EvaluateOptions().device == "auto"
    assert sorted(bmzcard.__all__) == sorted(["__version__", "Card", "check", "diff", "evaluate", "generate", "measure"])
    with pytest.raises(AttributeError):
        bmzcard.no_such_name  # noqa: B018


def test_every_api_function_has_a_docstring_with_an_example():
    for function in (bmzcard.generate, bmzcard.evaluate, bmzcard.measure, bmzcard.check, bmzcard.diff, bmzcard.Card):
        assert "Examples" in function.__doc__ and ">>> " in function.__doc__, function


def test_the_readme_python_example_runs(capsys):
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Python API"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})
    lines = capsys.readouterr().out.splitlines()
    filled, todo = map(int, re.match(r"(\d+) fields filled, (\d+) left TODO", lines[0]).groups())
    assert filled > 30 and todo > 0
    dice = float(lines[1].split()[1])
    assert 0.5 < dice <= 1.0  # the example model is trained: a real result
    assert "(SPDX: `MIT`)" in lines[-1]  # the package's license, read back from the card


def test_check_returns_findings_and_refuses_what_it_cannot_read(tmp_path):
    card = tmp_path / "README.md"
    card.write_text("# My model\n\n## Model Details\n", encoding="utf-8")
    findings = bmzcard.check(card)
    assert findings and all(f.path == str(card) for f in findings)
    assert "S001" in {f.code for f in findings}  # required sections missing
    (tmp_path / "bad.md").write_bytes(b"\x00binary")
    with pytest.raises(bmzcard.errors.BmzcardError, match="binary"):
        bmzcard.check(tmp_path / "bad.md")


def test_the_cli_is_a_layer_over_the_api(tmp_path, monkeypatch, shared):
    from typer.testing import CliRunner

    from bmzcard import api
    from bmzcard.cli.app import app

    calls = []
    real = api.generate

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "generate", spy)
    package = shared / "bmz" / "packages" / "unet2d_nuclei_broad"
    result = CliRunner().invoke(app, ["generate", str(package / "bioimageio.yaml"), "-o", "-"])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1 and calls[0][1]["write"] is False
    assert result.output.startswith("# ")
