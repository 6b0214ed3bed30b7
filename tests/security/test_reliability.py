"""Every error is one line naming the file, exit 2: nesting bombs, unexpected exceptions."""

from __future__ import annotations

import json

import pytest

from bmzcard.cli.app import app

from .conftest import assert_one_line_error, runner, run_bmzcard

DEPTH = 200_000


def test_an_rdf_nested_200000_deep_is_refused_before_parsing(example):
    rdf = example / "rdf.yaml"
    rdf.write_text(rdf.read_text() + "\nnested: " + "[" * DEPTH + "]" * DEPTH + "\n")
    before = sorted(p.name for p in example.iterdir())
    for command in (["generate", str(example)], ["check", str(example)]):
        done = run_bmzcard(*command)
        assert_one_line_error(done, rdf)
        assert "nested more than" in done.stdout + done.stderr
    assert sorted(p.name for p in example.iterdir()) == before


@pytest.mark.parametrize("nesting", ["- " * DEPTH + "x\n", "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 500))])
def test_block_nesting_is_bounded_too(example, nesting):
    rdf = example / "rdf.yaml"
    rdf.write_text(rdf.read_text() + "\nnested:\n" + "".join("  " + line + "\n" for line in nesting.splitlines()))
    assert_one_line_error(run_bmzcard("generate", str(example), "-o", "-"), rdf)


def test_a_record_nested_100000_deep_is_one_line(example, tmp_path):
    record = tmp_path / "record.json"
    record.write_text("[" * 100_000 + "]" * 100_000)
    result = runner.invoke(app, ["generate", str(example), "--record", str(record)])
    assert result.exit_code == 2 and "nested more than" in result.output and str(record) in result.output
    assert not (example / "README.md.bak").exists()


def test_settings_nested_deep_are_one_line(example, tmp_path):
    settings = tmp_path / "bmzcard.toml"
    settings.write_text("select = " + "[" * 5000 + "]" * 5000 + "\n")
    done = run_bmzcard("check", str(example), cwd=tmp_path)
    assert_one_line_error(done, settings)


def test_an_unexpected_exception_is_one_line_exit_2_and_a_traceback_only_with_debug(example, monkeypatch):
    import bmzcard.api

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(bmzcard.api, "generate", broken)
    result = runner.invoke(app, ["generate", str(example)])
    assert result.exit_code == 2
    assert result.output.strip() == ("internal error: ZeroDivisionError: a bug; run with --debug for the "
                                     "traceback")
    result = runner.invoke(app, ["--debug", "generate", str(example)])
    assert isinstance(result.exception, ZeroDivisionError)


def test_rich_markup_in_an_error_is_printed_as_written(tmp_path):
    missing = tmp_path / "[bold]x[/]"
    result = runner.invoke(app, ["generate", str(missing)])
    assert result.exit_code == 2 and "[bold]x[/]" in result.output


def test_json_nesting_check_counts_brackets_outside_strings_only():
    from bmzcard.sources.limits import MAX_NESTING, check_json_nesting

    check_json_nesting(json.dumps({"text": "[" * 1000}), "x")
    check_json_nesting("[" * MAX_NESTING + "]" * MAX_NESTING, "x")
    with pytest.raises(Exception, match="nested more than"):
        check_json_nesting("[" * (MAX_NESTING + 1), "x")


def _torchscript_with_pickle(source, target, data: bytes) -> None:
    import zipfile

    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            copy.writestr(info, data if info.filename.endswith("/data.pkl") else original.read(info.filename))


# 200,000 empty lists, each appended to the one below it: one list nested 200,000 deep
NESTED_PICKLE = b"\x80\x02" + b"]" * 200_000 + b"a" * 199_999 + b"."


@pytest.mark.parametrize("pickle_bytes", [b"", NESTED_PICKLE], ids=["empty", "nested"])
def test_a_hostile_weight_pickle_is_not_counted_and_not_a_crash(example, pickle_bytes):
    _torchscript_with_pickle(example / "weights.pt", example / "hostile.pt", pickle_bytes)
    (example / "hostile.pt").replace(example / "weights.pt")
    done = run_bmzcard("measure", str(example), "--no-timing", "--json", str(example / "m.json"))
    assert done.returncode == 0, done.stderr
    counted = {w["weight_format"]: w for w in json.loads((example / "m.json").read_text())["weights"]}
    assert counted["torchscript"]["parameters"] is None
    assert counted["torchscript"]["counted"].startswith("not counted:")
    assert counted["onnx"]["parameters"] == 25393  # the other weights are still counted


@pytest.mark.parametrize("option", [["--hours", "1e308"], ["--hours", "1e9", "--devices", "100"],
                                    ["--hours", "1", "--intensity", "1e300"]])
def test_carbon_refuses_numbers_it_cannot_compute_exactly(option):
    done = run_bmzcard("carbon", "-H", "T4", "--intensity", "0.3", *option)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
