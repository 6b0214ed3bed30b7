"""`bmzcard check --fix`: mechanical repairs that never touch what a card says.

Fixed, in this order: a missing space after heading marks (`#Title`); in cards
built on the template, heading levels (template sections to their template
level, other headings to at most one below the heading before) and the order of
template sections (each moves with everything under it, up to the next template
section); table shape and alignment; and whitespace. Words, numbers and links are never changed. Each
fixed file keeps a `.bak` copy, and the diff is shown; a card's provenance sidecar
records bmzcard's values as the fix left them.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import TextIO

from bmzcard.errors import BmzcardError
from bmzcard.lint.inputs import Target, card_name
from bmzcard.outputs.files import atomic_write, backup
from bmzcard.outputs.provenance import commit_card, sidecar_after_edit
from bmzcard.sources.sidecar import read_sidecar
from bmzcard.sources.rdf import read_raw
from bmzcard.lint.rule import guidance_index, guidance_key
from bmzcard.lint.rules.structure import is_hard_break, longest_ordered_run, no_space_heading, table_cells
from bmzcard.sources.readme import CardDocument, parse_card, read_card
from bmzcard.template import TEMPLATE

_ATX = re.compile(r"^(?P<indent> {0,3})(?P<marks>#{1,6})(?P<rest>(?:[ \t].*)?)$")
_DELIMITER_CELL = re.compile(r"^:?-+:?$")


def fix_text(text: str) -> str:
    """The card with the mechanical fixes applied (the same text when nothing needs fixing)."""
    document = parse_card(_fix_heading_spaces(parse_card(text)))
    if follows_template(document):
        document = parse_card(_fix_heading_levels(document))
        document = parse_card(_fix_order(document))
    document = _fix_tables(document)
    return _fix_whitespace(document)


def follows_template(document: CardDocument) -> bool:
    """A card built on the template: 3 or more template sections besides the title, and most headings.

    Heading levels and order are only fixed in such cards; in a free-form card,
    moving a section that happens to share a template title would reshape the
    author's own outline.
    """
    known = sum(1 for h in document.headings if h.section_key not in (None, "title"))
    return known >= 3 and known * 2 >= len(document.headings)


def _fix_heading_spaces(document: CardDocument) -> str:
    """`#Title` -> `# Title`, outside code blocks."""
    lines = list(document.lines)
    headings = {h.line for h in document.headings}
    for index, line in enumerate(lines):
        if index not in headings and not document.in_code(index) and no_space_heading(line):
            marks = len(line) - len(line.lstrip(" ").lstrip("#"))
            lines[index] = f"{line[:marks]} {line[marks:]}"
    return _join(document, lines)


def _fix_heading_levels(document: CardDocument) -> str:
    lines = list(document.lines)
    previous = 0
    for heading in document.headings:
        match = _ATX.match(lines[heading.line])
        if heading.section_key is not None:
            level = TEMPLATE.section(heading.section_key).level
        else:
            level = min(heading.level, previous + 1) if previous else heading.level
        if match is not None and level != heading.level:
            lines[heading.line] = f"{match['indent']}{'#' * level}{match['rest']}"
        previous = level if match is not None else heading.level
    return _join(document, lines)


def _fix_order(document: CardDocument) -> str:
    """Move template sections (with their content) back into template order, when they are out of it."""
    order = {s.key: i for i, s in enumerate(TEMPLATE.sections)}
    starts = [h for h in document.headings if h.section_key is not None]
    if len(longest_ordered_run(starts, key=lambda h: order[h.section_key])) == len(starts):
        return document.text
    bounds = [h.line for h in starts] + [len(document.lines)]
    preamble = document.lines[: bounds[0]]
    blocks = []
    for heading, start, end in zip(starts, bounds, bounds[1:]):
        block = document.lines[start:end]
        while block and not block[-1].strip():
            block.pop()
        blocks.append((order[heading.section_key], block))
    lines = list(preamble)
    for _, block in sorted(blocks, key=lambda item: item[0]):
        lines += [*block, ""]
    return _join(document, lines)


def _fix_tables(document: CardDocument) -> CardDocument:
    lines = list(document.lines)
    guidance = guidance_index(TEMPLATE)
    for start, end in document.tables:
        if any(guidance_key(line) in guidance for line in lines[start:end]):
            continue  # the template's example table stays as written, so it is still recognised
        rows = [table_cells(line) for line in lines[start:end]]
        width = len(rows[0])
        if any(len(row) > width for row in rows) or len(rows) < 2:
            continue  # never drop a cell: a wider row needs a person's decision
        rows = [row + [""] * (width - len(row)) for row in rows]
        rows[1] = [cell if _DELIMITER_CELL.match(cell) else "---" for cell in rows[1]]
        sizes = [max(3, *(len(row[i]) for j, row in enumerate(rows) if j != 1)) for i in range(width)]
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        for offset, row in enumerate(rows):
            if offset == 1:
                cells = [_delimiter(cell, size) for cell, size in zip(row, sizes)]
            else:
                cells = [cell.ljust(size) for cell, size in zip(row, sizes)]
            lines[start + offset] = f"{indent}| {' | '.join(cells)} |"
    return parse_card(_join(document, lines))


def _delimiter(cell: str, size: int) -> str:
    left, right = cell.startswith(":"), cell.endswith(":")
    dashes = "-" * (size - left - right)
    return f"{':' if left else ''}{dashes}{':' if right else ''}"


def _fix_whitespace(document: CardDocument) -> str:
    lines: list[str] = []
    for index, line in enumerate(document.lines):
        if document.in_code(index):
            lines.append(line)
            continue
        if not line.strip():
            if lines and not lines[-1].strip() and not document.in_code(index - 1):
                continue  # one blank line is enough between blocks
            lines.append("")
            continue
        following = document.lines[index + 1] if index + 1 < len(document.lines) else ""
        lines.append(line if is_hard_break(line, following) else line.rstrip())
    while lines and not lines[-1].strip():
        lines.pop()
    document.trailing_newline = True
    return _join(document, lines)


def _join(document: CardDocument, lines: list[str]) -> str:
    text = document.newline.join(lines)
    return text + document.newline if lines else text


def card_path(target: Target) -> Path | None:
    """The card file of a target on disk; None for a card inside a zip."""
    if target.kind == "card":
        return Path(target.path)
    from bmzcard.sources.package import open_package

    package = open_package(target.path)
    if package.is_zip:
        return None
    return package.root / (target.card or card_name(package, read_raw(package)))


def fix_targets(targets: list[Target], show: TextIO) -> list[Path]:
    """Fix each target's card in place, keeping `<card>.bak`; print the diffs to `show`."""
    fixed = []
    for target in targets:
        try:
            path = card_path(target)
            if path is None:
                show.write(f"{target.path}: not fixed: a card inside a zip is read-only\n")
                continue
            before = read_card(path).text
        except BmzcardError:
            continue  # the check that follows reports why the card cannot be read
        try:
            read_sidecar(path)
        except BmzcardError as error:  # its provenance would be lost: the card is left as it is
            show.write(f"{path}: not fixed: {error}\n")
            continue
        after = fix_text(before)
        if after == before:
            continue
        show.writelines(
            difflib.unified_diff(
                before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"
            )
        )
        _write_fixed(path, before, after)
        fixed.append(path)
    return fixed


def _write_fixed(path: Path, before: str, after: str) -> None:
    """The fixed card, with a backup, and its sidecar following what the fix changed of bmzcard's values."""
    sidecar = read_sidecar(path)
    if sidecar:
        commit_card(path, after, sidecar_after_edit(sidecar, before, after), sidecar)
    else:
        backup(path)
        atomic_write(path, after)
