"""How template parts are written as Markdown: headings, fields, bodies, the blank card."""

from __future__ import annotations

from bmzcard.card.placeholders import TODO
from bmzcard.template import TEMPLATE, Section, SectionKind, Template
from bmzcard.template.bioimageio import TOC_SECTIONS

TITLE_PLACEHOLDER = "[Model Name]"


def heading_line(section: Section, title: str | None = None) -> str:
    return f"{'#' * section.level} {title or section.title}"


def field_lines(label: str, value: str) -> list[str]:
    """`- **Label:** value`; further lines indented so they stay inside the item.

    A value that starts with a block (a table, a list, an image) begins on the
    next line, after a blank one, as Markdown needs for a table in a list item.
    """
    first, *rest = value.strip("\n").split("\n")
    if first.lstrip().startswith(("|", "- ", "* ", "!", "```")):
        # a table needs a blank line above it inside a list item; a list does not
        rest = ([""] if first.lstrip().startswith(("|", "```")) else []) + [first, *rest]
        first = ""
    lines = [f"- **{label}:** {first}".rstrip()]
    lines += [f"  {line}".rstrip() if line.strip() else "" for line in rest]
    return lines


def todo_guidance(guidance: tuple[str, ...]) -> list[str]:
    """The template's guidance with a TODO marker on its first line."""
    lines = list(guidance)
    if lines:
        lines[0] = f"{TODO} {lines[0]}"
    return lines


def toc_lines(template: Template = TEMPLATE) -> list[str]:
    return [f"- [{template.section(k).title}]({template.section(k).anchor})" for k in TOC_SECTIONS]


def blank_body(section: Section, template: Template = TEMPLATE) -> list[str]:
    """The body of a section nobody has written: guidance and TODO markers."""
    if section.key == "table_of_contents":
        return toc_lines(template)
    if section.kind is SectionKind.FIELDS:
        lines = [*section.guidance, ""] if section.guidance else []
        for field in section.fields:
            lines += field_lines(field.label, field.placeholder)
        if section.static_body:
            lines += ["", *section.static_body]
        return lines
    if section.kind in (SectionKind.PROSE, SectionKind.TABLE):
        return todo_guidance(section.guidance)
    return [*section.guidance, *section.static_body]


def section_block(section: Section, body: list[str], title: str | None = None) -> list[str]:
    """Heading, blank line, body, blank line: one section as the card holds it."""
    lines = ["---", ""] if section.rule_before else []
    lines.append(heading_line(section, title))
    if body:
        lines += ["", *body]
    return lines + [""]


def blank_card(template: Template = TEMPLATE) -> str:
    """The template as a card for a new model: every heading, field and guidance."""
    lines: list[str] = []
    for section in template.sections:
        title = TITLE_PLACEHOLDER if section.key == "title" else None
        lines += section_block(section, blank_body(section, template), title)
    lines += list(template.footer)
    return "\n".join(lines) + "\n"
