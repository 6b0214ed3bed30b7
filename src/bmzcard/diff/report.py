"""What a diff finds, as one report that every output format is written from.

`DiffReport.to_json` is the documented JSON contract (docs/diff.md, checked
against docs/diff.schema.json by the tests): `old`, `new`, `changes`,
`metrics`, `findings`, `completeness`, `warnings`, `summary`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bmzcard.diff.evaluation import MetricRow

SCHEMA = "bmzcard.diff/1"


@dataclass(frozen=True)
class Change:
    """One change from OLD to NEW, classified by a rule of `bmzcard.diff.rules`."""

    path: str  # `inputs.raw.axes.y.size.step`, `card.model_details`, `weights.onnx.file_size`
    kind: str  # added, removed, changed
    old: Any
    new: Any
    rule: str
    breaking: bool
    section: str
    message: str
    detail: dict[str, Any] | None = None  # word runs of a card section; arrays compared with --numeric

    def to_json(self) -> dict[str, Any]:
        data = {
            "path": self.path,
            "kind": self.kind,
            "old": self.old,
            "new": self.new,
            "breaking": self.breaking,
            "section": self.section,
            "rule": self.rule,
            "message": self.message,
        }
        if self.detail is not None:
            data["detail"] = self.detail
        return data


@dataclass(frozen=True)
class DiffWarning:
    """A finding about the change as a whole (version not bumped, numbers not comparable...)."""

    rule: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


@dataclass
class DiffReport:
    old: dict[str, Any]
    new: dict[str, Any]
    unrelated: bool = False
    changes: list[Change] = field(default_factory=list)
    metrics: list[MetricRow] = field(default_factory=list)
    findings_new: list[dict[str, Any]] = field(default_factory=list)
    findings_fixed: list[dict[str, Any]] = field(default_factory=list)
    completeness: dict[str, float | None] | None = None
    warnings: list[DiffWarning] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    @property
    def metrics_changed(self) -> list[MetricRow]:
        return [m for m in self.metrics if m.changed]

    @property
    def has_changes(self) -> bool:
        return bool(self.changes or self.metrics_changed)

    def only_breaking(self) -> DiffReport:
        """The same report with the breaking changes only (metrics and findings dropped)."""
        return DiffReport(self.old, self.new, self.unrelated, self.breaking, warnings=list(self.warnings))

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "old": self.old,
            "new": self.new,
            "unrelated": self.unrelated,
            "changes": [c.to_json() for c in self.changes],
            "metrics": [m.to_json() for m in self.metrics],
            "findings": {"new": self.findings_new, "fixed": self.findings_fixed},
            "completeness": self.completeness,
            "warnings": [w.to_json() for w in self.warnings],
            "summary": {
                "changes": len(self.changes),
                "breaking": len(self.breaking),
                "metrics_changed": len(self.metrics_changed),
                "findings_new": len(self.findings_new),
                "findings_fixed": len(self.findings_fixed),
            },
        }
