"""The template as a form, and a form edit as a change of the card's lines.

The card's Markdown stays the one state: the form is built from it (template
section by template section, the author's own sections where the card has
them), and each edit of one control rewrites only the lines of that field or
section body. Controls are named by ids, never by file or line:

- `title`: the model's name (the title heading's text);
- `f:<section>.<field>`: a template field's value (`f:model_description.license`);
- `s:<section>`: a section's body as Markdown (`s:direct_use`; also the Markdown
  view of a section of fields);
- `h:<n>`: the body of the n-th heading that is not in the template (an author's own section);
- `card`: the whole card as Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bmzcard.card.fill import body_span, fill_card
from bmzcard.card.layout import blank_body, field_lines
from bmzcard.card.placeholders import is_placeholder_body, is_placeholder_value
from bmzcard.errors import BmzcardError
from bmzcard.facts import Fact, FactSet, Provenance
from bmzcard.lint.rule import CardContext
from bmzcard.sources.readme import CardDocument, FieldItem, Heading, parse_card
from bmzcard.template import TEMPLATE, Requirement, Section, SectionKind, Template
from bmzcard.template.model import normalize_title

WHOLE_CARD = "card"
TITLE = "title"
_CONTROL = re.compile(r"^(?:card|title|f:[a-z_]+\.[a-z_]+|s:[a-z_]+|h:\d{1,5})$")


@dataclass
class Control:
    """One labelled text box of the form."""

    id: str
    label: str
    value: str  # "" when the card holds only a placeholder there
    guidance: str = ""
    requirement: Requirement | None = None
    present: bool = True  # False: the card lacks it; typing adds it where the template puts it
    provenance: str = ""  # "from rdf.yaml: config.bioimageio.task", when the value is still bmzcard's

    @property
    def dom_id(self) -> str:
        return dom_id(self.id)


@dataclass
class FormSection:
    """A heading of the form: a template section or one of the author's own."""

    id: str  # the control id of its Markdown body (`s:key`, `h:n`)
    title: str
    level: int
    kind: str  # fields | prose | group | static | own
    guidance: str = ""
    markdown: str = ""  # the body as written, for the Markdown view
    controls: list[Control] = field(default_factory=list)
    present: bool = True
    requirement: Requirement | None = None

    @property
    def dom_id(self) -> str:
        return "sec-" + dom_id(self.id)[4:]


def dom_id(control_id: str) -> str:
    """The HTML id of a control: `f:model_description.license` -> `ctl-f-model_description-license`."""
    return "ctl-" + re.sub(r"[:.]", "-", control_id)


def finding_target(control: str | None, template: Template = TEMPLATE) -> str:
    """The HTML id a finding links to: its field's text box, else its section."""
    if control is None:
        return ""
    kind, _, key = control.partition(":")
    if kind == "s" and template.section(key).kind not in (SectionKind.PROSE, SectionKind.TABLE):
        return "sec-" + dom_id(control)[4:]
    return dom_id(control)


def is_control_id(text: str) -> bool:
    return _CONTROL.match(text) is not None


def _guidance_text(lines: tuple[str, ...]) -> str:
    """The template's guidance as plain help text (its italics and brackets dropped)."""
    return "\n".join(line.replace("*[", "").replace("]*", "").replace("*", "").strip() for line in lines).strip()


def own_headings(document: CardDocument) -> list[Heading]:
    """Headings that are no template section, in card order (`h:<n>` counts these)."""
    return [h for h in document.headings if h.section_key is None]


def build_form(
    document: CardDocument,
    *,
    provenance: dict[str, tuple[str, str]] | None = None,
    template: Template = TEMPLATE,
) -> list[FormSection]:
    """Every template section in template order, the author's own sections after the one they follow.

    Parameters
    ----------
    document
        The parsed card.
    provenance
        `{key: (value, text)}`: the value bmzcard recorded for a key in the sidecar and
        how to say where it came from; shown while the card still holds that value.
    """
    provenance = provenance or {}
    context = CardContext("", document, template=template)
    own = own_headings(document)
    followers: dict[str | None, list[tuple[int, Heading]]] = {}
    owner: str | None = None
    for heading in document.headings:
        if heading.section_key is not None:
            owner = heading.section_key
        else:
            followers.setdefault(owner, []).append((own.index(heading), heading))
    sections = [_own_section(document, index, heading) for index, heading in followers.get(None, [])]
    for section in template.sections:
        sections.append(_template_section(context, section, provenance))
        sections += [_own_section(document, index, h) for index, h in followers.get(section.key, [])]
    return sections


