"""Card facts (Environmental Impact section) from a carbon estimate."""

from __future__ import annotations

from bmzcard.carbon import data
from bmzcard.carbon.calculator import Estimate
from bmzcard.facts import Fact, Provenance, md_code, md_text


def _number(value: float, precise: bool) -> str:
    # The calculator shows 2 decimals; precise values keep 4 significant digits.
    return f"{value:.4g}" if precise else f"{value:.2f}"


def estimate_facts(estimate: Estimate, *, where: str = "bmzcard carbon") -> list[Fact]:
    """Facts for ``environmental_impact.*`` from `estimate`.

    Parameters
    ----------
    estimate
        The result of `bmzcard.carbon.estimate`.
    where
        Provenance location: the command or the JSON file the estimate came from.

    Returns
    -------
    list[Fact]
        Hardware type, hours used, cloud provider and compute region (when a
        cloud region was used) and carbon emitted.
    """
    source = (Provenance("computed", where, estimate.method),)
    facts = [
        Fact(
            "environmental_impact.hardware_type",
            f"{estimate.devices} × {md_text(estimate.hardware)} ({estimate.tdp_w:g} W TDP)",
            source,
        ),
        Fact(
            "environmental_impact.hours_used",
            f"{estimate.hours:g} device-hours ({estimate.hours_per_device:g} h × {estimate.devices} device(s))",
            source,
        ),
    ]
    if estimate.provider is not None:
        facts.append(
            Fact(
                "environmental_impact.cloud_provider",
                f"{md_text(estimate.provider_name)} ({md_code(estimate.provider)})",
                source,
            )
        )
        place = f" ({md_text(estimate.region_place)})" if estimate.region_place else ""
        facts.append(Fact("environmental_impact.compute_region", f"{md_code(estimate.region)}{place}", source))
    emitted = (
        f"{_number(estimate.co2_kg, estimate.precise)} kg CO2eq "
        f"({_number(estimate.energy_kwh, estimate.precise)} kWh × "
        f"{_number(estimate.intensity_kg_per_kwh, estimate.precise)} kg CO2eq/kWh)"
    )
    if estimate.provider is not None:
        emitted += f", of which {_number(estimate.offset_kg, estimate.precise)} kg offset by the provider"
    how = "with the method of" if estimate.precise else "with"
    emitted += (
        f"; estimated {how} the [Machine Learning Impact calculator]({data.CALCULATOR_URL})"
        + (", without its rounding" if estimate.precise else "")
        + (f", PUE {estimate.pue:g}" if estimate.pue else "")
        + " (Lacoste et al. 2019, arXiv:1910.09700)"
    )
    facts.append(Fact("environmental_impact.carbon_emitted", emitted, source))
    return facts
