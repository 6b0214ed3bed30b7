"""The editor in Debian's chromium (playwright), with every request outside the editor refused."""

from __future__ import annotations

import difflib
import re

import pytest
from playwright.sync_api import expect

from .conftest import HUMAN_SECTION, RDF_EXTRA
from .served import served

TIMEOUT = 20_000  # ms; the machine running the tests may be busy
expect.set_options(timeout=TIMEOUT)  # assertions wait as long as actions (their default is 5 s)


@pytest.fixture
def editor_page(chromium, package):
    """The editor served on the example package, opened in a page that may reach only the editor."""
    from browser import guarded

    with served(package) as server:
        context = chromium.new_context()
        record = guarded(context, allow=(server.origin + "/",))
        record.page.set_default_timeout(TIMEOUT)
        record.page.goto(server.url)
        yield record, server, package
        context.close()


def _changed(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_fill_check_restore_and_save_in_the_browser(editor_page):
    record, server, package = editor_page
    page = record.page
    card, rdf = package / "README.md", package / "rdf.yaml"
    card_before, rdf_before = card.read_text(encoding="utf-8"), rdf.read_text(encoding="utf-8")
    assert page.url == server.origin + "/"  # the token left the address bar for a cookie
    preview = page.get_by_role("region", name="Preview")
    findings = page.get_by_role("region", name="Findings")
    frame = page.frame_locator("#preview-frame")

    # fill "Funded by" and see it in the preview
    page.get_by_label("Funded by", exact=True).fill("EU Horizon 2020, grant 123456")
    expect(frame.get_by_text("EU Horizon 2020, grant 123456")).to_be_visible()
    expect(preview).to_be_visible()
    expect(page.locator("#status")).to_have_attribute("data-dirty", "true")

    # clear "License": the finding appears, linked to its field; restore it: the finding goes
    license_box = page.get_by_label("License", exact=True)
    license_value = license_box.input_value()
    assert "MIT" in license_value
    expect(findings).not_to_contain_text("'License'")
    license_box.fill("")
    finding = findings.get_by_role("listitem").filter(has_text="'License'")
    expect(finding).to_have_count(1)
    finding.get_by_role("link").click()
    expect(license_box).to_be_focused()
    license_box.fill(license_value)
    expect(findings).not_to_contain_text("'License'")

    # save: README and RDF hold the change, every other byte unchanged
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#message")).to_contain_text("Saved: README.md")
    expect(page.locator("#status")).to_have_attribute("data-dirty", "false")
    card_after, rdf_after = card.read_text(encoding="utf-8"), rdf.read_text(encoding="utf-8")
    assert _changed(card_before, card_after) == [
        "-- **Funded by:** TODO *[Funding agency, grant number if applicable]*",
        "+- **Funded by:** EU Horizon 2020, grant 123456",
    ]
    assert _changed(rdf_before, rdf_after) == ["+    funded_by: EU Horizon 2020, grant 123456"]
    assert HUMAN_SECTION in card_after and RDF_EXTRA in rdf_after

    # offline: nothing but the editor itself was requested, and no dialog opened
    assert record.refused == [] and record.dialogs == []
    assert all(url.startswith((server.origin + "/", "data:", "about:")) for url in record.requested)


def test_undo_redo_per_field_and_the_warning_before_leaving(editor_page):
    record, server, package = editor_page
    page = record.page
    box = page.get_by_label("Shared by", exact=True)
    box.click()
    page.keyboard.type("The bmzcard team")
    page.wait_for_timeout(700)  # a pause in typing: the history takes a step
    page.keyboard.type(" and friends")
    page.wait_for_timeout(700)
    page.get_by_role("button", name="Undo Shared by").click()
    expect(box).to_have_value("The bmzcard team")
    page.get_by_role("button", name="Undo Shared by").click()
    expect(box).to_have_value("")
    page.get_by_role("button", name="Redo Shared by").click()
    expect(box).to_have_value("The bmzcard team")
    frame = page.frame_locator("#preview-frame")
    expect(frame.get_by_text("The bmzcard team")).to_be_visible()  # undo goes through the live update too
    expect(page.locator("#status")).to_have_attribute("data-dirty", "true")
    assert "The bmzcard team" in (package / "README.md.bmzcard-draft.json").read_text(encoding="utf-8")
    page.close(run_before_unload=True)  # leaving with unsaved changes asks first
    page.wait_for_timeout(500)
    assert [d for d in record.dialogs if d.startswith("beforeunload")], record.dialogs


def test_markdown_view_of_a_section_and_of_the_whole_card(editor_page):
    record, server, package = editor_page
    page = record.page
    section = page.locator("#sec-s-downstream_use")
    section.get_by_role("button", name="Markdown view of Downstream Use").click()
    markdown = page.get_by_label("Markdown of Downstream Use")
    expect(markdown).to_have_value(re.compile(r"^TODO \*Explain how this model"))
    markdown.fill("Fine-tune the decoder on **your** images.")
    frame = page.frame_locator("#preview-frame")
    expect(frame.locator("strong", has_text="your")).to_be_visible()
    page.locator("#sec-s-downstream_use").get_by_role("button", name="Form view of Downstream Use").click()
    expect(page.get_by_role("textbox", name="Downstream Use", exact=True)).to_have_value("Fine-tune the decoder on **your** images.")
    page.get_by_role("group", name="View").get_by_role("button", name="Markdown").click()
    whole = page.get_by_label("Card Markdown")
    expect(whole).to_have_value(re.compile(r"## Downstream Use\n\nFine-tune the decoder on \*\*your\*\* images\."))
    assert record.refused == []


def test_the_reviewer_view_in_the_browser(chromium, package):
    from browser import guarded

    with served(package, "--review") as server:
        context = chromium.new_context(accept_downloads=True)
        record = guarded(context, allow=(server.origin + "/",))
        page = record.page
        page.set_default_timeout(TIMEOUT)
        page.goto(server.url)
        expect(page.get_by_role("region", name="Findings")).to_contain_text("'Funded by'")
        assert page.locator("textarea").count() == 0  # nothing to edit
        page.get_by_label(re.compile(r"^Note on P002 line \d+$")).first.fill("Please name the grant.")
        page.get_by_role("button", name="Export checklist").click()
        checklist = page.get_by_label("Checklist (Markdown)")
        expect(checklist).to_have_value(re.compile(r"^# Review checklist: bmzcard Example Nuclei U-Net"))
        expect(checklist).to_have_value(re.compile(r"Reviewer: Please name the grant\."))
        with page.expect_download() as download:
            page.get_by_role("link", name="Download review-checklist.md").click()
        assert download.value.suggested_filename == "review-checklist.md"
        assert record.refused == []
        context.close()
