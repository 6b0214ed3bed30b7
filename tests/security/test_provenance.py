"""Files and provenance: links out of the package, broken sidecars, interrupted runs, re-runs, modes."""

from __future__ import annotations

import json
import os
import stat

import pytest

import bmzcard.outputs.card
import bmzcard.outputs.files
import bmzcard.outputs.provenance
from bmzcard.cli.app import app

from .conftest import runner


def snapshot(folder):
    """Every file under `folder` (links as their target), to show that nothing was written."""
    return {p.relative_to(folder): (os.readlink(p) if p.is_symlink() else p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_symlink() or p.is_file()}


def generate(*args):
    return runner.invoke(app, ["generate", *map(str, args)])


@pytest.fixture
def outside(tmp_path):
    secret = tmp_path / "outside" / "secret.md"
    secret.parent.mkdir()
    secret.write_text("# secret\n\nthe user's private notes\n")
    return secret


def test_a_card_linked_out_of_the_package_is_refused(example, outside):
    (example / "README.md").unlink()
    (example / "README.md").symlink_to(os.path.relpath(outside, example))
    before = snapshot(example)
    result = generate(example)
    assert result.exit_code == 2 and "symbolic link" in result.output and "README.md" in result.output
    assert snapshot(example) == before  # no copy of the secret, no backup
    result = generate(example, "--force")
    assert result.exit_code == 2 and snapshot(example) == before


@pytest.mark.parametrize("name", ["README.md.bmzcard.json", "rdf.yaml"])
def test_a_sidecar_or_rdf_linked_out_of_the_package_is_refused(example, outside, name):
    assert generate(example).exit_code == 0
    target = example / name
    outside.write_text(target.read_text())
    target.unlink()
    target.symlink_to(outside)
    before = snapshot(example)
    result = generate(example)
    assert result.exit_code == 2 and "symbolic link" in result.output
    assert snapshot(example) == before


def test_a_backup_is_never_written_through_a_link(example, tmp_path):
    assert generate(example, "--force").exit_code == 0
    trap = tmp_path / "written-through-link"
    taken = len(list(example.glob("README.md.bak*")))
    free = example / ("README.md.bak" + (str(taken) if taken else ""))
    free.symlink_to(trap)  # dangling: `exists()` would call the name free
    rdf = example / "rdf.yaml"
    rdf.write_text(rdf.read_text().replace("version: 0.1.0", "version: 0.1.1"))
    assert generate(example).exit_code == 0
    assert not trap.exists() and (example / f"README.md.bak{taken + 1}").is_file()


def test_a_sidecar_that_does_not_parse_stops_generate_until_force(example):
    assert generate(example).exit_code == 0
    sidecar = example / "README.md.bmzcard.json"
    sidecar.write_text(sidecar.read_text().replace('"facts": [', '"facts": [,', 1))
    before = snapshot(example)
    result = generate(example)
    assert result.exit_code == 2 and str(sidecar) in result.output and "--force" in result.output
    assert snapshot(example) == before
    broken = sidecar.read_bytes()
    result = generate(example, "--force")
    assert result.exit_code == 0, result.output
    assert (example / "README.md.bmzcard.json.bak").read_bytes() == broken
    assert json.loads(sidecar.read_text())["facts"]


@pytest.mark.parametrize("content", ['{"facts": 5}', '{"schema": "bmzcard.provenance/1", "facts": 5}',
                                     '{"schema": "bmzcard.provenance/1", "facts": [{"key": "x", "value": 1}]}',
                                     "[" * 10_000, "\xff"])
def test_a_sidecar_of_the_wrong_shape_is_an_error_naming_it(example, content):
    assert generate(example).exit_code == 0
    sidecar = example / "README.md.bmzcard.json"
    sidecar.write_bytes(content.encode("latin-1"))
    before = snapshot(example)
    for command in (["generate", str(example)], ["check", str(example / "README.md"), "--verify", "--select", "V"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and str(sidecar) in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1
    assert snapshot(example) == before


def test_an_unchanged_rerun_leaves_card_and_sidecar_byte_identical(example):
    assert generate(example).exit_code == 0
    before = snapshot(example)
    mtimes = {p: p.stat().st_mtime_ns for p in example.iterdir()}
    assert generate(example).exit_code == 0
    assert snapshot(example) == before
    assert {p: p.stat().st_mtime_ns for p in example.iterdir()} == mtimes  # not even rewritten
    assert "written_at" not in (example / "README.md.bmzcard.json").read_text()


def _set_description(example, text):
    rdf = example / "rdf.yaml"
    lines = rdf.read_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("description:"))
    end = index + 1
    while end < len(lines) and lines[end].startswith(" "):
        end += 1
    lines[index:end] = [f"description: {text}\n"]
    rdf.write_text("".join(lines))


def test_a_run_stopped_between_card_and_sidecar_is_recognised(example, monkeypatch):
    """Killed between the two writes: the next run still refreshes bmzcard's own values."""
    assert generate(example, "--force").exit_code == 0  # every value bmzcard's
    _set_description(example, "Second description.")
    real, calls = bmzcard.outputs.files.atomic_write, []

    def dies_on_the_second_write(path, text):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process is killed here
        real(path, text)

    monkeypatch.setattr(bmzcard.outputs.files, "atomic_write", dies_on_the_second_write)
    monkeypatch.setattr(bmzcard.outputs.provenance, "atomic_write", dies_on_the_second_write, raising=False)
    monkeypatch.setattr(bmzcard.outputs.card, "atomic_write", dies_on_the_second_write, raising=False)
    generate(example)
    assert len(calls) == 2
    monkeypatch.undo()
    _set_description(example, "Third description.")
    assert generate(example).exit_code == 0
    card = (example / "README.md").read_text()
    assert "Third description." in card and "Second description." not in card


def test_check_fix_keeps_bmzcards_tables_bmzcards(example):
    assert generate(example, "--force").exit_code == 0
    result = runner.invoke(app, ["check", str(example / "README.md"), "--fix"])
    assert "| ----- |" in (example / "README.md").read_text(), result.output  # the fix realigned the tables
    rdf = example / "rdf.yaml"
    rdf.write_text(rdf.read_text().replace("Widefield fluorescence image of a nuclear stain",
                                           "Widefield image of a DAPI stain"))
    result = generate(example)
    assert result.exit_code == 0 and "Kept" not in result.output
    table_row = next(line for line in (example / "README.md").read_text().splitlines() if line.startswith("  | `raw`"))
    assert "Widefield image of a DAPI stain" in table_row


def test_new_files_get_the_users_umask(example):
    old = os.umask(0o022)
    try:
        assert generate(example, "--force").exit_code == 0
    finally:
        os.umask(old)
    for name in ("README.md", "README.md.bmzcard.json"):
        assert stat.S_IMODE((example / name).stat().st_mode) == 0o644, name


def test_output_folders_are_not_created_silently(example, tmp_path):
    missing = tmp_path / "no" / "such" / "dir"
    result = runner.invoke(app, ["measure", str(example), "--no-timing", "--json", str(missing / "x.json")])
    assert result.exit_code == 2 and "does not exist" in result.output
    result = generate(example, "-o", missing / "card.md")
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (tmp_path / "no").exists()


def test_a_readme_that_is_a_folder_is_one_line(example):
    (example / "README.md").unlink()
    (example / "README.md").mkdir()
    result = generate(example)
    assert result.exit_code == 2 and "is a folder" in result.output and len(result.output.splitlines()) == 1


def test_a_read_only_package_folder_is_one_line(example, monkeypatch):
    """(Simulated: the tests may run as root, whom file modes do not stop.)"""
    import tempfile

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    before = snapshot(example)
    result = generate(example, "--force")
    assert result.exit_code == 2 and "Permission denied" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert snapshot(example) == before  # not even a backup
