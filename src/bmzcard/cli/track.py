"""`bmzcard track`: run a command and record its energy and emissions (codecarbon, offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from bmzcard.outputs.files import write_json
from bmzcard.sources.records.track import TRACK_RECORD


def _print(record: dict, out: Path) -> None:
    from rich.markup import escape
    from rich.table import Table

    from bmzcard.cli.app import stdout

    measured = record["measured"]
    table = Table(show_header=False, box=None, title="Tracked run", title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    ended = f"exit code {record['returncode']}" if record["returncode"] >= 0 else \
        f"killed by signal {-record['returncode']}, exit status {record['exit_status']}"
    if record["signals_forwarded"]:
        ended += f"; passed on: {', '.join(record['signals_forwarded'])}"
    table.add_row("command", escape(" ".join(record["command"])) + f" ({ended})")
    table.add_row("wall time", f"{record['wall_seconds']:.1f} s ({record['wall_hours']:.4f} h)")
    hw = record["hardware"]
    gpus = f"; {hw['gpu_count']:g} × {hw['gpu_model']}" if hw["gpu_model"] else ""
    table.add_row("hardware", f"{hw['cpu_model']}, {hw['cpu_count']:g} CPU threads{gpus}")
    table.add_row("energy", f"{measured['energy_kwh']:.4g} kWh ({measured['tool']}, {measured['tracking_mode']} mode)")
    table.add_row("emissions", f"[bold]{measured['emissions_kg']:.4g} kg CO2eq[/] (measured)")
    if record["estimate"]:
        table.add_row("calculator", f"{record['estimate']['co2_kg']:.4g} kg CO2eq ({record['estimate_note']})")
    else:
        table.add_row("calculator", record["estimate_note"])
    table.add_row("written", escape(str(out)))
    stdout.print(table)


def track(
    command: Annotated[list[str], typer.Argument(metavar="-- COMMAND...", help="The command to run, after `--`.")],
    country: Annotated[
        Optional[str], typer.Option("--country", metavar="ISO3", help="Country of the machine, e.g. DEU or Germany.")
    ] = None,
    provider: Annotated[Optional[str], typer.Option("--provider", help="Cloud provider (with --region), e.g. gcp.")] = None,
    region: Annotated[Optional[str], typer.Option("--region", help="Cloud region, e.g. us-central1.")] = None,
    hardware: Annotated[
        Optional[str],
        typer.Option(
            "--hardware", "-H", help="Hardware doing the work, for the calculator's estimate beside the measurement, e.g. T4."
        ),
    ] = None,
    devices: Annotated[int, typer.Option("--devices", min=1, help="Devices of that hardware used.")] = 1,
    training: Annotated[
        bool, typer.Option("--training", help="The command trains the model: record its wall time as training time.")
    ] = False,
    json_out: Annotated[
        Path, typer.Option("--json", metavar="OUT", help="Where to write the record.")
    ] = Path(TRACK_RECORD),
) -> None:
    """Run a command and record its energy use and emissions, measured offline by CodeCarbon.

    The machine's power is sampled by codecarbon's OfflineEmissionsTracker while
    the command runs (whole machine, every 15 s). A location is required, for the
    grid's carbon intensity: `--country`, or `--provider` and `--region`; without
    them you are asked, or, when not at a terminal, refused. The record (wall
    hours, hardware, energy, emissions and the ML CO2 Impact calculator's
    estimate beside them) is written as JSON for `bmzcard generate`. Exits with
    the command's exit code (128 + N when a signal N killed it). SIGINT, SIGTERM
    and SIGHUP sent to bmzcard are passed on to the command, and the record is
    written once it has ended.

    **Examples**

    - `bmzcard track --country DEU --training -- python train.py --epochs 50`

    - `bmzcard track --provider gcp --region us-central1 -H T4 -- bash train.sh`
    """
    from bmzcard.track import choose_location, run_tracked

    location = choose_location(country, provider, region)
    record = run_tracked(command, location, hardware=hardware, devices=devices, training=training)
    write_json(json_out, record)
    _print(record, json_out)
    if record["exit_status"] != 0:
        raise typer.Exit(record["exit_status"])
