"""Placeholder and completeness rules: template text nobody replaced, content nobody wrote.

What counts as a placeholder is decided in `bmzcard.card.placeholders`, which
`generate` uses too, so a card `generate` wrote is judged by the same test that
decided what it may fill.
"""

from __future__ import annotations

import re
from typing import Iterator

from bmzcard.card.placeholders import bracket_placeholders, score_placeholders, todo_markers
from bmzcard.lint.findings import Severity, Violation
from bmzcard.lint.rule import CardContext, Rule, requirement_severity
from bmzcard.template import Section, SectionKind
from bmzcard.template.model import normalize_title


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TemplateGuidance(Rule):
    """What it does
    ------------
    Reports each block of the template's guidance left in the card (once, at
    its first line): the italic instructions (`*Describe biases in training
    data or model behavior:*`) with their example bullets, the example
    results table, and the same lines marked `TODO` as `bmzcard generate`
    writes them where it had nothing to fill in.

    Why is this bad?
    ----------------
    Guidance reads like content at a glance, so a card that still carries it
    looks finished while saying nothing about the model. In a required section
    it is an error, elsewhere a warning; the one line introducing a group of
    sections ("Bias, Risks, and Limitations") is an info, since its
    subsections hold the content.

    Example
    -------
    ```markdown
    ## Known Biases

    *Describe biases in training data or model behavior:*
    - *Species-specific training data limitations*
    ```

    Use instead
    -----------
    ```markdown
    ## Known Biases

    Trained on mouse tissue only; expect lower recall on human samples.
    ```
    """

    name = "template-guidance"
    family = "placeholders"
    severity = Severity.WARNING
    summary = "Template guidance text was left in the card."

    def check(self, card: CardContext) -> Iterator[Violation]:
        for first, count, section in guidance_blocks(card):
            # A group heading's guidance introduces its subsections, which carry the content.
            severity = Severity.INFO if section.kind is SectionKind.HEADING else requirement_severity(section.requirement)
            more = f" (and {count - 1} more line{'s' if count > 2 else ''})" if count > 1 else ""
            yield Violation(
                first,
                f"template guidance left in the card: {_quote(card.lines[first].strip())!r}{more}",
                severity=severity,
            )


def guidance_blocks(card: CardContext) -> list[tuple[int, int, Section]]:
    """(first line, line count, section) of each run of guidance lines, blank lines and fields inside a run allowed."""
    blocks: list[list] = []
    previous = -1
    for index, section in sorted(card.guidance_lines.items()):
        between = range(previous + 1, index)
        joined = blocks and blocks[-1][2] is section and all(
            not card.lines[i].strip() or i in card.placeholder_fields or _in_table(card.lines[i]) for i in between)
        if joined:
            blocks[-1][1] += 1
        else:
            blocks.append([index, 1, section])
        previous = index
    return [tuple(block) for block in blocks]


def _in_table(line: str) -> bool:
    return line.lstrip().startswith("|")


class UnfilledField(Rule):
    """What it does
    ------------
    Reports a `- **Label:** value` field whose value is still a placeholder:
    the template's `*[guidance]*`, a `TODO` marker, or nothing at all.

    Why is this bad?
    ----------------
    An unfilled field is a question the card leaves open. Required fields
    (Developed by, Model type, License, Task type, Framework, ...) are errors;
    the others warnings.

    Example
    -------
    ```markdown
    - **License:** *[License name and link]*
    - **Funded by:** TODO *[Funding agency, grant number if applicable]*
    ```

    Use instead
    -----------
    ```markdown
    - **License:** [MIT](https://spdx.org/licenses/MIT)
    - **Funded by:** Not applicable
    ```
    Write "Not applicable" rather than deleting a field that does not apply,
    so readers see it was considered.
    """

    name = "unfilled-field"
    family = "placeholders"
    severity = Severity.WARNING
    summary = "A field's value is still a placeholder or empty."

    def check(self, card: CardContext) -> Iterator[Violation]:
        for index, (item, requirement) in sorted(card.placeholder_fields.items()):
            if index in card.guidance_lines:
                continue
            yield Violation(index, f"field {item.label!r} is not filled in", severity=requirement_severity(requirement))


