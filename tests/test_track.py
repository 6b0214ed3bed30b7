"""`bmzcard track`: location rules, the record it writes and the facts from it.

Runs are short commands; energy and emissions are checked for sanity only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bmzcard

from bmzcard.errors import BmzcardError
from bmzcard.track import Location, choose_location, run_tracked, track_facts


def test_location_from_country_code_or_name():
    assert choose_location("deu", None, None) == Location(country_iso_code="DEU")
    assert choose_location("Germany", None, None) == Location(country_iso_code="DEU")


def test_location_from_cloud_region():
    location = choose_location(None, "GCP", "US Central1")
    assert (location.cloud_provider, location.cloud_region) == ("gcp", "us-central1")


@pytest.mark.parametrize(
    ("country", "provider", "region", "expected"),
    [
        ("DEU", "gcp", None, "not both"),
        (None, "gcp", None, "both --provider and --region"),
        ("Germny", None, None, "did you mean 'DEU'"),
    ],
)
def test_location_errors(country, provider, region, expected):
    with pytest.raises(BmzcardError) as error:
        choose_location(country, provider, region)
    assert expected in str(error.value)


def test_no_location_without_a_terminal_is_refused():
    from bmzcard.cli.app import app

    # CliRunner's stdin is not a terminal: nothing may be assumed.
    result = CliRunner().invoke(app, ["track", "--", sys.executable, "-c", "pass"])
    assert result.exit_code == 2
    assert "does not guess a location" in result.output


def test_run_records_measurement_and_estimate():
    record = run_tracked(
        [sys.executable, "-c", "import time; time.sleep(0.5)"],
        Location(country_iso_code="FRA"),
        hardware="Intel Xeon Gold 6148",
        training=True,
        measure_power_secs=1,
    )
    assert record["returncode"] == 0
    assert record["wall_seconds"] >= 0.5
    assert record["measured"]["energy_kwh"] > 0 and record["measured"]["emissions_kg"] > 0
    assert "OfflineEmissionsTracker" in record["measured"]["tool"]
    estimate = record["estimate"]
    # calculator method, unrounded: 150 W x hours / 1000 x the intensity codecarbon used
    expected = 150 * record["wall_hours"] / 1000 * record["measured"]["intensity_kg_per_kwh"]
    assert estimate["co2_kg"] == pytest.approx(expected)
    facts = {fact.key: fact for fact in track_facts(record)}
    assert {
        "environmental_impact.hardware_type",
        "environmental_impact.hours_used",
        "environmental_impact.compute_region",
        "environmental_impact.carbon_emitted",
        "speeds_sizes_times.training_time",
    } == set(facts)
    assert "(FRA)" in facts["environmental_impact.compute_region"].value


def test_cli_writes_record_and_passes_on_exit_code(tmp_path):
    from bmzcard.cli.app import app

    out = tmp_path / "bmzcard-track.json"
    command = [sys.executable, "-c", "raise SystemExit(3)"]
    result = CliRunner().invoke(app, ["track", "--country", "DEU", "--json", str(out), "--", *command])
    assert result.exit_code == 3, result.output
    record = json.loads(out.read_text())
    assert record["command"] == command and record["returncode"] == 3
    assert record["estimate"] is None and "--hardware" in record["estimate_note"]


def _tracked_child(tmp_path, script: str):
    """`bmzcard track` in its own process, its command a Python script; waits until the command runs."""
    import os
    import subprocess
    import time

    started = tmp_path / "started"
    code = f"import pathlib, signal, sys, time\n{script}\npathlib.Path({str(started)!r}).touch()\ntime.sleep(60)\n"
    environment = dict(os.environ, PYTHONPATH=str(Path(bmzcard.__file__).resolve().parents[1]))
    process = subprocess.Popen(
        [sys.executable, "-m", "bmzcard", "track", "--country", "DEU", "--json", str(tmp_path / "record.json"),
         "--", sys.executable, "-c", code], env=environment, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(600):
        if started.exists():
            return process
        time.sleep(0.1)
    process.kill()
    raise AssertionError(process.communicate())


def test_sigterm_is_passed_on_and_the_run_still_recorded(tmp_path):
    import signal

    got = tmp_path / "child-got-sigterm"
    process = _tracked_child(tmp_path, f"signal.signal(signal.SIGTERM, lambda *a: (pathlib.Path({str(got)!r}).touch(), "
                                       "sys.exit(3)))")
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    assert got.exists(), err
    assert process.returncode == 3, err
    record = json.loads((tmp_path / "record.json").read_text())
    assert record["signals_forwarded"] == ["SIGTERM"] and record["exit_status"] == 3


def test_a_command_killed_by_a_signal_exits_128_plus_the_signal(tmp_path):
    import signal

    import psutil  # a dependency of codecarbon

    process = _tracked_child(tmp_path, "")
    psutil.Process(process.pid).children()[0].send_signal(signal.SIGSEGV)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGSEGV, err
    record = json.loads((tmp_path / "record.json").read_text())
    assert record["returncode"] == -signal.SIGSEGV and record["exit_status"] == 128 + signal.SIGSEGV


def test_track_without_codecarbon_says_how_to_install_it(monkeypatch, tmp_path):
    from bmzcard.cli.app import app

    monkeypatch.setitem(sys.modules, "codecarbon", None)  # as if the `track` extra were not installed
    out = tmp_path / "record.json"
    result = CliRunner().invoke(app, ["track", "--country", "DEU", "--json", str(out), "--", "true"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "pip install 'bmzcard[track]'" in lines[0], result.output
    assert "Traceback" not in result.output and not out.exists()
