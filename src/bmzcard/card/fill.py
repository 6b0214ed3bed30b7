"""Fill a card with facts, in place, without touching a human's words.

`fill_card` edits the card's lines: a field or section is written only when it
is a placeholder (empty, TODO, template guidance) or still holds exactly what
bmzcard wrote last time (from the provenance sidecar), so regenerating after an
RDF change refreshes bmzcard's own values and keeps every human edit. Template
sections or fields missing from the card are inserted where the template puts
them, as TODO placeholders when no fact fills them. A blank card goes through
the same path, so a fresh card and a merged one cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from bmzcard.card.layout import TITLE_PLACEHOLDER, blank_body, field_lines, section_block
from bmzcard.card.placeholders import is_guidance_line, is_placeholder_body, is_placeholder_value
from bmzcard.facts import Fact, FactSet
from bmzcard.sources.readme import CardDocument, Heading, parse_card
from bmzcard.template import TEMPLATE, Section, SectionKind, Template
from bmzcard.template.model import normalize_title


@dataclass
class Change:
    key: str  # field path or section key
    action: str  # filled | updated | added | kept
    detail: str = ""


@dataclass
class FillResult:
    text: str
    changes: list[Change]
    written: dict[str, Fact]  # the facts whose values now stand in the card


@dataclass
class _Edits:
    """Line edits collected against the original lines, applied bottom-up."""

    items: list[tuple[int, int, int, list[str]]] = field(default_factory=list)

    def replace(self, start: int, end: int, lines: list[str]) -> None:
        self.items.append((start, end, len(self.items), lines))

    def insert(self, at: int, lines: list[str]) -> None:
        self.replace(at, at, lines)

    def apply(self, lines: list[str]) -> list[str]:
        result = list(lines)
        # bottom-up; at one position, later insertions go after earlier ones
        for start, end, _, new in sorted(self.items, key=lambda e: (e[0], e[2]), reverse=True):
            result[start:end] = new
        return result


def fill_card(
    document: CardDocument,
    facts: FactSet,
    *,
    previous: dict[str, str] | None = None,
    template: Template = TEMPLATE,
) -> FillResult:
    """Write facts into the card's placeholders; report what changed and what was kept."""
    filler = _Filler(document, facts, previous or {}, template)
    filler.run()
    text = document.newline.join(filler.edits.apply(document.lines))
    if document.trailing_newline or not document.lines:
        text += document.newline
    return FillResult(text, filler.changes, filler.written)


@lru_cache(maxsize=4)
def blank_document(template: Template = TEMPLATE) -> CardDocument:
    """The parsed blank card; shared between calls, so never modify it (`fill_card` does not)."""
    from bmzcard.card.layout import blank_card

    return parse_card(blank_card(template), template)


