"""The base of every rule and the card context rules read.

A rule is a class: its docstring is its documentation under the fixed headings
"What it does", "Why is this bad?", "Example" and "Use instead" (as ruff's
rules have), its class attributes say its name, family and default severity,
and `check` yields `Violation`s for one card. Codes are not written here but
in `registry.py`, the one table that maps stable codes to rules.
"""

from __future__ import annotations

import inspect
import posixpath
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import ClassVar, Iterator

from bmzcard.card.placeholders import is_placeholder_value, strip_todo
from bmzcard.lint.findings import Severity, Violation
from bmzcard.sources.readme import CardDocument, FieldItem, Heading
from bmzcard.template import TEMPLATE, Requirement, Section, SectionKind, Template
from bmzcard.template.model import normalize_title

DOC_HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead")


@dataclass
class CardContext:
    """One card as the rules see it, with its RDF and where its files lie.

    Parameters
    ----------
    path
        The card's path as shown in findings.
    document
        The parsed card.
    rdf
        The package's RDF as a plain dict, or None for a card checked alone.
    root
        The folder that relative links and images are resolved against; None
        when the card has no folder (read from a zip or standard input).
    package_files
        For a zipped package: the names of its members, which stand for the folder.
    card_folder
        For a zipped package: the card's folder inside the zip ("." at the top).
    online
        Whether rules may use the network (`--online`).
    allow_code
        Whether rules that run the model may run Python from the package
        (`--allow-code` on this command line; never read from the card's files).
    note
        A line for the report about the check itself, such as "no RDF found".
    """

    path: str
    document: CardDocument
    rdf: dict | None = None
    root: Path | None = None
    package_files: frozenset[str] | None = None
    card_folder: str = "."
    online: bool = False
    allow_code: bool = False
    template: Template = TEMPLATE
    note: str | None = None  # said in the report: why some rules could not run (no RDF found)

    @property
    def lines(self) -> list[str]:
        return self.document.lines

    def heading(self, key: str) -> Heading | None:
        return self.document.section(key)

    def field(self, section_key: str, field_key: str) -> FieldItem | None:
        """The `- **Label:** value` item of a template field, under its section's heading."""
        heading = self.heading(section_key)
        if heading is None:
            return None
        wanted = normalize_title(self.template.section(section_key).field(field_key).label)
        for item in self.document.fields_of(heading):
            if normalize_title(item.label) == wanted:
                return item
        return None

    def section_of_line(self, line: int) -> Section | None:
        """The template section whose heading the line falls under, if any."""
        owner = None
        for heading in self.document.headings:
            if heading.line > line:
                break
            owner = heading
        return None if owner is None or owner.section_key is None else self.template.section(owner.section_key)

    def prose_lines(self) -> list[tuple[int, str]]:
        """(index, line) of every line outside front matter and code blocks, inline code blanked."""
        return self._prose

    @cached_property
    def _prose(self) -> list[tuple[int, str]]:
        code = self.document.code_blocks
        found = []
        for index in range(self.document.front_matter_end, len(self.lines)):
            if any(start <= index < end for start, end in code):
                continue
            line = self.lines[index]
            found.append((index, _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line) if "`" in line else line))
        return found

    def local_file_exists(self, relative: str) -> bool | None:
        """Whether a path relative to the card names an existing file; None when unknowable."""
        if self.package_files is not None:
            joined = posixpath.normpath(posixpath.join(self.card_folder, relative))
            return joined in self.package_files
        if self.root is None:
            return None
        return (self.root / relative).exists()

    @cached_property
    def text(self) -> str:
        return "\n".join(self.lines)

    @cached_property
    def guidance_lines(self) -> dict[int, Section]:
        """Lines that are template guidance, with the section whose guidance they are.

        A line counts wherever it stands (guidance pasted under another heading
        is still guidance); the template's static text (table of contents,
        glossary), which cards keep as it is, does not count.
        """
        index_of = guidance_index(self.template)
        found = {}
        for index, line in self.prose_lines():
            section = index_of.get(guidance_key(line))
            if section is not None:
                found[index] = section
            elif _INSTRUCTIONS.match(line):
                found[index] = self.template.sections[0]
        return found

    @cached_property
    def placeholder_fields(self) -> dict[int, tuple[FieldItem, Requirement]]:
        """First line of each `- **Label:** value` item left unfilled, with how much it is required."""
        found = {}
        for item in self.document.fields:
            if self.document.in_code(item.start) or not is_placeholder_value(item.value):
                continue
            found[item.start] = (item, self.field_requirement(item))
        return found

    def field_requirement(self, item: FieldItem) -> Requirement:
        """The requirement of the template field an item is; recommended for other fields."""
        heading = item.heading
        if heading is not None and heading.section_key is not None:
            wanted = normalize_title(item.label)
            for candidate in self.template.section(heading.section_key).fields:
                if normalize_title(candidate.label) == wanted:
                    return candidate.requirement
        return Requirement.RECOMMENDED

    def is_placeholder_line(self, index: int) -> bool:
        """True for a line already reported as guidance or as an unfilled field."""
        return index in self.guidance_lines or index in self.placeholder_fields


_INLINE_CODE = re.compile(r"`+[^`\n]*`+")
# The blockquote the template opens with, telling authors what to do.
_INSTRUCTIONS = re.compile(r"^\s*>\s*\*\*Instructions\*\*")


def guidance_key(line: str) -> str:
    """A line compared with template guidance: TODO marker dropped, spacing collapsed."""
    return " ".join(strip_todo(line).split())


_GUIDANCE_INDEXES: dict[int, dict[str, Section]] = {}


def guidance_index(template: Template) -> dict[str, Section]:
    """Every guidance line of the template (by `guidance_key`) -> its section; built once."""
    index = _GUIDANCE_INDEXES.get(id(template))
    if index is None:
        index = {}
        for section in template.sections:
            if section.kind is SectionKind.STATIC:
                continue
            for line in section.guidance:
                if line.strip():
                    index.setdefault(guidance_key(line), section)
        _GUIDANCE_INDEXES[id(template)] = index
    return index


def requirement_severity(requirement: Requirement) -> Severity:
    """Missing required content is an error; recommended or optional content, a warning."""
    return Severity.ERROR if requirement is Requirement.REQUIRED else Severity.WARNING


class Rule:
    """A check of one kind on a card; subclasses set the attributes and `check`."""

    name: ClassVar[str]  # kebab-case, stable like the code
    family: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]  # one line, for listings and SARIF's shortDescription
    fixable: ClassVar[bool] = False  # `--fix` repairs it
    needs_rdf: ClassVar[bool] = False  # only runs when the card's RDF is known
    needs_network: ClassVar[bool] = False  # only runs with `--online`

    def check(self, card: CardContext) -> Iterator[Violation]:
        raise NotImplementedError

    @classmethod
    def documentation(cls) -> dict[str, str]:
        """The docstring split at its fixed headings: {heading: text}."""
        return split_doc(cls.__doc__ or "")


def split_doc(doc: str) -> dict[str, str]:
    """Split a rule docstring at lines that are one of `DOC_HEADINGS` followed by dashes."""
    lines = inspect.cleandoc(doc).splitlines()
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.strip() in DOC_HEADINGS and set(following.strip()) == {"-"}:
            current = sections.setdefault(line.strip(), [])
            index += 2
            continue
        if current is not None:
            current.append(line)
        index += 1
    return {key: "\n".join(value).strip("\n") for key, value in sections.items()}

