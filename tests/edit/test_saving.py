"""Save without loss: the output stage, the sidecar, the RDF byte for byte, conflicts and drafts."""

from __future__ import annotations

import difflib
import json

from bmzcard.edit.saving import AUTHOR_EDITS, draft_path

from .conftest import HUMAN_SECTION, RDF_EXTRA


def _diff(before: bytes, after: bytes) -> list[str]:
    return [line for line in difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(),
                                                  lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_save_writes_the_card_and_the_rdf_changing_only_the_edited_values(open_editor, package):
    card, rdf = package / "README.md", package / "rdf.yaml"
    card_before, rdf_before = card.read_bytes(), rdf.read_bytes()
    editor = open_editor(package)
    editor.update("f:model_description.funded_by", "EU Horizon 2020, grant 123")
    editor.update("s:known_biases", "Only synthetic nuclei.\n\n- no mitoses")
    response = editor.save()
    assert "Saved: README.md, backup README.md.bak, README.md.bmzcard.json, rdf.yaml (backup kept)" in response.text
    assert card.with_name("README.md.bak").read_bytes() == card_before
    assert rdf.with_name("rdf.yaml.bak").read_bytes() == rdf_before
    card_diff = _diff(card_before, card.read_bytes())
    assert card_diff[:2] == ["-- **Funded by:** TODO *[Funding agency, grant number if applicable]*",
                             "+- **Funded by:** EU Horizon 2020, grant 123"]
    assert all("Funded by" in line or "ynthetic" in line or "mitoses" in line or line in ("+", "-")
               for line in card_diff), card_diff
    text = card.read_text(encoding="utf-8")
    assert HUMAN_SECTION in text
    # the RDF: the two values, and nothing else, changed; comments and the unknown key kept
    rdf_after = rdf.read_text(encoding="utf-8")
    assert RDF_EXTRA in rdf_after
    removed = [line for line in _diff(rdf_before, rdf.read_bytes()) if line.startswith("-")]
    assert all(line.startswith("-      ") or line.startswith("-    known_biases") for line in removed), removed
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(rdf_after)
    assert data["config"]["bioimageio"]["funded_by"] == "EU Horizon 2020, grant 123"
    assert data["config"]["bioimageio"]["bias_risks_limitations"]["known_biases"] == \
        "Only synthetic nuclei.\n\n- no mitoses"
    assert data["config"]["bioimageio"]["lab_note"] == "kept as written"
    comments = [line for line in rdf_before.decode().splitlines() if "#" in line]
    assert comments == [line for line in rdf_after.splitlines() if "#" in line]  # every comment, in order
    assert not draft_path(card).exists()


def test_an_edited_value_becomes_the_authors_and_generate_keeps_it(open_editor, package):
    from bmzcard.outputs.card import generate_card

    card = package / "README.md"
    sidecar = json.loads(card.with_name("README.md.bmzcard.json").read_text(encoding="utf-8"))
    assert any(f["key"] == "model_description.model_type" for f in sidecar["facts"])
    editor = open_editor(package)
    editor.update("f:model_description.model_type", "Tiny two-level 2D U-Net")
    editor.save()
    sidecar = json.loads(card.with_name("README.md.bmzcard.json").read_text(encoding="utf-8"))
    assert not any(f["key"] == "model_description.model_type" for f in sidecar["facts"])
    assert "model_description.model_type" in sidecar[AUTHOR_EDITS]
    assert any(f["key"] == "task_details.task_type" for f in sidecar["facts"])  # untouched facts stay
    report = generate_card(package)
    assert "- **Model type:** Tiny two-level 2D U-Net" in card.read_text(encoding="utf-8")
    assert any(c.key == "model_description.model_type" and c.action == "kept" for c in report.changes)


def test_a_card_changed_on_disk_is_not_overwritten(open_editor, package):
    card = package / "README.md"
    editor = open_editor(package)
    editor.update("f:model_description.funded_by", "mine")
    card.write_text(card.read_text(encoding="utf-8") + "\nSomeone else's line.\n", encoding="utf-8")
    response = editor.save()
    assert "Not saved" in response.text and "Someone else&#39;s line." in response.text
    assert "Funded by:** mine" not in card.read_text(encoding="utf-8")
    assert draft_path(card).exists()  # the author's text is still kept
    # overwriting is a deliberate second step, for the version the author has seen
    sha = response.text.split('"overwrite": "')[1].split('"')[0]
    saved = editor.save(overwrite=sha)
    assert "Saved" in saved.text
    assert "Funded by:** mine" in card.read_text(encoding="utf-8")


def test_two_tabs_saving_one_wins_the_other_sees_the_conflict(open_editor, package):
    card = package / "README.md"
    first = open_editor(package)
    second = first.new_tab()
    first.update("f:model_description.funded_by", "first tab")
    second.update("f:model_description.shared_by", "second tab")
    assert "Saved" in first.save().text
    response = second.save()
    assert "Not saved" in response.text
    text = card.read_text(encoding="utf-8")
    assert "first tab" in text and "second tab" not in text


def test_unsaved_text_is_a_draft_restored_on_the_next_start(open_editor, package):
    card = package / "README.md"
    before = card.read_bytes()
    editor = open_editor(package)
    editor.update("f:model_description.funded_by", "typed, not saved")
    draft = json.loads(draft_path(card).read_text(encoding="utf-8"))  # complete JSON after every change
    assert "typed, not saved" in draft["text"]
    assert card.read_bytes() == before
    editor.client.close()  # the server is gone; a new one starts on the same card
    restarted = open_editor(package)
    assert "Unsaved changes from a draft were restored" in restarted.page
    assert "typed, not saved" in restarted.page
    assert 'data-dirty="true"' in restarted.page
    assert "Saved" in restarted.save().text
    assert "typed, not saved" in card.read_text(encoding="utf-8")
    assert not draft_path(card).exists()


def test_undoing_every_change_drops_the_draft(open_editor, package):
    card = package / "README.md"
    editor = open_editor(package)
    editor.update("f:model_description.funded_by", "x")
    assert draft_path(card).exists()
    editor.update("f:model_description.funded_by", "")
    assert not draft_path(card).exists()
    assert "Nothing to save" in editor.save().text


def test_an_rdf_that_does_not_validate_stops_the_save_before_any_write(open_editor, package):
    card, rdf = package / "README.md", package / "rdf.yaml"
    before = card.read_bytes()
    editor = open_editor(package)
    rdf.write_text(rdf.read_text(encoding="utf-8").replace("\nlicense: MIT", "\nlicense: [1, 2]", 1), encoding="utf-8")
    broken = rdf.read_bytes()  # changed on disk meanwhile, and invalid
    editor.update("f:model_description.funded_by", "someone")
    response = editor.save()
    assert 'class="error"' in response.text and "rdf.yaml: license" in response.text
    assert card.read_bytes() == before and rdf.read_bytes() == broken
    assert not card.with_name("README.md.bak").exists() and not rdf.with_name("rdf.yaml.bak").exists()
    assert draft_path(card).exists()  # the author's text waits in the draft


def test_the_reviewer_view_is_read_only(open_editor, package):
    card = package / "README.md"
    before = card.read_bytes()
    editor = open_editor(package, review=True)
    assert "Export checklist" in editor.page and "<textarea" not in editor.page
    response = editor.update("f:model_description.funded_by", "x")
    assert "read-only" in response.text
    assert "read-only" in editor.save().text
    assert card.read_bytes() == before and not draft_path(card).exists()
    # the checklist: the findings the reviewer picked, with notes, as Markdown
    response = editor.client.post("/checklist", data={"tab": editor.tab, "pick": ["0", "2"],
                                                      "note-2": "please  add it"}, headers=editor.headers)
    exported = editor.client.get("/checklist.md", params={"tab": editor.tab})
    assert exported.headers["content-type"].startswith("text/markdown")
    text = exported.text
    assert text.startswith("# Review checklist: bmzcard Example Nuclei U-Net\n")
    items = [line for line in text.splitlines() if line.startswith("- [ ] ")]
    assert len(items) == 2
    assert "  Reviewer: please add it" in text
    assert "completeness" in text
