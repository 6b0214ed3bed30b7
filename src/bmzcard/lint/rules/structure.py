"""Structure rules: the template's sections present, in order, at their levels."""

from __future__ import annotations

import bisect
import re
from typing import Iterator

from bmzcard.lint.findings import Severity, Violation
from bmzcard.lint.rule import CardContext, Rule, requirement_severity
from bmzcard.template import Section

# bioimageio.spec's own test (model/v0_5.py, `_validate_documentation`), over the whole file.
VALIDATION_PATTERN = re.compile("#.*[vV]alidation")


def subsections(card: CardContext, section: Section) -> list[Section]:
    """The template sections below `section`, up to the next one at its level or above."""
    sections = card.template.sections
    start = sections.index(section) + 1
    below = []
    for candidate in sections[start:]:
        if candidate.level <= section.level:
            break
        below.append(candidate)
    return below


def insertion_line(card: CardContext, section: Section) -> int:
    """Where a missing section belongs: at the next template section the card has, else the end."""
    sections = card.template.sections
    for following in sections[sections.index(section) + 1 :]:
        heading = card.heading(following.key)
        if heading is not None:
            return heading.line
    return max(len(card.lines) - 1, 0)


class MissingSection(Rule):
    """What it does
    ------------
    Reports a section of the BioImage Model Zoo template that the card lacks. When
    a whole group is missing (say "Uses" with "Direct Use", "Downstream Use" and
    "Out-of-Scope Use") it is reported once, at the group. The finding points at
    the line where the section belongs: the next template section the card has.

    Why is this bad?
    ----------------
    Reviewers and users look for the same headings in every card; a missing
    section is information nobody was asked to give. Required sections (the
    title, Model Description, Direct Use, Task Details, Training Data,
    Quantitative Results, Model Architecture and Objective, How to Get Started)
    are errors, the others warnings.

    Example
    -------
    ```markdown
    # My U-Net

    A 2D U-Net for nuclei.
    ```

    Use instead
    -----------
    Start from the template (`bmzcard init`, or `bmzcard generate PACKAGE` to
    fill it from the RDF) and write each section.
    """

    name = "missing-section"
    family = "structure"
    severity = Severity.WARNING
    summary = "A section of the model card template is missing."

    def check(self, card: CardContext) -> Iterator[Violation]:
        covered: set[str] = set()
        for section in card.template.sections:
            if section.key in covered or card.heading(section.key) is not None:
                continue
            below = subsections(card, section)
            if any(card.heading(s.key) is not None for s in below):
                message = f"section {_title(section)!r} is missing (level {section.level})"
                severity = requirement_severity(section.requirement)
            else:
                covered.update(s.key for s in below)
                severities = [requirement_severity(s.requirement) for s in (section, *below)]
                extra = f" with its {len(below)} subsection{'s' if len(below) > 1 else ''}" if below else ""
                message = f"section {_title(section)!r} is missing{extra} (level {section.level})"
                severity = max(severities)
            if section.key == "title":
                message = "the card has no title: a level-1 heading naming the model"
            yield Violation(insertion_line(card, section), message, severity=severity)


class SectionOrder(Rule):
    """What it does
    ------------
    Reports template sections that appear out of the template's order. The
    longest run of sections already in order is kept; each section outside it is
    reported once, naming the section it should follow.

    Why is this bad?
    ----------------
    Readers skim cards by position as much as by title: results before the
    training data, or the licence at the end, make two cards hard to compare.

    Example
    -------
    ```markdown
    # Evaluation
    ...
    # Training Details
    ```

    Use instead
    -----------
    Move the section back to its place. In a card built on the template (most
    of its headings are template sections), `bmzcard check --fix` reorders the
    template's sections, each with everything up to the next template section.
    """

    name = "section-order"
    family = "structure"
    severity = Severity.WARNING
    summary = "A template section is out of the template's order."
    fixable = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        order = {s.key: i for i, s in enumerate(card.template.sections)}
        present = [h for h in card.document.headings if h.section_key is not None]
        keep = set(map(id, longest_ordered_run(present, key=lambda h: order[h.section_key])))
        for heading in present:
            if id(heading) in keep:
                continue
            previous = [h for h in present if id(h) in keep and order[h.section_key] < order[heading.section_key]]
            where = f"after {previous[-1].title!r} (line {previous[-1].line + 1})" if previous else "earlier"
            yield Violation(heading.line, f"section {heading.title!r} is out of order; it belongs {where}")


def longest_ordered_run(items: list, key) -> list:
    """The longest subsequence of `items` whose keys increase (patience sorting, O(n log n))."""
    tails: list[int] = []  # key of the smallest tail of a run of each length
    tail_items: list[int] = []  # index in items of that tail
    previous = [-1] * len(items)
    for index, item in enumerate(items):
        value = key(item)
        position = bisect.bisect_left(tails, value)
        if position == len(tails):
            tails.append(value)
            tail_items.append(index)
        else:
            tails[position] = value
            tail_items[position] = index
        previous[index] = tail_items[position - 1] if position else -1
    run = []
    index = tail_items[-1] if tail_items else -1
    while index != -1:
        run.append(items[index])
        index = previous[index]
    return run[::-1]


