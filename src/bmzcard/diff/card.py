"""Card sections compared after Markdown normalization, with a word-level diff.

Each section body is parsed with markdown-it-py (the parser `check` and
`generate` use) and written back in one canonical spelling: paragraphs
re-joined, one list marker, one emphasis style, no trailing spaces, numbered
lists numbered from 1. Re-wrapping a paragraph or switching `*` for `_`
therefore changes nothing; a changed word does.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from markdown_it import MarkdownIt

from bmzcard.lint.rule import CardContext
from bmzcard.template.model import normalize_title

PREAMBLE = "(before the first heading)"
_SPACE = re.compile(r"\s+")
_INLINE_MARKS = {
    "em_open": "*",
    "em_close": "*",
    "strong_open": "**",
    "strong_close": "**",
    "s_open": "~~",
    "s_close": "~~",
}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def sections(card: CardContext) -> dict[str, tuple[str, str]]:
    """Each section of a card by key: (its heading as written, its normalized body).

    Template sections are keyed by their template key, so a heading spelled
    differently is still the same section; other headings by their title.
    """
    document = card.document
    found: dict[str, tuple[str, str]] = {}
    first = document.headings[0].line if document.headings else len(document.lines)
    preamble = normalize_markdown(document.lines[document.front_matter_end : first])
    if preamble:
        found[PREAMBLE] = (PREAMBLE, preamble)
    for heading in document.headings:
        key = heading.section_key or normalize_title(heading.title)
        body = normalize_markdown(document.body(heading))
        if heading.section_key == "title":  # the title's content is the model's name as well
            body = f"# {normalize_markdown([heading.title])}\n{body}".strip()
        unique, number = key, 1
        while unique in found:
            number += 1
            unique = f"{key} ({number})"
        found[unique] = (heading.title, body)
    return found


def normalize_markdown(lines: list[str]) -> str:
    """Markdown lines in canonical spelling, one block per line."""
    text = "\n".join(line.rstrip() for line in lines)  # trailing spaces (hard breaks) do not count
    tokens = _markdown().parse(text)
    blocks: list[str] = []
    prefix: list[str] = []  # list markers and quote marks of the enclosing blocks
    row: list[str] | None = None  # the cells of the table row being read
    for token in tokens:
        kind = token.type
        if kind == "bullet_list_open":
            prefix.append("-")
        elif kind == "ordered_list_open":
            prefix.append("1.")
        elif kind == "blockquote_open":
            prefix.append(">")
        elif kind in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            prefix.pop()
        elif kind == "heading_open":
            prefix.append("#" * int(token.tag[1]))
        elif kind == "heading_close":
            prefix.pop()
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            blocks.append("| " + " | ".join(row) + " |")
            row = None
        elif kind == "inline":
            content = _inline(token.children or [])
            if row is not None:
                row.append(content)
            else:
                blocks.append(" ".join([*prefix, content]).strip())
        elif kind in ("fence", "code_block"):
            blocks.append("```" + (token.info or "").strip() + "\n" + token.content.rstrip("\n") + "\n```")
        elif kind == "html_block":
            blocks.append(token.content.strip())
        elif kind == "hr":
            blocks.append("---")
    return "\n".join(block for block in blocks if block)


def _inline(children) -> str:
    parts: list[str] = []
    href: list[str] = []
    for child in children:
        kind = child.type
        if kind == "text":
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind in _INLINE_MARKS:
            parts.append(_INLINE_MARKS[kind])
        elif kind == "code_inline":
            parts.append(f"`{child.content}`")
        elif kind == "link_open":
            href.append(str(child.attrs.get("href", "")))
            parts.append("[")
        elif kind == "link_close":
            parts.append(f"]({href.pop() if href else ''})")
        elif kind == "image":
            parts.append(f"![{child.content}]({child.attrs.get('src', '')})")
        elif kind == "html_inline":
            parts.append(child.content)
    return _SPACE.sub(" ", "".join(parts)).strip()


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The words of two texts as runs: ("=", kept), ("-", removed), ("+", added)."""
    before, after = old.split(), new.split()
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("=", " ".join(before[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("-", " ".join(before[i1:i2])))
        if j2 > j1:
            runs.append(("+", " ".join(after[j1:j2])))
    return runs


def counts(runs: list[tuple[str, str]]) -> tuple[int, int]:
    """Words removed and added."""
    removed = sum(len(text.split()) for op, text in runs if op == "-")
    added = sum(len(text.split()) for op, text in runs if op == "+")
    return removed, added