class _Filler:
    def __init__(self, document: CardDocument, facts: FactSet, previous: dict[str, str], template: Template):
        self.document, self.facts, self.previous, self.template = document, facts, previous, template
        self.edits = _Edits()
        self.changes: list[Change] = []
        self.written: dict[str, Fact] = {}
        self.insert_at = document.front_matter_end  # where a missing section would go next

    def run(self) -> None:
        for section in self.template.sections:
            heading = self.document.section(section.key)
            if heading is None:
                self._add_section(section)
            else:
                self._fill_section(section, heading)
                self.insert_at = self._next_template_heading(heading)

    def _next_template_heading(self, heading: Heading) -> int:
        """Where the next template section starts: a human's own sections stay with the one above."""
        headings = self.document.headings
        for later in headings[headings.index(heading) + 1 :]:
            if later.section_key is not None:
                return later.line
        return len(self.document.lines)

    def _replaceable(self, key: str, current: str, is_placeholder: bool) -> bool:
        """A value bmzcard may overwrite: a placeholder, or exactly what it wrote last time."""
        if is_placeholder:
            return True
        before = self.previous.get(key)
        return before is not None and same_value(before, current)

    # -- sections --------------------------------------------------------

    def _add_section(self, section: Section) -> None:
        title = None
        if section.key == "title":
            fact = self.facts.get("title.name")
            title = fact.value if fact else TITLE_PLACEHOLDER
            if fact:
                self.written["title.name"] = fact
        body = self._new_body(section)
        lines = section_block(section, body, title)
        if self.insert_at > 0 and self.insert_at <= len(self.document.lines) and self.document.lines[self.insert_at - 1].strip():
            lines = ["", *lines]
        self.edits.insert(self.insert_at, lines)
        self.changes.append(Change(section.key, "added", "section was missing"))

    def _new_body(self, section: Section) -> list[str]:
        if section.kind is SectionKind.FIELDS:
            lines: list[str] = []
            any_fact = False
            for template_field in section.fields:
                key = f"{section.key}.{template_field.key}"
                fact = self.facts.get(key)
                if fact is not None:
                    any_fact = True
                    self.written[key] = fact
                    self.changes.append(Change(key, "filled"))
                lines += field_lines(template_field.label, fact.value if fact else template_field.placeholder)
            head = [] if any_fact or not section.guidance else [*section.guidance, ""]
            tail = ["", *section.static_body] if section.static_body else []
            return head + lines + tail
        if section.kind in (SectionKind.PROSE, SectionKind.TABLE) or _fillable_static(section, self.facts):
            fact = self.facts.get(section.key)
            if fact is not None:
                self.written[section.key] = fact
                self.changes.append(Change(section.key, "filled"))
                return fact.value.split("\n")
        return blank_body(section, self.template)

    def _fill_section(self, section: Section, heading: Heading) -> None:
        if section.key == "title":
            self._fill_title(heading)
        if section.kind is SectionKind.FIELDS:
            self._fill_fields(section, heading)
        elif section.kind in (SectionKind.PROSE, SectionKind.TABLE):
            self._fill_prose(section, heading)
        elif _fillable_static(section, self.facts):
            self._fill_static(section, heading)

    def _fill_title(self, heading: Heading) -> None:
        fact = self.facts.get("title.name")
        if fact is None:
            return
        current = heading.title
        if self._replaceable("title.name", current, current.strip() in (TITLE_PLACEHOLDER, "")):
            if current != fact.value:
                self.edits.replace(heading.line, heading.body_start, [f"# {fact.value}"])
                self.changes.append(Change("title.name", "filled"))
            self.written["title.name"] = fact
        else:
            self.changes.append(Change("title.name", "kept", "human-written title"))

    def _body_span(self, heading: Heading) -> tuple[int, int]:
        return body_span(self.document.lines, heading)

    def _fill_prose(self, section: Section, heading: Heading) -> None:
        fact = self.facts.get(section.key)
        if fact is None:
            return
        start, end = self._body_span(heading)
        body = self.document.lines[start:end]
        current = "\n".join(body)
        if not self._replaceable(section.key, current, is_placeholder_body(body, section)):
            self.changes.append(Change(section.key, "kept", "human-written"))
            return
        self.written[section.key] = fact
        if same_value(current, fact.value):
            return
        new = fact.value.split("\n")
        if start == end:  # empty body: keep a blank line after the heading
            new = ["", *new, ""] if end == heading.body_end else ["", *new]
        self.edits.replace(start, end, new)
        self.changes.append(Change(section.key, "updated" if section.key in self.previous else "filled"))

    def _fill_static(self, section: Section, heading: Heading) -> None:
        """Replace the template's example text of a static section (the glossary's example terms), or our own."""
        fact = self.facts.get(section.key)
        start, _ = self._body_span(heading)
        lines = self.document.lines
        for old in (list(section.static_body), (self.previous.get(section.key) or "").split("\n")):
            end = start + len(old)
            if old and [line.strip() for line in lines[start:end]] == [line.strip() for line in old]:
                self.written[section.key] = fact
                if lines[start:end] != fact.value.split("\n"):
                    self.edits.replace(start, end, fact.value.split("\n"))
                    self.changes.append(Change(section.key, "updated" if section.key in self.previous else "filled"))
                return
        self.changes.append(Change(section.key, "kept", "human-written"))

    def _fill_fields(self, section: Section, heading: Heading) -> None:
        items = self.document.fields_of(heading)
        by_label = {normalize_title(item.label): item for item in items}
        filled_any = False
        missing: list[str] = []
        for template_field in section.fields:
            key = f"{section.key}.{template_field.key}"
            fact = self.facts.get(key)
            item = by_label.get(normalize_title(template_field.label))
            if item is None:
                value = fact.value if fact else template_field.placeholder
                missing += field_lines(template_field.label, value)
                if fact:
                    self.written[key] = fact
                    filled_any = True
                self.changes.append(Change(key, "added", "" if fact else "placeholder"))
                continue
            if not is_placeholder_value(item.value):
                filled_any = True
            if fact is None:
                if is_placeholder_value(item.value) and "TODO" not in item.value:
                    # an empty or bare-guidance field becomes a visible TODO
                    self.edits.replace(item.start, item.end, field_lines(item.label, template_field.placeholder))
                    self.changes.append(Change(key, "marked", "TODO"))
                continue
            if not self._replaceable(key, item.value, is_placeholder_value(item.value)):
                self.changes.append(Change(key, "kept", "human-written"))
                continue
            self.written[key] = fact
            filled_any = True
            if same_value(item.value, fact.value):
                continue
            self.edits.replace(item.start, item.end, field_lines(item.label, fact.value))
            self.changes.append(Change(key, "updated" if key in self.previous else "filled"))
        if missing:
            at = max((i.end for i in items), default=None)
            if at is None:
                at = self._body_span(heading)[1]
                if self.document.lines[at - 1 : at] and self.document.lines[at - 1].strip():
                    missing = ["", *missing]
                if at == heading.body_end:
                    missing = [*missing, ""]
            self.edits.insert(at, missing)
        if filled_any:
            self._drop_guidance(section, heading, items)

    def _drop_guidance(self, section: Section, heading: Heading, items) -> None:
        """The section's guidance paragraph goes once its fields hold real values."""
        first_field = min((i.start for i in items), default=heading.body_end)
        lines = self.document.lines
        for index in range(heading.body_start, first_field):
            if is_guidance_line(lines[index], section):
                end = index + 1
                if end < len(lines) and not lines[end].strip():
                    end += 1  # and the blank line after it
                self.edits.replace(index, end, [])


