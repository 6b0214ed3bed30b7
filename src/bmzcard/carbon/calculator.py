"""The ML CO2 Impact calculator's arithmetic, reproduced offline.

The calculator (https://mlco2.github.io/impact#compute) computes, on its page:

- energy (kWh) = TDP (W) x hours / 1000, rounded to 2 decimals;
- intensity (kg/kWh) = integer part of the region's gCO2eq/kWh / 1000, rounded
  to 2 decimals (a custom intensity is used as given);
- emissions (kg CO2eq) = energy x intensity, rounded to 2 decimals;
- offset (kg) = emissions x the provider's offset percent / 100, rounded.

Rounding is JavaScript's ``Number(x.toFixed(2))``: exact on the binary double,
ties away from zero, so 0.105 (stored as 0.10499999...) becomes 0.10.
"hours" are device-hours: bmzcard multiplies hours by the device count first,
the one way devices enter. The precise mode drops all rounding and the
integer truncation, and may multiply the energy by a PUE.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from bmzcard.carbon import data
from bmzcard.carbon.matching import resolve
from bmzcard.errors import BmzcardError

# Vendor words people add or leave out ("NVIDIA T4", "Tesla T4", "T4").
_VENDOR_WORDS = ("nvidia", "geforce", "tesla", "amd", "intel", "radeon")


def js_to_fixed(value: float, digits: int = 2) -> float:
    """``Number(value.toFixed(digits))`` as JavaScript computes it.

    `toFixed` picks the integer n closest to value x 10^digits using the exact
    binary value, the larger n on a tie; `Decimal(value)` is that exact value.

    Parameters
    ----------
    value
        A finite number.
    digits
        Decimal places kept.

    Returns
    -------
    float
        The rounded number, e.g. ``js_to_fixed(0.105) == 0.1``.
    """
    exact = Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return float(exact)


def js_parse_int(text: str) -> int:
    """JavaScript ``parseInt(text, 10)``: the leading integer of the text ("566.3" -> 566)."""
    match = re.match(r"\s*([+-]?\d+)", text)
    if match is None:
        raise ValueError(f"not a number: {text!r}")
    return int(match.group(1))


@dataclass(frozen=True)
class Estimate:
    """A carbon estimate and everything it was computed from."""

    # The fields of the calculator's result first, in the order of the JSON output.
    hardware: str
    tdp_w: float
    hours: float  # device-hours: hours_per_device x devices
    provider: str | None
    region: str | None
    energy_kwh: float
    intensity_kg_per_kwh: float
    co2_kg: float
    offset_kg: float
    method: str
    hardware_kind: str
    devices: int
    hours_per_device: float
    provider_name: str | None
    region_place: str | None
    offset_percent: float
    pue: float | None
    precise: bool

    def to_json(self) -> dict:
        """The estimate as written by ``bmzcard carbon --json``: every field, plus data source and citation."""
        return {
            **asdict(self),
            "hours": float(self.hours),
            "hours_per_device": float(self.hours_per_device),
            "data": f"{data.SOURCE_REPO} at {data.SOURCE_COMMIT}",
            "citation": data.CITATION,
        }

    @classmethod
    def from_json(cls, content: dict) -> "Estimate":
        """Read back what `to_json` wrote (e.g. a ``--json`` file for ``generate``)."""
        return cls(**{f.name: content[f.name] for f in fields(cls)})


def find_hardware(name: str) -> data.Hardware:
    """The hardware row that `name` names (forgiving; see `bmzcard.carbon.matching`)."""
    table = data.hardware()
    choices = {hw: (hw,) for hw in table}
    found = resolve(
        name,
        choices,
        what="hardware",
        field="--hardware",
        list_hint="(`bmzcard carbon --list hardware` lists all.)",
        drop=_VENDOR_WORDS,
    )
    return table[found]


def find_region(provider: str, region: str) -> data.Region:
    """The cloud region that `provider` and `region` name (codes or display names)."""
    table = data.regions()
    providers = {
        code: (code, next(iter(rows.values())).provider_name) for code, rows in table.items()
    }
    provider_code = resolve(
        provider,
        providers,
        what="provider",
        field="--provider",
        list_hint="(`bmzcard carbon --list regions` lists all.)",
    )
    rows = table[provider_code]
    found = resolve(
        region,
        {rid: (row.code, row.name) for rid, row in rows.items()},
        what=f"region of {provider_code}",
        field="--region",
        list_hint=f"(`bmzcard carbon --list regions` lists the regions of {provider_code}.)",
    )
    return rows[found]


#: Bounds far above any real run (a million device-years; PUE and grid intensity ~1), so that every
#: product stays within the 28 significant digits of the calculator's decimal rounding.
MAX_DEVICE_HOURS = 1e10
MAX_FACTOR = 100.0


def _check_inputs(hours: float, devices: int, pue: float | None, intensity: float | None) -> None:
    if not math.isfinite(hours) or hours < 0:
        raise BmzcardError(f"hours must be a finite number >= 0, not {hours}", field="--hours")
    if devices < 1:
        raise BmzcardError(f"devices must be at least 1, not {devices}", field="--devices")
    if hours * devices > MAX_DEVICE_HOURS:  # beyond this the results' decimals are no longer exact
        raise BmzcardError(f"{hours:g} hours on {devices} device(s) is more than the {MAX_DEVICE_HOURS:g} "
                           "device-hours the calculator is exact for", field="--hours")
    if pue is not None and (not math.isfinite(pue) or not 1 <= pue <= MAX_FACTOR):
        raise BmzcardError(f"PUE must be a number from 1 to {MAX_FACTOR:g}, not {pue}", field="--pue")
    if intensity is not None and (not math.isfinite(intensity) or not 0 <= intensity <= MAX_FACTOR):
        raise BmzcardError(
            f"intensity must be a number from 0 to {MAX_FACTOR:g} kg CO2eq/kWh, not {intensity}", field="--intensity"
        )


def estimate(
    hardware: str,
    hours: float,
    *,
    provider: str | None = None,
    region: str | None = None,
    intensity_kg_per_kwh: float | None = None,
    devices: int = 1,
    precise: bool = False,
    pue: float | None = None,
) -> Estimate:
    """Estimate the emissions of `hours` on `devices` of `hardware`.

    Parameters
    ----------
    hardware
        A name of `gpus.csv`, matched forgivingly.
    hours
        Hours per device; the calculator's device-hours are ``hours * devices``.
    provider, region
        A cloud region of `impact.csv` (both or neither).
    intensity_kg_per_kwh
        Grid intensity instead of a cloud region ("private infrastructure" in the
        calculator); nothing is assumed offset.
    devices
        Number of devices of that hardware used in parallel.
    precise
        No rounding, no integer truncation of the intensity; allows `pue`.
    pue
        Power usage effectiveness multiplying the energy (precise mode only).

    Returns
    -------
    Estimate

    Raises
    ------
    BmzcardError
        On unknown or ambiguous names, negative hours, or a missing or doubled
        location.
    """
    _check_inputs(hours, devices, pue, intensity_kg_per_kwh)
    if pue is not None and not precise:
        raise BmzcardError("--pue needs --precise: the calculator itself has no PUE term", field="--pue")
    if intensity_kg_per_kwh is not None and (provider or region):
        raise BmzcardError("give either --intensity or --provider/--region, not both", field="--intensity")
    if intensity_kg_per_kwh is None and not (provider and region):
        raise BmzcardError(
            "give --provider and --region (a cloud region), or --intensity KG_PER_KWH "
            "(your grid's carbon intensity)",
            field="--region" if provider else "--provider",
        )

    hw = find_hardware(hardware)
    tdp_w = float(hw.tdp_text)
    device_hours = hours * devices
    where = None if intensity_kg_per_kwh is not None else find_region(provider or "", region or "")
    offset_percent = 0.0 if where is None else float(where.offset_ratio_text)

    if precise:
        energy = tdp_w * device_hours * (pue or 1.0) / 1000
        intensity = intensity_kg_per_kwh if where is None else float(where.impact_text) / 1000
        co2 = energy * intensity
        offset = co2 * offset_percent / 100
        method = (
            "precise: energy = TDP x device-hours"
            + (f" x PUE {pue}" if pue else " (no PUE)")
            + " / 1000; emissions = energy x intensity; no rounding"
            + ("" if where is None else ", full intensity of the data")
        )
    else:
        energy = js_to_fixed(tdp_w * device_hours / 1000)
        intensity = (
            intensity_kg_per_kwh
            if where is None
            else js_to_fixed(js_parse_int(where.impact_text) / 1000)
        )
        co2 = js_to_fixed(energy * intensity)
        offset = js_to_fixed(co2 * offset_percent / 100)
        method = (
            "ML CO2 Impact calculator: energy = TDP x device-hours / 1000, "
            "emissions = energy x intensity, each rounded to 2 decimals as the calculator does"
        )
    method += f"; device-hours = {hours:g} h x {devices} device(s)"
    if where is None:
        method += "; custom intensity, no offset assumed"

    return Estimate(
        hardware=hw.name,
        hardware_kind=hw.kind,
        tdp_w=tdp_w,
        devices=devices,
        hours_per_device=hours,
        hours=device_hours,
        provider=None if where is None else where.provider,
        provider_name=None if where is None else where.provider_name,
        region=None if where is None else where.id,
        region_place=None if where is None else where.place,
        energy_kwh=energy,
        intensity_kg_per_kwh=intensity,
        co2_kg=co2,
        offset_kg=offset,
        offset_percent=offset_percent,
        pue=pue,
        precise=precise,
        method=method,
    )