def _template_section(context: CardContext, section: Section, provenance: dict) -> FormSection:
    heading = context.heading(section.key)
    kind = {
        SectionKind.FIELDS: "fields",
        SectionKind.PROSE: "prose",
        SectionKind.TABLE: "prose",
        SectionKind.HEADING: "group",
        SectionKind.STATIC: "static",
    }[section.kind]
    body = _body_text(context.document, heading) if heading is not None else ""
    form = FormSection(
        id=f"s:{section.key}",
        title=heading.title if heading is not None and section.key != TITLE else section.title,
        level=section.level,
        kind=kind,
        guidance=_guidance_text(section.guidance),
        markdown=body,
        present=heading is not None,
        requirement=section.requirement if kind in ("fields", "prose") else None,
    )
    if section.key == TITLE:
        name = heading.title if heading is not None else ""
        form.title = "Model name and summary"
        form.controls.append(
            Control(TITLE, "Model name", "" if is_placeholder_value(name) else name,
                    guidance="The model's name, as the card's title", requirement=Requirement.REQUIRED,
                    present=heading is not None, provenance=_provenance_of(provenance, "title.name", name))
        )
    if kind == "fields":
        for template_field in section.fields:
            key = f"{section.key}.{template_field.key}"
            item = context.field(section.key, template_field.key)
            value = item.value if item is not None else ""
            form.controls.append(
                Control(f"f:{key}", template_field.label, "" if is_placeholder_value(value) else value,
                        guidance=template_field.guidance, requirement=template_field.requirement,
                        present=item is not None, provenance=_provenance_of(provenance, key, value))
            )
    elif kind == "prose":
        lines = body.split("\n") if body else []
        written = body if lines and not is_placeholder_body(lines, section) else ""
        form.controls.append(
            Control(form.id, "Summary" if section.key == TITLE else section.title, written,
                    guidance=form.guidance, requirement=section.requirement, present=heading is not None,
                    provenance=_provenance_of(provenance, section.key, body))
        )
    return form


def _own_section(document: CardDocument, index: int, heading: Heading) -> FormSection:
    body = _body_text(document, heading)
    form = FormSection(id=f"h:{index}", title=heading.title, level=heading.level, kind="own", markdown=body)
    form.controls.append(Control(form.id, heading.title, body, guidance="Your own section (not in the template)"))
    return form


def _provenance_of(provenance: dict[str, tuple[str, str]], key: str, current: str) -> str:
    recorded = provenance.get(key)
    if recorded is None or not current.strip():
        return ""
    value, text = recorded
    return text if " ".join(value.split()) == " ".join(current.split()) else ""


def template_keys(template: Template = TEMPLATE) -> list[str]:
    """Every key a card value has (the sidecar's keys): `title.name`, `section.field`, prose sections."""
    keys = ["title.name"]
    for section in template.sections:
        if section.kind is SectionKind.FIELDS:
            keys += [f"{section.key}.{f.key}" for f in section.fields]
        elif section.kind in (SectionKind.PROSE, SectionKind.TABLE):
            keys.append(section.key)
    return keys


def card_value(document: CardDocument, key: str, template: Template = TEMPLATE) -> str | None:
    """The card's value for a key (a field's value, a section's body, the title); None when absent."""
    if key == "title.name":
        heading = document.section(TITLE)
        return heading.title if heading is not None else None
    if "." in key:
        section_key, _, field_key = key.partition(".")
        item = CardContext("", document, template=template).field(section_key, field_key)
        return item.value if item is not None else None
    heading = document.section(key)
    return _body_text(document, heading) if heading is not None else None


# -- edits -------------------------------------------------------------------


