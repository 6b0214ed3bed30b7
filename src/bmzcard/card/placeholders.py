"""What counts as "not written yet" in a card: TODO markers, guidance, `[...]`.

`generate` fills only what this module calls a placeholder, so a human's words
are never replaced; `check` reports the same placeholders as findings.
"""

from __future__ import annotations

import re

from bmzcard.template.model import Section

TODO = "TODO"

_TODO_PREFIX = re.compile(r"^\s*(?:[-*+]\s+)?(?:\*\*)?TODO(?:\*\*)?:?\s*", re.IGNORECASE)
# `*[guidance]*` as the template writes it, or a bare `[Model Name]`; never a link `[text](url)`,
# a reference `[text][ref]` / `[ref]: url`, a footnote `[^1]` or an image `![alt]`.
_BRACKET_PLACEHOLDER = re.compile(r"(?<![!\]\\])(?P<open>\*|_)?\[(?P<text>[^\]\n]*)\](?P<close>\*|_)?(?![(\[:])")
_TODO_MARKER = re.compile(r"\b(?:TODO|TBD|FIXME)\b")
_CONDITION_PLACEHOLDER = re.compile(r"\bCondition [A-C]\b")
_EMPTY_WORDS = {"", "todo", "tbd", "tba", "missing", "...", "…", "-", "?", "xx"}
_SCORE_PLACEHOLDER = re.compile(r"0\.XX", re.IGNORECASE)


def strip_todo(line: str) -> str:
    """A line without its leading TODO marker (bullet kept)."""
    match = _TODO_PREFIX.match(line)
    if match is None:
        return line
    bullet = re.match(r"^\s*[-*+]\s+", line)
    return (bullet.group(0) if bullet else "") + line[match.end() :]


# Bracketed source types of APA-style citations: content, not placeholders.
_CITATION_MARKERS = {"data set", "dataset", "computer software", "software", "preprint", "conference paper",
                     "conference presentation", "video", "abstract", "poster", "thesis", "code", "online"}


def _looks_like_placeholder(match: re.Match) -> bool:
    """A bracket span that stands for text to write, not a value that happens to be bracketed.

    Italic brackets are the template's own form. A bare `[...]` counts when it
    holds words and no digits: `[Model Name]` is a placeholder, while
    `[500 images, 1024x768]`, citations `[3]` and checkboxes `[x]` are content.
    """
    text = match["text"].strip()
    if match["open"] and match["close"]:
        return True
    if text in ("...", "…"):
        return True
    if text.lower() in _CITATION_MARKERS or re.search(r"[\"'`=]", text):
        return False  # `[Data set]` in a citation; a list literal `["red", "green"]`; `[key=value]`
    return (
        re.search(r"[^\W\d_]{2}", text) is not None
        and re.search(r"[\d<>]", text) is None  # numbers are values; `<`/`>` means HTML around brackets
        and not text.startswith("^")
    )


def bracket_placeholders(line: str) -> list[tuple[int, str]]:
    """Column (0-based) and text of each `[...]` placeholder in one line of prose."""
    return [(m.start(), m.group(0)) for m in _BRACKET_PLACEHOLDER.finditer(line) if _looks_like_placeholder(m)]


def score_placeholders(line: str) -> list[tuple[int, str]]:
    """Column and text of the template's example numbers and conditions: `0.XX`, `Condition A`."""
    found = [(m.start(), m.group(0)) for m in _SCORE_PLACEHOLDER.finditer(line)]
    found += [(m.start(), m.group(0)) for m in _CONDITION_PLACEHOLDER.finditer(line)]
    return sorted(found)


def todo_markers(line: str) -> list[tuple[int, str]]:
    """Column and text of each TODO / TBD / FIXME marker (upper case, as written to be found)."""
    return [(m.start(), m.group(0)) for m in _TODO_MARKER.finditer(line)]


def is_placeholder_value(value: str) -> bool:
    """True for a field value nobody has written: empty, TODO, `*[guidance]*`, "missing"."""
    text = _TODO_PREFIX.sub("", value.strip())
    text = _BRACKET_PLACEHOLDER.sub(lambda m: "" if _looks_like_placeholder(m) else m.group(0), text)
    return text.strip(" *_.:;,\n").lower() in _EMPTY_WORDS


def _normalize(line: str) -> str:
    return " ".join(strip_todo(line).split())


def is_guidance_line(line: str, section: Section) -> bool:
    """A line of the template's guidance for `section` (with or without TODO)."""
    wanted = _normalize(line)
    if not wanted:
        return False
    return any(wanted == _normalize(g) for g in section.guidance) or _SCORE_PLACEHOLDER.search(line) is not None


def is_placeholder_body(lines: list[str], section: Section) -> bool:
    """True when a section body holds nothing but guidance, TODOs and blank lines."""
    for line in lines:
        if not line.strip() or line.strip() == "---":
            continue
        if is_guidance_line(line, section) or is_placeholder_value(line):
            continue
        return False
    return True
