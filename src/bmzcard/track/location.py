"""Where a tracked run happens: a country or a cloud region, never guessed.

The grid's carbon intensity depends on the location, so `bmzcard track` needs
one: given as options, typed in when asked, or the command is refused. Names
are checked against codecarbon's own offline tables, which it will use.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from dataclasses import dataclass
from importlib import resources

import typer

from bmzcard.carbon.matching import resolve
from bmzcard.errors import BmzcardError


@dataclass(frozen=True)
class Location:
    """A country (ISO 3166-1 alpha-3) or a cloud provider and region, as codecarbon names them."""

    country_iso_code: str | None = None
    cloud_provider: str | None = None
    cloud_region: str | None = None

    def describe(self) -> str:
        if self.country_iso_code:
            return f"country {self.country_iso_code}"
        return f"{self.cloud_provider} {self.cloud_region}"

    def tracker_arguments(self) -> dict[str, str]:
        """Keyword arguments of codecarbon's `OfflineEmissionsTracker` for this location."""
        if self.country_iso_code:
            return {"country_iso_code": self.country_iso_code}
        return {"cloud_provider": self.cloud_provider or "", "cloud_region": self.cloud_region or ""}


def _countries() -> dict[str, str]:
    text = resources.files("codecarbon").joinpath("data/private_infra/global_energy_mix.json").read_text()
    return {code: entry.get("country_name", code) for code, entry in json.loads(text).items()}


def _cloud_regions() -> dict[str, dict[str, str]]:
    text = resources.files("codecarbon").joinpath("data/cloud/impact.csv").read_text(encoding="utf-8-sig")
    regions: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(text.splitlines()):
        regions.setdefault(row["provider"], {})[row["region"]] = row["regionName"] or row["region"]
    return regions


def resolve_country(text: str) -> Location:
    """A country by ISO3 code or English name ("DEU", "Germany")."""
    countries = _countries()
    code = resolve(text, {c: (c, name) for c, name in countries.items()}, what="country", field="--country")
    return Location(country_iso_code=code)


def resolve_cloud(provider: str, region: str) -> Location:
    """A cloud region known to codecarbon, by codes or display names."""
    regions = _cloud_regions()
    code = resolve(provider, {p: (p,) for p in regions}, what="provider", field="--provider")
    found = resolve(
        region,
        {r: (r, name) for r, name in regions[code].items()},
        what=f"region of {code}",
        field="--region",
    )
    return Location(cloud_provider=code, cloud_region=found)


def require_codecarbon() -> None:
    """Refuse, in one line saying how to install it, when codecarbon (the `track` extra) is missing."""
    if importlib.util.find_spec("codecarbon") is None:
        raise BmzcardError("bmzcard track needs codecarbon, which is not installed: pip install 'bmzcard[track]'")


def choose_location(country: str | None, provider: str | None, region: str | None) -> Location:
    """The location from the options, or asked for on a terminal.

    Raises
    ------
    BmzcardError
        If codecarbon is not installed, options conflict or are incomplete, or
        none are given and stdin is not a terminal (nothing is assumed).
    """
    require_codecarbon()  # its tables name the locations
    if country and (provider or region):
        raise BmzcardError("give either --country or --provider/--region, not both", field="--country")
    if country:
        return resolve_country(country)
    if provider or region:
        if not (provider and region):
            raise BmzcardError("give both --provider and --region", field="--region" if provider else "--provider")
        return resolve_cloud(provider, region)
    if not sys.stdin.isatty():
        raise BmzcardError(
            "where does this run? give --country ISO3 (e.g. DEU) or --provider P --region R; "
            "bmzcard does not guess a location",
            field="--country",
        )
    answer = typer.prompt("Country (ISO3 code or name, e.g. DEU) or cloud PROVIDER/REGION (e.g. gcp/us-central1)")
    if "/" in answer:
        provider, _, region = answer.partition("/")
        return resolve_cloud(provider.strip(), region.strip())
    return resolve_country(answer.strip())
