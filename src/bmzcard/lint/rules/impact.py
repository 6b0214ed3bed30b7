"""Environmental impact rules: the numbers a carbon estimate needs, and the estimate itself."""

from __future__ import annotations

import re
from typing import Iterator

from bmzcard.card.placeholders import is_placeholder_value
from bmzcard.errors import BmzcardError
from bmzcard.lint.findings import Severity, Violation
from bmzcard.lint.rule import CardContext, Rule
from bmzcard.lint.rules.consistency import card_co2_kg
from bmzcard.sources.readme import FieldItem

_HOURS = re.compile(
    r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>h\b|hrs?\b|hours?\b|days?\b|d\b|min(?:utes?)?\b|weeks?\b)", re.IGNORECASE
)
_HOURS_PER = {"h": 1.0, "hr": 1.0, "hrs": 1.0, "hour": 1.0, "hours": 1.0, "d": 24.0, "day": 24.0, "days": 24.0,
              "min": 1 / 60, "minute": 1 / 60, "minutes": 1 / 60, "week": 168.0, "weeks": 168.0}
_DEVICES = re.compile(r"^\s*(?P<count>\d+)\s*(?:x|×|\*)\s*", re.IGNORECASE)
_NUMBER_WORDS = re.compile(r"^\s*(?P<count>one|two|three|four|five|six|seven|eight)\b", re.IGNORECASE)
_WORD_COUNTS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
# Relative difference between the card's carbon figure and the estimate that is still rounding.
TOLERANCE = 0.1


def _value(card: CardContext, key: str) -> FieldItem | None:
    item = card.field("environmental_impact", key)
    return item if item is not None and not is_placeholder_value(item.value) else None


_BARE_NUMBER = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*$")


def parse_hours(text: str) -> float | None:
    """Hours in a text such as "72 hours", "3 days", "90 min", or a bare "4" (the field counts hours).

    None for text without a number in a unit, such as "about a week".
    """
    match = _HOURS.search(text)
    if match is not None:
        return float(match["number"]) * _HOURS_PER[match["unit"].lower()]
    bare = _BARE_NUMBER.match(text)
    return float(bare["number"]) if bare else None


def parse_hardware(text: str) -> tuple[str, int]:
    """The hardware name and device count of "4x NVIDIA RTX 2080 Ti" or "four Tesla V100"."""
    match = _DEVICES.match(text) or _NUMBER_WORDS.match(text)
    if match is None:
        return text.strip(), 1
    count = match["count"].lower()
    devices = int(count) if count.isdigit() else _WORD_COUNTS[count]
    name = re.sub(r"\bGPUs?\b", "", text[match.end() :]).strip(" ,.")
    return name, devices


class CarbonWithoutBasis(Rule):
    """What it does
    ------------
    Reports a `Carbon Emitted` figure when the card does not also give the
    `Hardware Type` and `Hours used` it was computed from.

    Why is this bad?
    ----------------
    A carbon figure nobody can recompute cannot be checked or compared; the
    ML CO2 Impact method needs hardware, hours and region.

    Example
    -------
    ```markdown
    # Environmental Impact

    - **Hardware Type:** *[GPU/CPU specifications]*
    - **Hours used:** *[Total compute hours]*
    - **Carbon Emitted:** 4.2 kg CO2eq
    ```

    Use instead
    -----------
    ```markdown
    # Environmental Impact

    - **Hardware Type:** 1x NVIDIA Tesla V100-SXM2-16GB
    - **Hours used:** 30 hours
    - **Carbon Emitted:** 4.2 kg CO2eq
    ```
    """

    name = "carbon-without-basis"
    family = "impact"
    severity = Severity.WARNING
    summary = "Carbon emitted is given without the hardware and hours behind it."

    def check(self, card: CardContext) -> Iterator[Violation]:
        carbon = _value(card, "carbon_emitted")
        if carbon is None:
            return
        missing = [label for key, label in (("hardware_type", "Hardware Type"), ("hours_used", "Hours used"))
                   if _value(card, key) is None]
        if missing:
            yield Violation(carbon.start, f"carbon emitted is given without {' and '.join(missing)}")


class CarbonUnit(Rule):
    """What it does
    ------------
    Reports a `Carbon Emitted` value with a number but no mass unit (kg, g,
    t) recognised.

    Why is this bad?
    ----------------
    "Carbon Emitted: 12" may mean grams or kilograms; the two differ a
    thousandfold.

    Example
    -------
    ```markdown
    # Environmental Impact

    - **Carbon Emitted:** 12.5
    ```

    Use instead
    -----------
    `- **Carbon Emitted:** 12.5 kg CO2eq`
    """

    name = "carbon-unit"
    family = "impact"
    severity = Severity.WARNING
    summary = "Carbon emitted is a number without a unit."

    def check(self, card: CardContext) -> Iterator[Violation]:
        carbon = _value(card, "carbon_emitted")
        if carbon is not None and re.search(r"\d", carbon.value) and card_co2_kg(carbon.value) is None:
            yield Violation(carbon.start, f"carbon emitted {carbon.value.strip()!r} has no unit (kg CO2eq)")


class CarbonEstimateMismatch(Rule):
    """What it does
    ------------
    When the card states hardware, hours, cloud provider and compute region,
    recomputes the emissions as the ML CO2 Impact calculator does (TDP x hours
    x the region's carbon intensity; `bmzcard carbon`) and reports a `Carbon
    Emitted` figure more than 10 % away from the estimate.

    Why is this bad?
    ----------------
    The figure is the one number of the section readers compare across
    models; arithmetic slips and unit mix-ups (g for kg, minutes for hours)
    are common.

    Example
    -------
    ```markdown
    # Environmental Impact

    - **Hardware Type:** Tesla V100-SXM2-16GB
    - **Hours used:** 100 hours
    - **Cloud Provider:** gcp
    - **Compute Region:** us-central1
    - **Carbon Emitted:** 30 kg CO2eq
    ```

    Use instead
    -----------
    The calculator's 14.25 kg CO2eq (`bmzcard carbon --hardware
    "Tesla V100-SXM2-16GB" --hours 100 --provider gcp --region us-central1`).
    """

    name = "carbon-estimate-mismatch"
    family = "impact"
    severity = Severity.WARNING
    summary = "Carbon emitted disagrees with the ML CO2 Impact estimate."

    def check(self, card: CardContext) -> Iterator[Violation]:
        fields = {k: _value(card, k) for k in
                  ("hardware_type", "hours_used", "cloud_provider", "compute_region", "carbon_emitted")}
        if any(item is None for item in fields.values()):
            return
        stated = card_co2_kg(fields["carbon_emitted"].value)
        hours = parse_hours(fields["hours_used"].value)
        if stated is None or hours is None:
            return
        from bmzcard.carbon import estimate

        hardware, devices = parse_hardware(fields["hardware_type"].value)
        try:
            result = estimate(
                hardware,
                hours / devices,  # "Hours used" counts compute hours over all devices
                provider=fields["cloud_provider"].value.strip(),
                region=fields["compute_region"].value.strip(),
                devices=devices,
            )
        except BmzcardError:
            return  # hardware or region the calculator does not know: nothing to compare
        kg = stated[0]
        if abs(kg - result.co2_kg) > max(TOLERANCE * result.co2_kg, 0.01):
            yield Violation(
                fields["carbon_emitted"].start,
                f"carbon emitted {fields['carbon_emitted'].value.strip()!r}; the ML CO2 Impact estimate for "
                f"{devices} x {result.hardware}, {hours:g} h in {result.provider}/{result.region} is "
                f"{result.co2_kg:g} kg CO2eq",
            )
