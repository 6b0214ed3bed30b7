"""bmzcard.Card: one card model that reads and writes byte for byte where nothing changed."""

from __future__ import annotations

import pytest

import bmzcard
from bmzcard.errors import BmzcardError


def _real_cards(shared):
    cards = sorted((shared / "bmz" / "cards").glob("*.md"))
    return cards + [shared / "spec" / "model-card-template.md",
                    shared / "bmz" / "packages" / "unet2d_nuclei_broad" / "README.md"]


def test_every_real_card_reads_and_writes_byte_for_byte(shared, tmp_path):
    cards = _real_cards(shared)
    assert len(cards) > 40
    for path in cards:
        original = path.read_bytes()
        card = bmzcard.Card.read(path)
        assert card.text.encode("utf-8") == original, path.name
        copy = tmp_path / path.name
        assert card.write(copy) is None  # nothing replaced
        assert copy.read_bytes() == original, path.name


@pytest.mark.parametrize("text", [
    "# Title\r\n\r\n- **License:** MIT\r\n",  # Windows line endings
    "\ufeff# Title\n\nbody\n",  # a UTF-8 byte-order mark
    "# Title\n\nno final newline",
    "# Title\r\n\nmixed\r\nendings\n\n\n",
    "---\nlicense: mit\n---\n# Title\n",  # front matter
    "",
])
def test_line_endings_bom_and_final_newlines_survive(tmp_path, text):
    path = tmp_path / "README.md"
    path.write_bytes(text.encode("utf-8"))
    card = bmzcard.Card.read(path)
    assert card.text == text
    assert bmzcard.Card.parse(text).text == text
    assert card.write() is None
    assert path.read_bytes() == text.encode("utf-8")
    assert not list(tmp_path.glob("*.bak*"))


def test_the_template_parses_into_sections_and_fields(template_text):
    card = bmzcard.Card.parse(template_text)
    assert card.section("model_details").title == "Model Details"
    assert card.fields("model_description")["License"] == "*[License name and link]*"
    assert card.section("no_such_section") is None and card.fields("no_such_section") == {}


def test_front_matter_is_kept_apart_from_the_body():
    card = bmzcard.Card.parse("---\nlicense: mit\ntags: [a]\n---\n# My model\n")
    assert card.front_matter == "---\nlicense: mit\ntags: [a]\n---\n"
    assert card.section("title").title == "My model"


def test_writing_a_changed_card_keeps_a_backup_of_the_old_one(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("# Old\n", encoding="utf-8")
    card = bmzcard.Card.parse("# New\n")
    saved = card.write(path)
    assert saved == tmp_path / "README.md.bak"
    assert saved.read_text(encoding="utf-8") == "# Old\n"
    assert path.read_text(encoding="utf-8") == "# New\n"
    assert card.path == path


def test_a_card_not_read_from_a_file_needs_a_path():
    with pytest.raises(ValueError):
        bmzcard.Card.parse("# x\n").write()


def test_an_unreadable_card_is_one_clear_error(tmp_path):
    path = tmp_path / "README.md"
    path.write_bytes(b"\x00\x01binary")
    with pytest.raises(BmzcardError, match="binary"):
        bmzcard.Card.read(path)
