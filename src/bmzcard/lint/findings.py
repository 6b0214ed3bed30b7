"""What a rule reports: a finding with a code, a severity and a place in a file."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """How bad a finding is, on a numeric scale so thresholds compare (as bioimageio.spec does)."""

    INFO = 20
    WARNING = 30
    ERROR = 50

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Violation:
    """What a rule yields: where (0-based line and column) and what; the engine adds the code.

    `severity` overrides the rule's default, for rules whose findings matter more
    in required sections than in optional ones.
    """

    line: int
    message: str
    column: int = 0
    severity: Severity | None = None


@dataclass(frozen=True)
class Finding:
    """One problem in one file; `line` and `column` are 1-based, as editors count."""

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity.label,
            "message": self.message,
            "line": self.line,
            "column": self.column,
        }
