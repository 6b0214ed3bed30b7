"""`bmzcard carbon`: the ML CO2 Impact calculator, offline."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from bmzcard.outputs.files import write_json


class Listing(str, enum.Enum):
    hardware = "hardware"
    regions = "regions"


def _print_listing(what: Listing) -> None:
    from rich.table import Table

    from bmzcard.carbon import data
    from bmzcard.cli.app import stdout

    if what is Listing.hardware:
        table = Table("hardware", "type", "TDP (W)", title="Hardware (ML CO2 Impact data)")
        for hw in data.hardware().values():
            table.add_row(hw.name, hw.kind, hw.tdp_text)
    else:
        table = Table(
            "provider", "region", "name", "place", "gCO2eq/kWh", "offset %", title="Cloud regions (ML CO2 Impact data)"
        )
        for provider, rows in data.regions().items():
            for row in rows.values():
                table.add_row(provider, row.code or "(none)", row.name, row.place, row.impact_text, row.offset_ratio_text)
    stdout.print(table)


def _print_estimate(result) -> None:
    from rich.table import Table

    from bmzcard.carbon import data
    from bmzcard.cli.app import stdout

    digits = ".4g" if result.precise else ".2f"
    table = Table(show_header=False, box=None, title="Carbon estimate", title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("hardware", f"{result.hardware} ({result.tdp_w:g} W TDP)")
    table.add_row("device-hours", f"{result.hours:g} ({result.hours_per_device:g} h × {result.devices} device(s))")
    if result.provider:
        table.add_row("region", f"{result.provider_name} {result.region} ({result.region_place})")
    table.add_row("energy", f"{result.energy_kwh:{digits}} kWh" + (f" (PUE {result.pue:g})" if result.pue else ""))
    table.add_row("intensity", f"{result.intensity_kg_per_kwh:{digits}} kg CO2eq/kWh")
    table.add_row("carbon emitted", f"[bold]{result.co2_kg:{digits}} kg CO2eq[/]")
    if result.provider:
        table.add_row("offset by provider", f"{result.offset_kg:{digits}} kg ({result.offset_percent:g} %)")
    table.add_row("method", result.method)
    table.add_row("cite", data.CITATION)
    stdout.print(table)


def carbon(
    hardware: Annotated[
        Optional[str],
        typer.Option("--hardware", "-H", help="GPU/CPU/TPU name, e.g. 'T4' or 'Tesla V100-SXM2-16GB'."),
    ] = None,
    hours: Annotated[
        Optional[float], typer.Option("--hours", help="Hours each device ran (wall-clock).")
    ] = None,
    provider: Annotated[
        Optional[str], typer.Option("--provider", help="Cloud provider: gcp, aws, azure, ovh, scaleway, ...")
    ] = None,
    region: Annotated[
        Optional[str], typer.Option("--region", help="Region code or name, e.g. us-central1 or 'EU (Paris)'.")
    ] = None,
    intensity: Annotated[
        Optional[float],
        typer.Option(
            "--intensity",
            metavar="KG_PER_KWH",
            help="Your grid's carbon intensity in kg CO2eq/kWh, instead of --provider/--region.",
        ),
    ] = None,
    devices: Annotated[
        int, typer.Option("--devices", min=1, help="Devices used in parallel; device-hours = hours × devices.")
    ] = 1,
    precise: Annotated[
        bool, typer.Option("--precise", help="No rounding, full intensity; allows --pue. Not the calculator's figure.")
    ] = False,
    pue: Annotated[
        Optional[float], typer.Option("--pue", help="Datacenter power usage effectiveness (with --precise).")
    ] = None,
    json_out: Annotated[
        Optional[Path], typer.Option("--json", metavar="OUT", help="Also write the estimate as JSON to OUT.")
    ] = None,
    list_: Annotated[
        Optional[Listing], typer.Option("--list", help="List known hardware or cloud regions and exit.")
    ] = None,
) -> None:
    """Estimate the carbon emitted by compute, as the ML CO2 Impact calculator does, offline.

    Energy = TDP × hours × devices / 1000 (kWh); emissions = energy × the region's
    carbon intensity. Figures match https://mlco2.github.io/impact#compute to the
    cent, rounding included, from its bundled data (Lacoste et al. 2019,
    arXiv:1910.09700). Names are matched ignoring case and spacing.

    **Examples**

    - `bmzcard carbon --hardware "Tesla V100-SXM2-16GB" --hours 100 --provider gcp --region us-central1`
      (14.25 kg CO2eq)

    - `bmzcard carbon -H T4 --hours 10 --devices 4 --intensity 0.3 --json carbon.json`

    - `bmzcard carbon -H A10G --hours 5 --provider aws --region eu-west-3 --precise --pue 1.2`

    - `bmzcard carbon --list regions`
    """
    from bmzcard.carbon import estimate
    from bmzcard.errors import BmzcardError

    if list_ is not None:
        _print_listing(list_)
        return
    if hardware is None or hours is None:
        raise BmzcardError(
            "give --hardware NAME and --hours H (or --list hardware|regions)",
            field="--hardware" if hardware is None else "--hours",
        )
    result = estimate(
        hardware,
        hours,
        provider=provider,
        region=region,
        intensity_kg_per_kwh=intensity,
        devices=devices,
        precise=precise,
        pue=pue,
    )
    _print_estimate(result)
    if json_out is not None:
        write_json(json_out, result.to_json())