class HeadingLevel(Rule):
    """What it does
    ------------
    Reports a template section whose heading level differs from the
    template's (for example `### Model Sources` where the template has `##`).

    Why is this bad?
    ----------------
    The heading level places a section in the card's outline; bioimage.io and
    GitHub build the table of contents from it, and `bmzcard` reads a
    subsection under the wrong parent.

    Example
    -------
    ```markdown
    # Model Details
    ### Model Description
    ```

    Use instead
    -----------
    ```markdown
    # Model Details
    ## Model Description
    ```
    In a card built on the template, `bmzcard check --fix` sets template
    sections to their levels.
    """

    name = "heading-level"
    family = "structure"
    severity = Severity.WARNING
    summary = "A template section's heading is at the wrong level."
    fixable = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        for heading in card.document.headings:
            if heading.section_key is None:
                continue
            wanted = card.template.section(heading.section_key).level
            if heading.level != wanted:
                yield Violation(
                    heading.line,
                    f"{heading.title!r} is a level-{heading.level} heading; the template has it at level {wanted}",
                )


class DuplicateSection(Rule):
    """What it does
    ------------
    Reports a second heading for a template section that the card already has.

    Why is this bad?
    ----------------
    Two "Training Data" sections leave readers (and `bmzcard generate`, which
    fills the first) unsure which one is current; usually one of them is a
    stale copy.

    Example
    -------
    ```markdown
    ## Training Data
    - **Source:** BBBC038
    ...
    ## Training Data
    ```

    Use instead
    -----------
    Merge the two sections into the first one and delete the second.
    """

    name = "duplicate-section"
    family = "structure"
    severity = Severity.WARNING
    summary = "A template section appears twice."

    def check(self, card: CardContext) -> Iterator[Violation]:
        for heading in card.document.headings:
            if heading.section_key is not None:
                continue
            section = card.template.find_title(heading.title)
            if section is None or section.key == "title":
                continue
            first = card.heading(section.key)
            if first is not None and first.line < heading.line:
                yield Violation(heading.line, f"section {heading.title!r} appears again (first at line {first.line + 1})")


class NoValidationHeading(Rule):
    """What it does
    ------------
    Reports a card in which no line matches `#.*[vV]alidation`, the test that
    bioimageio.spec applies to a model's documentation.

    Why is this bad?
    ----------------
    bioimageio.spec (and so the zoo's upload checks) warns "No '# Validation'
    (sub)section found" for such a card: reviewers expect to read how the model
    was validated.

    Example
    -------
    ```markdown
    # Evaluation
    ## Results
    ```

    Use instead
    -----------
    ```markdown
    # Evaluation
    ## Results
    ### Validation on External Data
    ```
    The template's "Validation on External Data" heading satisfies the check.
    """

    name = "no-validation-heading"
    family = "structure"
    severity = Severity.WARNING
    summary = "No heading mentions validation (bioimageio.spec warns)."

    def check(self, card: CardContext) -> Iterator[Violation]:
        if VALIDATION_PATTERN.search(card.text) is None:
            yield Violation(0, "no heading mentions validation; bioimageio.spec warns \"No '# Validation' (sub)section found\"")


class HeadingIncrement(Rule):
    """What it does
    ------------
    Reports a heading more than one level below the heading before it (a `###`
    directly under a `#`).

    Why is this bad?
    ----------------
    A skipped level makes an outline with a hole in it: tables of contents
    indent wrongly and screen readers announce a structure that is not there.

    Example
    -------
    ```markdown
    # Evaluation
    ### Metrics
    ```

    Use instead
    -----------
    ```markdown
    # Evaluation
    ## Testing Data, Factors & Metrics
    ### Metrics
    ```
    `bmzcard check --fix` raises such a heading to one level below its parent
    (template sections go to their template level).
    """

    name = "heading-increment"
    family = "structure"
    severity = Severity.INFO
    summary = "A heading skips a level."
    fixable = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        headings = card.document.headings
        for previous, heading in zip(headings, headings[1:]):
            if heading.level > previous.level + 1:
                yield Violation(
                    heading.line,
                    f"level-{heading.level} heading {heading.title!r} follows a level-{previous.level} heading",
                )


class EmptyCard(Rule):
    """What it does
    ------------
    Reports a card with no text at all (an empty file, or only blank lines or
    front matter). No other rule runs on such a card.

    Why is this bad?
    ----------------
    An empty documentation file passes packaging but tells users nothing; zoo
    reviewers reject it.

    Example
    -------
    A `README.md` of zero bytes.

    Use instead
    -----------
    Write the card: `bmzcard generate PACKAGE` fills the template from the RDF.
    """

    name = "empty-card"
    family = "structure"
    severity = Severity.ERROR
    summary = "The card is empty."

    def check(self, card: CardContext) -> Iterator[Violation]:
        if is_empty(card):
            yield Violation(0, "the card is empty")


def is_empty(card: CardContext) -> bool:
    return not any(line.strip() for line in card.lines[card.document.front_matter_end :])


