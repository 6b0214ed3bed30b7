"""Typed building blocks of a card template: sections, fields, requirement levels."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field


class Requirement(enum.Enum):
    """How much a reviewer expects a field; weights the completeness score."""

    REQUIRED = "required"
    RECOMMENDED = "recommended"
    OPTIONAL = "optional"

    @property
    def weight(self) -> int:
        return {"required": 3, "recommended": 2, "optional": 1}[self.value]


class SectionKind(enum.Enum):
    HEADING = "heading"  # only groups subsections; no content of its own
    FIELDS = "fields"  # a bullet list of `- **Label:** value`
    PROSE = "prose"  # free text
    TABLE = "table"  # the results table
    STATIC = "static"  # text bmzcard writes as the template has it (table of contents, glossary)


@dataclass(frozen=True)
class Field:
    """One `- **Label:** value` line of a section."""

    key: str
    label: str
    guidance: str  # the template's placeholder text, without `*[` and `]*`
    requirement: Requirement = Requirement.RECOMMENDED

    @property
    def placeholder(self) -> str:
        """The field's value in a blank card: a visible TODO carrying the guidance."""
        return f"TODO *[{self.guidance}]*"


@dataclass(frozen=True)
class Section:
    """A heading of the template with what belongs under it."""

    key: str
    title: str
    level: int
    kind: SectionKind
    guidance: tuple[str, ...] = ()  # template lines shown before content, verbatim Markdown
    fields: tuple[Field, ...] = ()
    requirement: Requirement = Requirement.RECOMMENDED
    static_body: tuple[str, ...] = ()  # lines after the guidance/fields, verbatim
    rule_before: bool = False  # a `---` line above the heading, as the template has it

    def field(self, key: str) -> Field:
        for candidate in self.fields:
            if candidate.key == key:
                return candidate
        raise KeyError(f"{self.key} has no field {key!r}")

    @property
    def anchor(self) -> str:
        """The GitHub-style anchor of the heading, as the table of contents links it."""
        slug = re.sub(r"[^\w\- ]", "", self.title.lower()).replace(" ", "-")
        return f"#{slug}"


@dataclass(frozen=True)
class Template:
    name: str
    sections: tuple[Section, ...]
    preamble: tuple[str, ...] = ()  # lines above the first section in a blank card
    footer: tuple[str, ...] = ()  # lines after the last section
    _index: dict[str, Section] = field(default_factory=dict, compare=False, repr=False)
    _by_title: dict[str, Section] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for section in self.sections:
            if section.key in self._index:
                raise ValueError(f"duplicate section key {section.key!r}")
            self._index[section.key] = section
            # normalized once: every heading of every card checked is looked up here
            self._by_title.setdefault(normalize_title(section.title), section)

    def section(self, key: str) -> Section:
        return self._index[key]

    def field(self, path: str) -> Field:
        """A field by its path `section_key.field_key`."""
        section_key, _, field_key = path.partition(".")
        return self.section(section_key).field(field_key)

    def find_title(self, title: str) -> Section | None:
        """The section a heading names (forgivingly), or None; the first one on a tie."""
        return self._by_title.get(normalize_title(title))


def normalize_title(title: str) -> str:
    """Compare headings forgivingly: case, spacing, `&`/`and`, trailing colons."""
    text = title.strip().lower().replace("&", "and").rstrip(":")
    text = re.sub(r"[^\w ]+", " ", text)
    return " ".join(text.split())
