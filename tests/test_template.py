"""The template described in code is the template in shared/spec, heading by heading."""

from __future__ import annotations

import re

from bmzcard.card.layout import blank_card
from bmzcard.sources.readme import parse_card
from bmzcard.template import TEMPLATE, SectionKind

HEADING = re.compile(r"^(#{1,6}) (.+)$")


def _spec_headings(template_text: str) -> list[tuple[int, str]]:
    """Headings of the spec from the card's own title on (the file's H1 is its name)."""
    headings = [(len(m[1]), m[2].strip()) for line in template_text.splitlines() if (m := HEADING.match(line))]
    return headings[1:]


def test_sections_are_the_spec_headings_in_order(template_text):
    assert [(s.level, s.title) for s in TEMPLATE.sections] == _spec_headings(template_text)


def test_every_field_label_and_guidance_is_in_the_spec(template_text):
    spec_fields = re.findall(r"^- \*\*(.+?):\*\* \*\[(.+?)\]\*$", template_text, flags=re.M)
    ours = [(f.label, f.guidance) for s in TEMPLATE.sections for f in s.fields]
    assert ours == spec_fields


def test_every_guidance_line_is_a_spec_line(template_text):
    spec_lines = set(template_text.splitlines())
    for section in TEMPLATE.sections:
        for line in (*section.guidance, *section.static_body):
            assert line in spec_lines, (section.key, line)


def test_glossary_entries_are_static_not_fields(template_text):
    glossary = TEMPLATE.section("glossary")
    assert glossary.kind is SectionKind.STATIC and not glossary.fields
    assert "- **Voxel:** *3D pixel representing volume element*" in glossary.static_body


def test_blank_card_has_exactly_the_spec_headings(template_text):
    card = parse_card(blank_card())
    assert [(h.level, h.title) for h in card.headings] == _spec_headings(template_text)
    assert all(h.section_key for h in card.headings)


def test_blank_card_marks_every_field_todo():
    card = parse_card(blank_card())
    labels = [item.label for item in card.fields if item.heading.section_key != "glossary"]
    assert labels == [f.label for s in TEMPLATE.sections for f in s.fields]
    assert all(item.value.startswith("TODO *[") for item in card.fields if item.heading.section_key != "glossary")


def test_table_of_contents_links_resolve_to_headings():
    card = parse_card(blank_card())
    anchors = {TEMPLATE.section(h.section_key).anchor for h in card.headings}
    links = re.findall(r"\]\((#[^)]+)\)", "\n".join(card.body(card.section("table_of_contents"))))
    assert len(links) == 9 and set(links) <= anchors


def test_requirement_weights_order():
    from bmzcard.template import Requirement

    assert Requirement.REQUIRED.weight > Requirement.RECOMMENDED.weight > Requirement.OPTIONAL.weight
    assert TEMPLATE.field("model_description.license").requirement is Requirement.REQUIRED
