"""`--fix`: mechanical repairs only, idempotent, never touching words or code."""

from __future__ import annotations

from bmzcard.card.layout import blank_card
from bmzcard.lint.fix import fix_text

from .conftest import check_text, pairs

TEMPLATE_CARD = """# My Model

Summary.

# Uses

## Direct Use

Run it.

# Model Details

### Model Description

- **License:** MIT

## Model Sources

- **Repository:** https://github.com/x/y

# Task Details

- **Task type:** segmentation
"""


def test_levels_and_order_in_a_template_card():
    fixed = fix_text(TEMPLATE_CARD)
    assert pairs(check_text(fixed, select=["S002", "S003"])) == []
    assert fixed.index("# Model Details") < fixed.index("# Uses") < fixed.index("# Task Details")
    assert "\n## Model Description\n" in fixed
    # Nothing said is lost or changed.
    for line in TEMPLATE_CARD.splitlines():
        assert line.lstrip("#").strip() in fixed


def test_free_form_card_keeps_its_outline():
    text = "# Tool\n\n## Limitations\n\nSlow.\n\n## Training Details\n\nLong.\n\n## Usage\n\nRun.\n"
    assert fix_text(text) == text


def test_tables_are_padded_and_aligned_never_cut():
    text = "# M\n\n| Metric | Overall | Fixed |\n|:--|--:|:-:|\n| Dice | 0.91 ± 0.03 |\n"
    assert fix_text(text) == (
        "# M\n\n| Metric | Overall     | Fixed |\n| :----- | ----------: | :---: |\n| Dice   | 0.91 ± 0.03 |       |\n"
    )
    wider = "# M\n\n| a | b |\n|---|---|\n| 1 | 2 | 3 |\n"
    assert fix_text(wider) == wider


def test_whitespace_heading_space_and_code_blocks():
    text = "#Title\n\nLine with break  \nnext line. \n\n\n\n   \n```\ncode   \n\n\n```\nEnd"
    assert fix_text(text) == "# Title\n\nLine with break  \nnext line.\n\n```\ncode   \n\n\n```\nEnd\n"


def test_fix_is_idempotent_and_leaves_the_blank_card_alone():
    once = fix_text(TEMPLATE_CARD)
    assert fix_text(once) == once
    blank = blank_card()
    assert fix_text(blank) == blank


def test_windows_line_endings_are_kept():
    text = "# M\r\n\r\nText. \r\n"
    assert fix_text(text) == "# M\r\n\r\nText.\r\n"