class TableShape(Rule):
    """What it does
    ------------
    Reports a table row whose number of cells differs from the table's header.

    Why is this bad?
    ----------------
    Renderers drop surplus cells and leave missing ones empty, so a value can
    silently land under the wrong metric or condition.

    Example
    -------
    ```markdown
    | Metric | Overall | Fixed |
    |--------|---------|-------|
    | Dice   | 0.91 ± 0.03 |
    ```

    Use instead
    -----------
    ```markdown
    | Metric | Overall     | Fixed |
    |--------|-------------|-------|
    | Dice   | 0.91 ± 0.03 |       |
    ```
    `bmzcard check --fix` pads short rows and aligns the pipes; it never drops
    a cell (a row longer than the header is left for a person to decide).
    """

    name = "table-shape"
    family = "structure"
    severity = Severity.WARNING
    summary = "A table row has more or fewer cells than the header."
    fixable = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        for start, end in card.document.tables:
            width = len(table_cells(card.lines[start]))
            for index in range(start + 1, end):
                cells = table_cells(card.lines[index])
                if len(cells) != width:
                    yield Violation(index, f"table row has {len(cells)} cells; the header has {width}")


def table_cells(line: str) -> list[str]:
    """The cells of one pipe-table line; escaped pipes (`\\|`) stay inside their cell."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", text)]


class Whitespace(Rule):
    """What it does
    ------------
    Reports, once per card, whitespace that carries no meaning: spaces or tabs
    at the end of a line (other than the two or more spaces of a Markdown line
    break before more text), lines holding only spaces, more than one blank line in a row, and a
    missing newline at the end of the file.

    Why is this bad?
    ----------------
    Invisible changes make noisy diffs in review, and some editors and
    pre-commit hooks rewrite them anyway.

    Example
    -------
    ```markdown
    # Uses␠

    ␠␠

    ## Direct Use
    ```

    Use instead
    -----------
    `bmzcard check --fix` removes them (never inside code blocks, never a line
    break's two spaces).
    """

    name = "whitespace"
    family = "structure"
    severity = Severity.INFO
    summary = "Trailing whitespace, repeated blank lines or no final newline."
    fixable = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        problems = whitespace_problems(card)
        if problems:
            first = min(problems)
            kinds = ", ".join(sorted(set(problems.values())))
            yield Violation(first, f"{len(problems)} lines with stray whitespace ({kinds}); first at line {first + 1}")


def whitespace_problems(card: CardContext) -> dict[int, str]:
    """Line index -> what is wrong with its whitespace, outside code blocks."""
    problems: dict[int, str] = {}
    blank_run = 0
    for index, line in enumerate(card.lines):
        if card.document.in_code(index):
            blank_run = 0
            continue
        if not line.strip():
            blank_run += 1
            if line:
                problems[index] = "whitespace-only line"
            elif blank_run > 1:
                problems[index] = "repeated blank line"
            continue
        blank_run = 0
        trailing = len(line) - len(line.rstrip())
        following = card.lines[index + 1] if index + 1 < len(card.lines) else ""
        if trailing and not is_hard_break(line, following):
            problems[index] = "trailing whitespace"
    if card.lines and not card.document.trailing_newline:
        problems.setdefault(len(card.lines) - 1, "no final newline")
    return problems


def is_hard_break(line: str, following: str) -> bool:
    """Two or more trailing spaces before more text: a Markdown line break, which is content.

    At the end of a paragraph (a blank line or the end of the file next) the
    spaces render as nothing.
    """
    stripped = line.rstrip(" ")
    return len(line) - len(stripped) >= 2 and stripped == stripped.rstrip() and bool(following.strip())


_NO_SPACE_HEADING = re.compile(r"^ {0,3}(#{1,6})(?=[^#\s])")


class HeadingWithoutSpace(Rule):
    """What it does
    ------------
    Reports a line that starts like a heading but has no space after the `#`
    marks (`#Training Data`), which Markdown renders as a plain paragraph.

    Why is this bad?
    ----------------
    The author meant a heading: the section is missing from the outline, the
    table of contents and every check that looks for it.

    Example
    -------
    ```markdown
    #Covid-IF Training Data
    ```

    Use instead
    -----------
    ```markdown
    # Covid-IF Training Data
    ```
    `bmzcard check --fix` inserts the space.
    """

    name = "heading-without-space"
    family = "structure"
    severity = Severity.WARNING
    summary = "A `#` heading has no space after the marks, so it is no heading."
    fixable = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        headings = {h.line for h in card.document.headings}
        for index, line in card.prose_lines():
            if index not in headings and no_space_heading(line):
                yield Violation(index, f"{line.strip()[:50]!r} is not a heading: put a space after the '#'")


def no_space_heading(line: str) -> bool:
    """`#Title` at the start of a line (not `#123` or a `#!` line, which read as text on purpose)."""
    match = _NO_SPACE_HEADING.match(line)
    return match is not None and line[match.end()].isalpha()


def _title(section: Section) -> str:
    return "Model Name" if section.key == "title" else section.title
