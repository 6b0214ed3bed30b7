"""The one table of rule codes: code -> rule, status and the version it appeared in.

Codes are stable: a rule keeps its code for life, and a removed rule's code is
listed as removed and never given to another rule. Prefixes name the family:
S structure, P placeholders and completeness, C consistency with the RDF,
E evaluation sanity, L links and media, I environmental impact, V verification
(re-computes evaluations; preview: runs with `check --verify`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bmzcard.errors import BmzcardError
from bmzcard.lint.rule import Rule
from bmzcard.lint.rules import consistency as c
from bmzcard.lint.rules import evaluation as e
from bmzcard.lint.rules import impact as i
from bmzcard.lint.rules import links as l
from bmzcard.lint.rules import placeholders as p
from bmzcard.lint.rules import structure as s
from bmzcard.lint.verify import RecomputedResults


class Status(enum.Enum):
    STABLE = "stable"
    PREVIEW = "preview"  # runs only when selected by its full code
    REMOVED = "removed"  # the code stays reserved; nothing runs


@dataclass(frozen=True)
class Entry:
    code: str
    rule: type[Rule] | None  # None once removed
    status: Status
    since: str  # bmzcard version that introduced the code


FAMILIES = {
    "S": "structure",
    "P": "placeholders",
    "C": "consistency",
    "E": "evaluation",
    "L": "links",
    "I": "impact",
    "V": "verify",
}

_STABLE, _PREVIEW = Status.STABLE, Status.PREVIEW

ENTRIES: tuple[Entry, ...] = (
    Entry("S001", s.MissingSection, _STABLE, "0.1.0"),
    Entry("S002", s.SectionOrder, _STABLE, "0.1.0"),
    Entry("S003", s.HeadingLevel, _STABLE, "0.1.0"),
    Entry("S004", s.DuplicateSection, _STABLE, "0.1.0"),
    Entry("S005", s.NoValidationHeading, _STABLE, "0.1.0"),
    Entry("S006", s.HeadingIncrement, _STABLE, "0.1.0"),
    Entry("S007", s.EmptyCard, _STABLE, "0.1.0"),
    Entry("S008", s.TableShape, _STABLE, "0.1.0"),
    Entry("S009", s.Whitespace, _STABLE, "0.1.0"),
    Entry("S010", s.HeadingWithoutSpace, _STABLE, "0.1.0"),
    Entry("P001", p.TemplateGuidance, _STABLE, "0.1.0"),
    Entry("P002", p.UnfilledField, _STABLE, "0.1.0"),
    Entry("P003", p.BracketPlaceholder, _STABLE, "0.1.0"),
    Entry("P004", p.ExampleResults, _STABLE, "0.1.0"),
    Entry("P005", p.TodoMarker, _STABLE, "0.1.0"),
    Entry("P006", p.EmptyBullet, _STABLE, "0.1.0"),
    Entry("P007", p.MissingField, _STABLE, "0.1.0"),
    Entry("P008", p.EmptySection, _STABLE, "0.1.0"),
    Entry("C001", c.NameMismatch, _STABLE, "0.1.0"),
    Entry("C002", c.LicenseMismatch, _STABLE, "0.1.0"),
    Entry("C003", c.AuthorsMissing, _STABLE, "0.1.0"),
    Entry("C004", c.DimensionMismatch, _STABLE, "0.1.0"),
    Entry("C005", c.PixelSizeMismatch, _STABLE, "0.1.0"),
    Entry("C006", c.FrameworkMismatch, _STABLE, "0.1.0"),
    Entry("C007", c.EvaluationLeakage, _STABLE, "0.1.0"),
    Entry("C008", c.ResultsMismatch, _STABLE, "0.1.0"),
    Entry("C009", c.Co2Units, _STABLE, "0.1.0"),
    Entry("C010", c.FormatVersionMismatch, _STABLE, "0.1.0"),
    Entry("C011", c.TensorMismatch, _STABLE, "0.1.0"),
    Entry("C012", c.FrameworkClaim, _STABLE, "0.1.0"),
    Entry("E001", e.MetricOutOfRange, _STABLE, "0.1.0"),
    Entry("E002", e.MissingSpread, _STABLE, "0.1.0"),
    Entry("E003", e.MissingSampleCount, _STABLE, "0.1.0"),
    Entry("E004", e.IouAboveDice, _STABLE, "0.1.0"),
    Entry("L001", l.MalformedLink, _STABLE, "0.1.0"),
    Entry("L002", l.MissingLocalFile, _STABLE, "0.1.0"),
    Entry("L003", l.ImageAltText, _STABLE, "0.1.0"),
    Entry("L004", l.BrokenAnchor, _STABLE, "0.1.0"),
    Entry("L005", l.UnreachableLink, _STABLE, "0.1.0"),
    Entry("I001", i.CarbonWithoutBasis, _STABLE, "0.1.0"),
    Entry("I002", i.CarbonUnit, _STABLE, "0.1.0"),
    Entry("I003", i.CarbonEstimateMismatch, _STABLE, "0.1.0"),
    Entry("V001", RecomputedResults, _PREVIEW, "0.1.0"),
)

BY_CODE = {entry.code: entry for entry in ENTRIES}


def active_entries() -> list[Entry]:
    return [entry for entry in ENTRIES if entry.status is not Status.REMOVED]


def resolve(selectors: list[str] | None) -> list[Entry]:
    """The entries a list of codes or prefixes names (`P`, `S00`, `C003`, `ALL`).

    Raises
    ------
    BmzcardError
        For a selector that names no code.
    """
    if not selectors:
        return []
    chosen = []
    for selector in selectors:
        wanted = selector.strip().upper()
        if wanted == "ALL":
            matches = active_entries()
        else:
            matches = [e for e in active_entries() if e.code.startswith(wanted)]
        if not matches:
            raise BmzcardError(f"no rule has the code or prefix {selector!r}; see `bmzcard rules`")
        chosen += [m for m in matches if m not in chosen]
    return chosen


def selected(select: list[str] | None, ignore: list[str] | None) -> list[Entry]:
    """The rules to run: `select` (default: every stable rule) less `ignore`.

    A preview rule runs only when `select` names its full code, so a new rule
    never changes a CI result before someone asks for it.
    """
    if select:
        named = {c.strip().upper() for c in select}
        chosen = {e.code for e in resolve(select) if e.status is Status.STABLE or e.code in named}
    else:
        chosen = {e.code for e in ENTRIES if e.status is Status.STABLE}
    chosen -= {e.code for e in resolve(ignore)}
    return [e for e in ENTRIES if e.code in chosen]