class BracketPlaceholder(Rule):
    """What it does
    ------------
    Reports a `[...]` placeholder in the text, such as the template's title
    `# [Model Name]` or `*[GPU/CPU specifications]*` pasted into prose. Links,
    footnotes, citations like `[3]` and bracketed values with numbers
    (`[500 images, 1024x768]`) are not placeholders.

    Why is this bad?
    ----------------
    A bracketed placeholder renders as plain text, so the card shows
    "[Model Name]" to every reader.

    Example
    -------
    ```markdown
    # [Model Name]
    ```

    Use instead
    -----------
    ```markdown
    # NucleiSegmentationBoundaryModel
    ```
    """

    name = "bracket-placeholder"
    family = "placeholders"
    severity = Severity.WARNING
    summary = "A `[...]` placeholder was left in the text."

    def check(self, card: CardContext) -> Iterator[Violation]:
        for index, line in card.prose_lines():
            if card.is_placeholder_line(index):
                continue
            for column, text in bracket_placeholders(line):
                section = card.section_of_line(index)
                if card.heading("title") is not None and card.heading("title").line == index:
                    severity = Severity.ERROR
                else:
                    severity = requirement_severity(section.requirement) if section else Severity.WARNING
                yield Violation(index, f"placeholder {text!r} left in the text", column, severity)


class ExampleResults(Rule):
    """What it does
    ------------
    Reports the template's example numbers and conditions where they were
    kept: `0.XX ± 0.XX`, `Condition A`, `Condition B`, `Condition C`.

    Why is this bad?
    ----------------
    A results table with example entries claims an evaluation that was never
    run, or hides the one that was.

    Example
    -------
    ```markdown
    | Metric | Overall     | Condition A |
    |--------|-------------|-------------|
    | Dice   | 0.91 ± 0.03 | 0.XX ± 0.XX |
    ```

    Use instead
    -----------
    ```markdown
    | Metric | Overall     | Confocal    |
    |--------|-------------|-------------|
    | Dice   | 0.91 ± 0.03 | 0.88 ± 0.05 |
    ```
    Name the real conditions, or drop the columns you did not evaluate.
    """

    name = "example-results"
    family = "placeholders"
    severity = Severity.ERROR
    summary = "Example results (`0.XX`, `Condition A`) were left in the card."

    def check(self, card: CardContext) -> Iterator[Violation]:
        for index, line in card.prose_lines():
            if card.is_placeholder_line(index):
                continue
            found = score_placeholders(line)
            if found:
                texts = ", ".join(sorted({text for _, text in found}))
                yield Violation(index, f"example results left in the card: {texts}", found[0][0])


class TodoMarker(Rule):
    """What it does
    ------------
    Reports `TODO`, `TBD` and `FIXME` markers (upper case) in the text, other
    than those `bmzcard generate` puts on guidance and unfilled fields (which
    are reported as such).

    Why is this bad?
    ----------------
    A marker is a note from the author to themself; in a published card it
    tells users that something is known to be missing.

    Example
    -------
    ```markdown
    Trained for 200 epochs (TODO: check the learning rate schedule).
    ```

    Use instead
    -----------
    ```markdown
    Trained for 200 epochs; learning rate 1e-4, halved every 50 epochs.
    ```
    """

    name = "todo-marker"
    family = "placeholders"
    severity = Severity.WARNING
    summary = "A TODO, TBD or FIXME marker was left in the text."

    def check(self, card: CardContext) -> Iterator[Violation]:
        for index, line in card.prose_lines():
            if card.is_placeholder_line(index):
                continue
            for column, text in todo_markers(line):
                yield Violation(index, f"{text} marker left in the text", column)


