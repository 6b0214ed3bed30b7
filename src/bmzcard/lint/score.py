"""The completeness score: how much of the template a card fills, weighted by requirement.

Each template section with content of its own counts. A section of fields
weighs the sum of its fields' weights (required 3, recommended 2, optional 1)
and scores the weight of the fields filled in; a prose or table section weighs
its requirement's weight and counts as filled when it holds anything but
guidance and placeholders. Sections that only group others and the template's
static text (table of contents, glossary) do not count.
"""

from __future__ import annotations

from dataclasses import dataclass

from bmzcard.card.placeholders import is_placeholder_body, is_placeholder_value
from bmzcard.lint.rule import CardContext
from bmzcard.sources.readme import Heading
from bmzcard.template import Section, SectionKind
from bmzcard.template.model import normalize_title


@dataclass(frozen=True)
class Completeness:
    """Filled weight over total weight, overall and per section key (each in [0, 1])."""

    overall: float
    sections: dict[str, float]


def completeness(card: CardContext) -> Completeness:
    """Score how much of the template a card fills.

    Parameters
    ----------
    card
        The card, parsed.

    Returns
    -------
    Completeness
        Overall and per-section fractions in [0, 1]; a section the card lacks scores 0.
    """
    filled_total = weight_total = 0
    sections: dict[str, float] = {}
    for section in card.template.sections:
        if section.kind in (SectionKind.HEADING, SectionKind.STATIC):
            continue
        heading = card.heading(section.key)
        if section.kind is SectionKind.FIELDS:
            values = {}
            if heading is not None:
                for item in card.document.fields_of(heading):
                    values.setdefault(normalize_title(item.label), item.value)
            weight = sum(f.requirement.weight for f in section.fields)
            filled = sum(
                f.requirement.weight
                for f in section.fields
                if not is_placeholder_value(values.get(normalize_title(f.label), ""))
            )
        else:
            weight = section.requirement.weight
            filled = weight if heading is not None and _has_content(card, heading, section) else 0
        sections[section.key] = filled / weight
        filled_total += filled
        weight_total += weight
    return Completeness(filled_total / weight_total if weight_total else 0.0, sections)


def _has_content(card: CardContext, heading: Heading, section: Section) -> bool:
    """A prose section is written when its body holds more than guidance, TODOs and rules."""
    if section.key == "title":
        # The title section's content is its heading (the model's name) and the summary below it.
        named = not is_placeholder_value(heading.title)
        return named and not is_placeholder_body(card.document.body(heading), section)
    body = card.document.body(heading)
    return any(line.strip() for line in body) and not is_placeholder_body(body, section)
