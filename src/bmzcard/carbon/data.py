"""The ML CO2 Impact calculator's tables, bundled in `data/` (see `data/NOTICE.md`).

Values are kept as the CSV text gives them; the calculator's own parsing
(`parseFloat` of the TDP, `parseInt` of the intensity) happens in
`bmzcard.carbon.calculator`, so that the precise mode can use the full values.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

SOURCE_REPO = "https://github.com/mlco2/impact"
SOURCE_COMMIT = "d0d3ee5a71ea222ac344a94900642ed2ce649af4"
CALCULATOR_URL = "https://mlco2.github.io/impact#compute"
CITATION = (
    "Lacoste, A., Luccioni, A., Schmidt, V., Dandres, T. (2019). "
    "Quantifying the Carbon Emissions of Machine Learning. arXiv:1910.09700"
)


@dataclass(frozen=True)
class Hardware:
    """One row of `gpus.csv`."""

    name: str
    kind: str  # gpu, cpu or tpu
    tdp_text: str  # `tdp_watts` as written; TPU rows are average draw, not TDP


@dataclass(frozen=True)
class Region:
    """One row of `impact.csv`."""

    provider: str  # short code: gcp, aws, azure, ...
    provider_name: str
    code: str  # empty for Scaleway's only region
    name: str  # `regionName`; empty for gcp
    country: str
    state: str
    city: str
    impact_text: str  # gCO2eq/kWh as written, e.g. "566.3"
    offset_ratio_text: str  # percent of emissions offset by the provider
    pue_text: str  # datacenter PUE where the data has one

    @property
    def id(self) -> str:
        """The region's code, or its name where it has no code (Scaleway "Paris")."""
        return self.code or self.name

    @property
    def place(self) -> str:
        """City, state, country as far as known."""
        return ", ".join(part.strip(" ,") for part in (self.city, self.state, self.country) if part.strip(" ,"))


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("bmzcard.carbon").joinpath("data", filename).read_text(encoding="utf-8")
    reader = csv.reader(text.splitlines())
    header = [name.strip() for name in next(reader)]
    # A short row (A10G lacks a field) leaves its last columns empty, like the
    # calculator's CSV parser does; it only reads columns before the gap.
    return [
        {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
        for row in reader
        if row
    ]


@functools.cache
def hardware() -> dict[str, Hardware]:
    """All hardware of `gpus.csv`, by name, in file order."""
    return {
        row["name"]: Hardware(row["name"], row["type"], row["tdp_watts"]) for row in _rows("gpus.csv")
    }


@functools.cache
def regions() -> dict[str, dict[str, Region]]:
    """All cloud regions of `impact.csv`: provider code -> region id -> region."""
    table: dict[str, dict[str, Region]] = {}
    for row in _rows("impact.csv"):
        region = Region(
            provider=row["provider"],
            provider_name=row["providerName"],
            code=row["region"],
            name=row["regionName"],
            country=row["country"],
            state=row["state"],
            city=row["city"],
            impact_text=row["impact"],
            offset_ratio_text=row["offsetRatio"],
            pue_text=row["PUE"],
        )
        table.setdefault(region.provider, {})[region.id] = region
    return table