_EMPTY_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s*$")


class EmptyBullet(Rule):
    """What it does
    ------------
    Reports a list item with nothing in it (`- ` alone on a line).

    Why is this bad?
    ----------------
    An empty bullet is a point the author meant to make and did not; it
    renders as a stray dot.

    Example
    -------
    ```markdown
    ## Limitations
    - Needs 0.1-0.3 µm pixels
    -
    ```

    Use instead
    -----------
    ```markdown
    ## Limitations
    - Needs 0.1-0.3 µm pixels
    - Fails on saturated images
    ```
    """

    name = "empty-bullet"
    family = "placeholders"
    severity = Severity.WARNING
    summary = "A list item is empty."

    def check(self, card: CardContext) -> Iterator[Violation]:
        for index, _ in card.prose_lines():
            # The line as written: inline code blanked out would look empty.
            if _EMPTY_BULLET.match(card.lines[index]) and not _is_setext_underline(card, index):
                yield Violation(index, "empty list item")


def _is_setext_underline(card: CardContext, index: int) -> bool:
    """`-` under a line of text makes that line a heading, not an empty list item."""
    return any(h.line < index < h.body_start for h in card.document.headings)


class MissingField(Rule):
    """What it does
    ------------
    Reports a field of the template that a section present in the card does
    not have (a Model Description without `- **License:**`, say).

    Why is this bad?
    ----------------
    The template's fields are the questions reviewers ask of every model. A
    field that is absent was never considered; a field that does not apply
    should say so. Required fields are errors, the others warnings.

    Example
    -------
    ```markdown
    ## Model Description
    - **Developed by:** A. Kreshuk, EMBL
    - **Model type:** 2D U-Net
    ```

    Use instead
    -----------
    ```markdown
    ## Model Description
    - **Developed by:** A. Kreshuk, EMBL
    - **Funded by:** Not applicable
    - **Model type:** 2D U-Net
    - **License:** MIT
    ```
    """

    name = "missing-field"
    family = "placeholders"
    severity = Severity.WARNING
    summary = "A template field is missing from its section."

    def check(self, card: CardContext) -> Iterator[Violation]:
        for section in card.template.sections:
            heading = card.heading(section.key)
            if heading is None or section.kind is not SectionKind.FIELDS:
                continue
            labels = {normalize_title(item.label) for item in card.document.fields_of(heading)}
            for field in section.fields:
                if normalize_title(field.label) not in labels:
                    yield Violation(
                        heading.line,
                        f"field {field.label!r} is missing from {section.title!r}",
                        severity=requirement_severity(field.requirement),
                    )


class EmptySection(Rule):
    """What it does
    ------------
    Reports a template section whose heading is there with nothing under it
    (no text before the next heading). Sections that only group subsections
    (like "Uses") are not reported.

    Why is this bad?
    ----------------
    An empty section promises content and gives none. Required sections are
    errors, the others warnings.

    Example
    -------
    ```markdown
    # How to Get Started with the Model

    # Glossary
    ```

    Use instead
    -----------
    ```markdown
    # How to Get Started with the Model

    Open the model in deepImageJ, or run `bioimageio predict`.
    ```
    """

    name = "empty-section"
    family = "placeholders"
    severity = Severity.WARNING
    summary = "A template section has a heading and no content."

    def check(self, card: CardContext) -> Iterator[Violation]:
        for heading in card.document.headings:
            if heading.section_key is None:
                continue
            section = card.template.section(heading.section_key)
            if section.kind in (SectionKind.HEADING, SectionKind.STATIC):
                continue
            body = card.document.body(heading)
            if all(not line.strip() or line.strip() == "---" for line in body):
                what = "has no summary below it" if section.key == "title" else "is empty"
                yield Violation(
                    heading.line,
                    f"section {heading.title!r} {what}",
                    severity=requirement_severity(section.requirement),
                )
