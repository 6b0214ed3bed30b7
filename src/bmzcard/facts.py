"""Facts: a card value together with where it came from.

Every value bmzcard writes into a card is a `Fact`. Its provenance says which
source gave it (an RDF field path, a file, a measurement), so that `check` can
compare the card with its sources and `evaluate`/`measure` can refresh what they
own. Facts are keyed by template field path (`section.field`) or by section key
for prose and table sections.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Literal
from urllib.parse import quote

SourceKind = Literal["rdf", "file", "measurement", "evaluation", "computed", "human"]


@dataclass(frozen=True)
class Provenance:
    """Where a value came from.

    kind: rdf (a field of the package description), file (a file of the package),
    measurement (bmzcard measure/track), evaluation (bmzcard evaluate), computed
    (derived by bmzcard from other facts, e.g. a carbon estimate).
    where: the RDF field path (`config.bioimageio.task`, `authors[0].name`) or a file path.
    """

    kind: SourceKind
    where: str
    detail: str = ""


@dataclass(frozen=True)
class Fact:
    key: str  # `section.field` or a section key
    value: str  # Markdown, as written into the card
    sources: tuple[Provenance, ...]

    def to_json(self) -> dict:
        return {"key": self.key, "value": self.value, "sources": [asdict(s) for s in self.sources]}

    @classmethod
    def from_json(cls, data: dict) -> "Fact":
        return cls(data["key"], data["value"], tuple(Provenance(**s) for s in data["sources"]))


def from_rdf(key: str, value: str, *paths: str, detail: str = "") -> Fact:
    """A fact read from one or more fields of the RDF."""
    return Fact(key, value, tuple(Provenance("rdf", p, detail) for p in paths))


@dataclass
class FactSet:
    """The facts known about one model, at most one per key (last one wins)."""

    facts: dict[str, Fact] = field(default_factory=dict)
    todo_reasons: dict[str, str] = field(default_factory=dict)  # key -> why a source that knows it leaves it TODO
    files: dict[str, bytes] = field(default_factory=dict)  # files the facts link to, made by bmzcard: name -> bytes

    def leave_todo(self, key: str, reason: str) -> None:
        """Leave a field to the author, saying why (its sources disagree, say)."""
        self.todo_reasons[key] = reason

    def add(self, fact: Fact | None) -> None:
        if fact is not None and fact.value.strip():
            self.facts[fact.key] = fact

    def extend(self, facts: Iterable[Fact | None]) -> None:
        for fact in facts:
            self.add(fact)

    def get(self, key: str) -> Fact | None:
        return self.facts.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self.facts

    def __len__(self) -> int:
        return len(self.facts)


# --- author text into Markdown ------------------------------------------------
#
# A fact's value is Markdown. Text from an RDF, a manifest or a record is the
# author's, not markup: it enters a value only through these functions, so that
# `<script>`, `<!--`, `[x](javascript:...)`, `|` in a table or `*` in a name
# render as the characters they are, and nothing the author writes can open a
# heading, a code block or an HTML block in the card.

# Characters with an inline meaning in CommonMark/GFM (GitHub's `$` math included);
# a backslash before ASCII punctuation always stands for the character itself.
_INLINE = re.compile(r"([\\`*_\[\]<>|~&#$])")
# What opens a block at the start of a line: a list item (an ordered one's number
# is kept, its `.` or `)` escaped), a setext underline or a rule (`---`, `===`).
_BLOCK_START = re.compile(r"^(\d{1,9}|)([-+.)])(?=\s|$)|^()([-=])(?=[-=\s]*$)")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s+")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def md_text(value: Any) -> str:
    """Author text as one line of literal Markdown text (whitespace collapsed, every special escaped)."""
    text = " ".join(str(value).split()) if value is not None else ""
    text = _INLINE.sub(r"\\\1", text)
    return _BLOCK_START.sub(lambda m: f"{m.group(1) or ''}\\{m.group(2) or m.group(4)}", text)


def md_unescape(text: str) -> str:
    """Markdown text as a reader sees it: backslash escapes of ASCII punctuation removed (`a\\|b` -> `a|b`)."""
    return _ESCAPED.sub(r"\1", text)


def md_prose(value: Any) -> str:
    """Author text of several paragraphs: lines and list items kept, everything else literal.

    A line of the author's may be a list item (`- `, `* `, `1. `); it cannot
    become a heading, a code block, a rule, a quote or HTML.
    """
    lines: list[str] = []
    for line in str(value or "").strip().splitlines():
        line = line.strip()
        marker = _LIST_ITEM.match(line)
        if marker:
            bullet = marker.group().strip()
            lines.append(f"{'-' if bullet in '*+' else bullet} {md_text(line[marker.end():])}")
        elif line or (lines and lines[-1]):
            lines.append(md_text(line))
    return "\n".join(lines).strip()


def md_code(value: Any, *, in_table: bool = False) -> str:
    """Author text as an inline code span, fenced by more backticks than it contains."""
    text = " ".join(str(value).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith(("`", " ")) or text.endswith(("`", " ")):
        text = f" {text} "
    if in_table:  # GFM splits cells at `|` even inside code spans
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def safe_url(url: Any) -> str | None:
    """An author's URL fit for a link: http, https or mailto, percent-encoded; None otherwise."""
    text = str(url).strip()
    scheme = _SCHEME.match(text)
    if scheme is None or scheme.group(1).lower() not in _SAFE_SCHEMES:
        return None
    return quote(text, safe=":/?#[]@!$&'*+,;=%~")


def md_link(url: Any, label: Any = None) -> str:
    """`[label](url)` for an http(s)/mailto URL; the label (or the URL) as plain text for any other scheme."""
    target = safe_url(url)
    text = md_text(label) or md_text(url)
    return f"[{text}]({target})" if target else text


def md_file_link(path: str, label: str | None = None, *, image: bool = False) -> str:
    """A link (or image) to a file bmzcard found in the package, given relative to the card.

    `label` is Markdown (author text in it escaped already); default: the path as text.
    """
    target = quote(path.replace("\\", "/"), safe="/~")
    return f"{'!' if image else ''}[{md_text(path) if label is None else label}]({target})"
