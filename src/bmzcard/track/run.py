"""Run a command under codecarbon's offline tracker and build the run's record.

The command runs as a child process; codecarbon's `OfflineEmissionsTracker`
(never the online one) samples the whole machine's power meanwhile, in this
process, every `measure_power_secs`. The record holds the wall time, the
hardware codecarbon saw, its measured energy and emissions, and beside them
the ML CO2 Impact calculator's estimate where the hardware is in its table.
"""

from __future__ import annotations

import datetime
import logging
import os
import signal
import subprocess
import sys
import time
from typing import Any

from bmzcard.errors import BmzcardError
from bmzcard.track.location import Location, require_codecarbon


def _calculator_estimate(
    hardware: str | None, devices: int, hours: float, location: Location, intensity: float | None
) -> tuple[dict | None, str]:
    """The calculator's estimate for the same run, or why there is none.

    Precise mode: the calculator's rounding to 2 decimals would zero most runs.
    """
    from bmzcard.carbon import estimate

    if not hardware:
        return None, "no calculator estimate: give --hardware NAME (see `bmzcard carbon --list hardware`)"
    try:
        if location.cloud_provider:
            result = estimate(
                hardware,
                hours,
                devices=devices,
                provider=location.cloud_provider,
                region=location.cloud_region,
                precise=True,
            )
            return result.to_json(), "calculator method, unrounded, for the same cloud region"
        if intensity is None:
            return None, "no calculator estimate: no energy was measured to derive the grid intensity"
        result = estimate(hardware, hours, devices=devices, intensity_kg_per_kwh=intensity, precise=True)
        return result.to_json(), "calculator method, unrounded, with the grid intensity codecarbon used"
    except BmzcardError as error:
        return None, f"no calculator estimate: {error}"


#: Signals passed on to the command, so that stopping `bmzcard track` stops the run and still records it.
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def exit_status(returncode: int) -> int:
    """A shell's exit status for a child's return code: 128 + N for a child killed by signal N."""
    return 128 - returncode if returncode < 0 else returncode


def _run_forwarding_signals(command: list[str], forwarded: list[str]) -> int:
    """Run the command to its end, passing it SIGINT, SIGTERM and SIGHUP sent to this process.

    A signal that a terminal sent to its whole foreground process group (Ctrl-C)
    has reached the command already and is not sent twice.
    """
    child = subprocess.Popen(command)

    def forward(signum: int, _frame) -> None:
        forwarded.append(signal.Signals(signum).name)
        if not (signum in (signal.SIGINT, signal.SIGHUP) and _in_foreground_of_a_terminal()):
            child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in FORWARDED_SIGNALS}
    try:
        return child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _in_foreground_of_a_terminal() -> bool:
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError):
        return False


def run_tracked(
    command: list[str],
    location: Location,
    *,
    hardware: str | None = None,
    devices: int = 1,
    training: bool = False,
    measure_power_secs: float = 15.0,
) -> dict[str, Any]:
    """Run `command` under codecarbon's offline tracker.

    Parameters
    ----------
    command
        The program and its arguments.
    location
        Where the machine is (see `choose_location`).
    hardware
        The calculator's name of the hardware doing the work, for its estimate.
    devices
        Devices of that hardware used.
    training
        The command trains the model: its wall time is the card's training time.
    measure_power_secs
        codecarbon's sampling interval.

    Returns
    -------
    dict
        The record written as ``bmzcard-track.json``.

    SIGINT, SIGTERM and SIGHUP sent to this process are passed on to the
    command; the record is written once it has ended, whatever ended it.

    Raises
    ------
    BmzcardError
        If the command cannot be started.
    """
    require_codecarbon()
    from codecarbon import OfflineEmissionsTracker

    # codecarbon logs at INFO by default; only its errors matter here.
    logging.getLogger("codecarbon").setLevel(logging.ERROR)
    tracker = OfflineEmissionsTracker(
        **location.tracker_arguments(),
        measure_power_secs=measure_power_secs,
        output_methods=[],  # no CSV, API or logger output, whatever a config file says
        log_level="error",
        allow_multiple_runs=True,
    )
    started_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    # codecarbon detects the hardware here (seconds: CPU TDP lookup), before
    # the command starts, so that the whole command is measured.
    setup_start = time.perf_counter()
    tracker.start()
    setup_s = time.perf_counter() - setup_start
    start = time.perf_counter()
    forwarded: list[str] = []
    try:
        returncode = _run_forwarding_signals(command, forwarded)
    except OSError as error:
        raise BmzcardError(f"cannot run {command[0]!r}: {error.strerror}", field="COMMAND") from None
    finally:
        wall_s = time.perf_counter() - start
        tracker.stop()
    data = tracker.final_emissions_data
    if data is None:
        raise BmzcardError("codecarbon recorded nothing for this run", field="COMMAND")

    energy_kwh = float(data.energy_consumed)
    emissions_kg = float(data.emissions)
    intensity = emissions_kg / energy_kwh if energy_kwh > 0 else None
    hours = wall_s / 3600
    estimate, estimate_note = _calculator_estimate(hardware, devices, hours, location, intensity)
    return {
        "command": command,
        "returncode": returncode,
        "exit_status": exit_status(returncode),
        "signals_forwarded": forwarded,
        "training": training,
        "started_at": started_at,
        "wall_seconds": wall_s,
        "tracker_setup_seconds": setup_s,
        "wall_hours": hours,
        "location": {
            "country_iso_code": data.country_iso_code or location.country_iso_code,
            "country_name": data.country_name,
            "cloud_provider": location.cloud_provider,
            "cloud_region": location.cloud_region,
        },
        "hardware": {
            "cpu_model": data.cpu_model,
            "cpu_count": data.cpu_count,
            "gpu_model": data.gpu_model or None,
            "gpu_count": data.gpu_count,
            "ram_total_gb": data.ram_total_size,
        },
        "measured": {
            "tool": f"codecarbon {data.codecarbon_version} OfflineEmissionsTracker",
            "tracking_mode": data.tracking_mode,
            "energy_kwh": energy_kwh,
            "cpu_energy_kwh": float(data.cpu_energy),
            "gpu_energy_kwh": float(data.gpu_energy),
            "ram_energy_kwh": float(data.ram_energy),
            "emissions_kg": emissions_kg,
            "intensity_kg_per_kwh": intensity,
            "pue": data.pue,
        },
        "estimate": estimate,
        "estimate_note": estimate_note,
    }
