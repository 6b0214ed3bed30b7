"""The template as a form, and form edits as line edits of the card."""

from __future__ import annotations

import pytest

from bmzcard.card.layout import blank_card
from bmzcard.edit.form import apply_edit, build_form, card_value, field_at, finding_target
from bmzcard.errors import BmzcardError
from bmzcard.sources.readme import parse_card
from bmzcard.template import TEMPLATE

from .conftest import HUMAN_SECTION


def _changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    import difflib

    return [(line[0], line[1:]) for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:1] in "+-"]


def test_every_template_field_is_a_labelled_control_with_its_guidance(package):
    sections = build_form(parse_card((package / "README.md").read_text(encoding="utf-8")))
    controls = {c.id: c for s in sections for c in s.controls}
    for section in TEMPLATE.sections:
        for field in section.fields:
            control = controls[f"f:{section.key}.{field.key}"]
            assert control.label == field.label  # the template's label, the text box's accessible name
            assert control.guidance == field.guidance  # help beside it, not in the value
    funded = controls["f:model_description.funded_by"]
    assert funded.value == "" and funded.present  # a TODO placeholder is shown as an empty box
    assert controls["f:task_details.task_type"].value == "semantic segmentation"
    # the author's own section is in the form, after the template section it follows
    titles = [s.title for s in sections]
    assert titles.index("Notes from the lab") == titles.index("Direct Use") + 1


def test_provenance_shown_while_the_value_is_still_bmzcards(package):
    from bmzcard.edit.app import _provenance  # the sidecar in words

    class Session:
        card = package / "README.md"
        rdf_name = "rdf.yaml"

    provenance = _provenance(Session())
    document = parse_card((package / "README.md").read_text(encoding="utf-8"))
    controls = {c.id: c for s in build_form(document, provenance=provenance) for c in s.controls}
    assert controls["f:task_details.task_type"].provenance == "from rdf.yaml: config.bioimageio.task"
    edited = parse_card(apply_edit(document.text, "f:task_details.task_type", "instance segmentation"))
    controls = {c.id: c for s in build_form(edited, provenance=provenance) for c in s.controls}
    assert controls["f:task_details.task_type"].provenance == ""  # now the author's


def test_a_field_edit_changes_only_that_field(package):
    text = (package / "README.md").read_text(encoding="utf-8")
    after = apply_edit(text, "f:model_description.funded_by", "EU grant 123")
    assert _changed_lines(text, after) == [
        ("-", " - **Funded by:** TODO *[Funding agency, grant number if applicable]*"),
        ("+", " - **Funded by:** EU grant 123"),
    ]


def test_clearing_a_field_restores_its_placeholder_and_refilling_restores_the_bytes(package):
    text = (package / "README.md").read_text(encoding="utf-8")
    license_value = card_value(parse_card(text), "model_description.license")
    cleared = apply_edit(text, "f:model_description.license", "  ")
    assert card_value(parse_card(cleared), "model_description.license") == "TODO *[License name and link]*"
    assert apply_edit(cleared, "f:model_description.license", license_value) == text


def test_prose_edit_replaces_the_body_and_keeps_the_blank_lines_around_it(package):
    text = (package / "README.md").read_text(encoding="utf-8")
    after = apply_edit(text, "s:downstream_use", "Fine-tune it on your data.\n\nThen check it.")
    assert "## Downstream Use\n\nFine-tune it on your data.\n\nThen check it.\n\n## Out-of-Scope Use" in after
    assert HUMAN_SECTION in after


def test_the_authors_own_section_is_edited_by_id(package):
    text = (package / "README.md").read_text(encoding="utf-8")
    document = parse_card(text)
    section = next(s for s in build_form(document) if s.title == "Notes from the lab")
    after = apply_edit(text, section.id, "New notes.")
    assert "### Notes from the lab\n\nNew notes.\n\n## Downstream Use" in after


def test_multiline_field_value_stays_inside_its_list_item():
    text = blank_card()
    after = apply_edit(text, "f:training_data.size", "120 images\n40 volumes")
    assert card_value(parse_card(after), "training_data.size") == "120 images\n40 volumes"


def test_a_missing_field_is_added_where_the_template_puts_it():
    text = "# My model\n\nA model.\n\n# Model Details\n\n## Model Description\n\n- **Developed by:** Us\n"
    after = apply_edit(text, "f:model_description.license", "MIT")
    document = parse_card(after)
    assert card_value(document, "model_description.license") == "MIT"
    assert card_value(document, "model_description.developed_by") == "Us"
    labels = [item.label for item in document.fields_of(document.section("model_description"))]
    assert labels.index("License") > labels.index("Developed by")


def test_whole_card_and_title_edits():
    text = blank_card()
    assert apply_edit(text, "card", "# X\r\n\r\nY\r\n") == "# X\n\nY\n"
    named = apply_edit(text, "title", "Nuclei U-Net\nsecond line")
    assert parse_card(named).section("title").title == "Nuclei U-Net second line"


@pytest.mark.parametrize("control", ["../../etc/passwd", "f:nope.field", "s:nope", "h:7", "f:x", "<script>"])
def test_unknown_controls_are_refused(control):
    with pytest.raises(BmzcardError):
        apply_edit(blank_card(), control, "value")


def test_a_finding_links_to_its_field_or_section(package):
    document = parse_card((package / "README.md").read_text(encoding="utf-8"))
    item = next(f for f in document.fields if f.label == "Funded by")
    assert field_at(document, item.start) == "f:model_description.funded_by"
    assert field_at(document, document.section("direct_use").body_start) == "s:direct_use"
    assert field_at(document, document.section("title").line) == "title"
    assert finding_target("f:model_description.funded_by") == "ctl-f-model_description-funded_by"
    assert finding_target("s:model_description") == "sec-s-model_description"  # a section of fields
    assert finding_target("s:direct_use") == "ctl-s-direct_use"  # a prose section's text box