def body_span(lines: list[str], heading: Heading) -> tuple[int, int]:
    """A section's body in a card's `lines`, without the blank lines around it (and a closing `---` rule)."""
    start, end = heading.body_start, heading.body_end
    while start < end and not lines[start].strip():
        start += 1
    while end > start and (not lines[end - 1].strip() or lines[end - 1].strip() == "---"):
        end -= 1
    return start, end


def current_values(document: CardDocument, template: Template = TEMPLATE) -> dict[str, str]:
    """What the card holds for each template field and prose or table section, by fact key, as `fill_card` reads it."""
    values: dict[str, str] = {}
    for section in template.sections:
        heading = document.section(section.key)
        if heading is None:
            continue
        if section.key == "title":
            values["title.name"] = heading.title
        if section.kind is SectionKind.FIELDS:
            by_label = {normalize_title(item.label): item for item in document.fields_of(heading)}
            for template_field in section.fields:
                item = by_label.get(normalize_title(template_field.label))
                if item is not None:
                    values[f"{section.key}.{template_field.key}"] = item.value
        elif section.kind in (SectionKind.PROSE, SectionKind.TABLE):
            start, end = body_span(document.lines, heading)
            values[section.key] = "\n".join(document.lines[start:end])
    return values


def same_value(a: str, b: str) -> bool:
    """Equal up to whitespace: how a card's value is compared with what bmzcard wrote."""
    return " ".join(a.split()) == " ".join(b.split())


def _fillable_static(section: Section, facts: FactSet) -> bool:
    """A static section (the glossary) is replaced by a fact for it, when the template's example list is still there."""
    return section.kind is SectionKind.STATIC and facts.get(section.key) is not None
