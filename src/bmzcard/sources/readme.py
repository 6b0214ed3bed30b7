"""Read a Markdown model card into headings and fields with their line spans.

The card is kept as its exact lines; the spans say where each heading, section
body and `- **Label:** value` field lies, so that `generate` can edit a human's
card in place (changing only what it fills) and `check` can report line numbers.
markdown-it-py does the parsing, so code blocks, setext headings and lists in
list items are understood as Markdown renderers see them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt

from bmzcard.errors import BmzcardError
from bmzcard.sources.package import refuse_link_outside
from bmzcard.template import TEMPLATE, Template

MAX_CARD_BYTES = 5_000_000

_FIELD_LABEL = re.compile(r"^\s*[-*+]\s+\*\*(?P<label>[^*\n]+?)\s*(?::\*\*|\*\*\s*:)\s?(?P<rest>.*)$")


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


@dataclass
class Heading:
    title: str
    level: int
    line: int  # first line of the heading (0-based)
    body_start: int  # first line after the heading
    body_end: int  # first line of the next heading, or end of document
    section_key: str | None = None  # the template section it is, if any


@dataclass
class FieldItem:
    """A top-level `- **Label:** value` list item."""

    label: str
    start: int
    end: int  # exclusive; trailing blank lines excluded
    value: str  # the text after the label, continuation lines dedented
    heading: Heading | None


@dataclass
class Link:
    """A link or image as rendered, with the line it starts on (0-based)."""

    kind: str  # "link" or "image"
    target: str  # href or src, as written
    text: str  # link text or alt text ("" when none)
    line: int
    html: bool = False  # an `<img>` / `<a>` tag rather than Markdown syntax


@dataclass
class CardDocument:
    lines: list[str]
    newline: str = "\n"
    front_matter_end: int = 0  # number of lines of YAML front matter at the top
    headings: list[Heading] = field(default_factory=list)
    fields: list[FieldItem] = field(default_factory=list)
    trailing_newline: bool = True
    code_blocks: list[tuple[int, int]] = field(default_factory=list)  # [start, end) of fenced/indented code
    tables: list[tuple[int, int]] = field(default_factory=list)  # [start, end) of pipe tables
    links: list[Link] = field(default_factory=list)

    def in_code(self, line: int) -> bool:
        """True when `line` (0-based) lies inside a code block, where nothing is prose."""
        return any(start <= line < end for start, end in self.code_blocks)

    @property
    def text(self) -> str:
        text = self.newline.join(self.lines)
        return text + self.newline if self.trailing_newline and self.lines else text

    def section(self, key: str) -> Heading | None:
        for heading in self.headings:
            if heading.section_key == key:
                return heading
        return None

    def fields_of(self, heading: Heading) -> list[FieldItem]:
        return [f for f in self.fields if f.heading is heading]

    def body(self, heading: Heading) -> list[str]:
        return self.lines[heading.body_start : heading.body_end]


def read_card(path: Path) -> CardDocument:
    """Read a card from disk; a clear error for binary, non-UTF-8 or huge files and links out of its folder."""
    refuse_link_outside(path, path.parent)
    return decode_card(read_card_bytes(path), path)


def read_card_bytes(path: Path) -> bytes:
    """A card file's bytes, or a one-line error for a folder, an unreadable file or one over `MAX_CARD_BYTES`."""
    try:
        if path.is_dir():
            raise BmzcardError("is a folder, not a card file", path=path)
        size = path.stat().st_size
        if size > MAX_CARD_BYTES:
            raise BmzcardError(f"the card is {size:,} bytes; more than {MAX_CARD_BYTES:,} is not a model card",
                               path=path)
        return path.read_bytes()
    except OSError as error:
        raise BmzcardError(f"cannot read the card: {error.strerror}", path=path) from None