def apply_edit(text: str, control: str, value: str, template: Template = TEMPLATE) -> str:
    """The card's text after setting one control to `value`.

    An emptied field or prose section gets the template's TODO placeholder back,
    so clearing a value shows as "not filled in", as in a blank card. A field or
    section the card lacks is added where the template puts it (through `fill_card`,
    as `generate` adds missing parts).

    Raises
    ------
    BmzcardError
        For an unknown control id.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if control == WHOLE_CARD:
        return value
    if not is_control_id(control):
        raise BmzcardError(f"no such control {control!r}")
    document = parse_card(text, template)
    lines = list(document.lines)
    if control == TITLE:
        name = " ".join(value.split()) or "[Model Name]"
        heading = document.section(TITLE)
        if heading is None:
            return _add(document, Fact("title.name", name, _EDITED), template)
        lines[heading.line : heading.body_start] = [f"{'#' * heading.level} {name}"]
        return _join(document, lines)
    kind, _, key = control.partition(":")
    if kind == "f":
        section_key, _, field_key = key.partition(".")
        try:
            template_field = template.section(section_key).field(field_key)
        except KeyError:
            raise BmzcardError(f"no such template field {key!r}") from None
        value = value.strip("\n") if value.strip() else template_field.placeholder
        item = CardContext("", document, template=template).field(section_key, field_key)
        if item is None:
            return _add(document, Fact(key, value, _EDITED), template)
        lines[item.start : item.end] = field_lines(item.label, value)
        return _join(document, lines)
    if kind == "s":
        try:
            section = template.section(key)
        except KeyError:
            raise BmzcardError(f"no such template section {key!r}") from None
        heading = document.section(key)
        if not value.strip() and section.kind in (SectionKind.PROSE, SectionKind.TABLE):
            value = "\n".join(blank_body(section, template))
        if heading is None:
            if section.kind not in (SectionKind.PROSE, SectionKind.TABLE):
                raise BmzcardError(f"the card has no section {section.title!r} to edit")
            return _add(document, Fact(key, value, _EDITED), template)
        return _join(document, _with_body(lines, heading, value))
    own = own_headings(document)
    index = int(key)
    if index >= len(own):
        raise BmzcardError(f"the card has no section {control!r} any more; reload the form")
    return _join(document, _with_body(lines, own[index], value))


_EDITED = (Provenance("human", "bmzcard edit"),)


def _add(document: CardDocument, fact: Fact, template: Template) -> str:
    facts = FactSet()
    facts.add(fact)
    return fill_card(document, facts, template=template).text


def _body_text(document: CardDocument, heading: Heading | None) -> str:
    if heading is None:
        return ""
    start, end = body_span(document.lines, heading)
    return "\n".join(document.lines[start:end])


def _with_body(lines: list[str], heading: Heading, value: str) -> list[str]:
    """`lines` with a heading's body replaced, one blank line kept around it."""
    start, end = body_span(lines, heading)
    new = value.strip("\n").split("\n") if value.strip() else []
    if start == end:  # an empty body: the blank lines it had stay, the text goes after the heading
        start = end = heading.body_start
        if new:
            new = ["", *new] + ([""] if end < len(lines) and lines[end].strip() else [])
    return lines[:start] + new + lines[end:]


def _join(document: CardDocument, lines: list[str]) -> str:
    text = document.newline.join(lines)
    return text + document.newline if document.trailing_newline or not lines else text


def field_at(document: CardDocument, line: int, template: Template = TEMPLATE) -> str | None:
    """The control a 0-based line belongs to, for linking a finding to its field."""
    item: FieldItem | None = next((f for f in document.fields if f.start <= line < max(f.end, f.start + 1)), None)
    if item is not None and item.heading is not None and item.heading.section_key is not None:
        section = template.section(item.heading.section_key)
        wanted = normalize_title(item.label)
        for candidate in section.fields:
            if normalize_title(candidate.label) == wanted:
                return f"f:{section.key}.{candidate.key}"
    owner = None
    for heading in document.headings:
        if heading.line <= line:
            owner = heading
    if owner is None:
        return None
    if owner.section_key == TITLE:
        return TITLE if line == owner.line else f"s:{TITLE}"
    if owner.section_key is not None:
        return f"s:{owner.section_key}"
    return f"h:{own_headings(document).index(owner)}"
