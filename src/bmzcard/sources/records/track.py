"""Card facts (Environmental Impact; training time) from a `bmzcard track` record."""

from __future__ import annotations

from typing import Any

from bmzcard.facts import Fact, Provenance, md_code, md_text

#: The record `bmzcard track` writes, and `generate` finds beside the RDF.
TRACK_RECORD = "bmzcard-track.json"


def track_facts(record: dict[str, Any], *, where: str = TRACK_RECORD) -> list[Fact]:
    """Card facts (Environmental Impact; training time for a training run) from a track record.

    Parameters
    ----------
    record
        What `run_tracked` returns, or the content of a ``bmzcard-track.json``.
    where
        Provenance location: the record's file.

    Returns
    -------
    list[Fact]
    """
    measured = record["measured"]
    source = (Provenance("measurement", where, measured["tool"]),)
    hw = record["hardware"]
    # a record may come from anyone (`generate --record`): its strings are text, not Markdown
    hardware = f"{md_text(hw['cpu_model'])} ({hw['cpu_count']:g} CPU threads)"
    if hw["gpu_model"]:
        hardware = f"{hw['gpu_count']:g} × {md_text(hw['gpu_model'])}; {hardware}"
    where_run = record["location"]
    facts = [
        Fact("environmental_impact.hardware_type", hardware, source),
        Fact("environmental_impact.hours_used", f"{record['wall_hours']:.2f} h (wall-clock, measured)", source),
    ]
    if where_run["cloud_provider"]:
        facts.append(Fact("environmental_impact.cloud_provider", md_code(where_run["cloud_provider"]), source))
        facts.append(Fact("environmental_impact.compute_region", md_code(where_run["cloud_region"]), source))
    else:
        facts.append(
            Fact(
                "environmental_impact.compute_region",
                md_text(f"{where_run['country_name'] or where_run['country_iso_code']} ({where_run['country_iso_code']})"),
                source,
            )
        )
    emitted = (
        f"{measured['emissions_kg']:.3g} kg CO2eq for {measured['energy_kwh']:.3g} kWh, "
        f"measured with [CodeCarbon](https://codecarbon.io) ({md_text(measured['tool'])}, "
        f"{md_text(measured['tracking_mode'])} mode)"
    )
    sources = source
    if record["estimate"]:
        estimate = record["estimate"]
        emitted += (
            f"; the [Machine Learning Impact calculator](https://mlco2.github.io/impact#compute) "
            f"method estimates {estimate['co2_kg']:.3g} kg for {estimate['hours']:.2f} device-hours of "
            f"{md_text(estimate['hardware'])} (Lacoste et al. 2019, arXiv:1910.09700)"
        )
        sources = source + (Provenance("computed", where, estimate["method"]),)
    facts.append(Fact("environmental_impact.carbon_emitted", emitted, sources))
    if record["training"]:
        facts.append(
            Fact("speeds_sizes_times.training_time", f"{record['wall_hours']:.2f} h (wall-clock, measured)", source)
        )
    return facts