def decode_card(data: bytes, path: str | Path) -> CardDocument:
    """Parse a card's bytes (from a file or a zip member); `path` names it in errors."""
    if len(data) > MAX_CARD_BYTES:
        raise BmzcardError(
            f"the card is {len(data):,} bytes; more than {MAX_CARD_BYTES:,} is not a model card", path=path
        )
    if b"\x00" in data[:8192]:
        raise BmzcardError("the card is a binary file, not Markdown", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BmzcardError(f"the card is not UTF-8 text (byte {error.start})", path=path) from None
    return parse_card(text)


def parse_card(text: str, template: Template = TEMPLATE) -> CardDocument:
    return parse_card_tokens(text, template)[0]


def parse_card_tokens(text: str, template: Template = TEMPLATE) -> tuple[CardDocument, list]:
    """`parse_card`, with markdown-it's tokens of the card below its front matter (one parse for renderers)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    trailing = bool(lines) and lines[-1] == ""
    if trailing:
        lines.pop()
    document = CardDocument(lines=lines, newline=newline, trailing_newline=trailing)
    document.front_matter_end = _front_matter_length(lines)
    offset = document.front_matter_end
    tokens = _markdown().parse("\n".join(lines[offset:]))

    headings: list[Heading] = []
    list_depth = 0
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            title = tokens[index + 1].content.strip()
            start = token.map[0] + offset
            headings.append(Heading(title, int(token.tag[1]), start, token.map[1] + offset, len(lines)))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "list_item_open" and list_depth == 1 and token.map:
            item = _field_item(lines, token.map[0] + offset, token.map[1] + offset)
            if item is not None:
                document.fields.append(item)
        elif token.type in ("fence", "code_block") and token.map:
            document.code_blocks.append((token.map[0] + offset, token.map[1] + offset))
        elif token.type == "table_open" and token.map:
            document.tables.append((token.map[0] + offset, token.map[1] + offset))
        elif token.type == "html_block" and token.map:
            document.links += _html_links(token.content, token.map[0] + offset)
        elif token.type == "inline" and token.map and token.children:
            document.links += _inline_links(token.children, token.map[0] + offset)
    for current, following in zip(headings, headings[1:]):
        current.body_end = following.line
    document.headings = headings
    _assign_sections(document, template)
    for item in document.fields:
        item.heading = _heading_at(headings, item.start)
    return document, tokens


def _front_matter_length(lines: list[str]) -> int:
    """Lines of a `---` YAML block at the very top (Hugging Face style), else 0."""
    if not lines or lines[0].strip() != "---":
        return 0
    for index in range(1, min(len(lines), 500)):
        if lines[index].strip() in ("---", "..."):
            return index + 1
    return 0


def _field_item(lines: list[str], start: int, end: int) -> FieldItem | None:
    match = _FIELD_LABEL.match(lines[start])
    if match is None:
        return None
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    continuation = [line[2:] if line.startswith("  ") else line.lstrip() for line in lines[start + 1 : end]]
    value = "\n".join([match["rest"].rstrip(), *continuation]).strip()
    return FieldItem(match["label"].strip(), start, end, value, None)


_HTML_TAG = re.compile(r"<(?P<tag>img|a)\b(?P<attrs>[^>]*)>", re.IGNORECASE)
_HTML_ATTR = re.compile(r"""(?P<name>[\w-]+)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+))""")


def _html_links(html: str, first_line: int) -> list[Link]:
    """`<img src>` and `<a href>` tags of raw HTML, each with its line."""
    found = []
    for match in _HTML_TAG.finditer(html):
        attrs = {
            a["name"].lower(): a["dq"] if a["dq"] is not None else a["sq"] if a["sq"] is not None else a["bare"]
            for a in _HTML_ATTR.finditer(match["attrs"])
        }
        tag = match["tag"].lower()
        target = attrs.get("src" if tag == "img" else "href")
        if target is None:
            continue
        line = first_line + html.count("\n", 0, match.start())
        found.append(Link("image" if tag == "img" else "link", target, attrs.get("alt", ""), line, html=True))
    return found


def _inline_links(children: list, first_line: int) -> list[Link]:
    """Links and images of one inline run; line breaks inside it count lines."""
    found = []
    line = first_line
    for index, child in enumerate(children):
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "image":
            found.append(Link("image", str(child.attrs.get("src", "")), child.content, line))
        elif child.type == "link_open":
            text = []
            for following in children[index + 1 :]:
                if following.type == "link_close":
                    break
                text.append(following.content)
            found.append(Link("link", str(child.attrs.get("href", "")), "".join(text), line))
        elif child.type == "html_inline":
            found += _html_links(child.content, line)
        line += child.content.count("\n") if child.type == "text" else 0
    return found


def _heading_at(headings: list[Heading], line: int) -> Heading | None:
    owner = None
    for heading in headings:
        if heading.line <= line:
            owner = heading
        else:
            break
    return owner


def _assign_sections(document: CardDocument, template: Template) -> None:
    """Name each heading after the template section it is.

    The first level-1 heading that is no other template section is the title.
    Titles are matched forgivingly (case, `&`/`and`); a section already claimed
    keeps its first heading, so a duplicate is left unassigned for `check`.
    """
    claimed: set[str] = set()
    untitled: list[Heading] = []
    for heading in document.headings:
        section = template.find_title(heading.title)
        if section is not None and section.key != "title" and section.key not in claimed:
            heading.section_key = section.key
            claimed.add(section.key)
        elif heading.level == 1 and (section is None or section.key == "title"):
            untitled.append(heading)
    # A `[Model Name]` placeholder is the title even below another H1 (the template file's own).
    placeholders = [h for h in untitled if _BRACKETED.fullmatch(h.title.strip())]
    title = (placeholders or untitled or [None])[0]
    if title is not None:
        title.section_key = "title"


_BRACKETED = re.compile(r"\[[^\]]*\]")
