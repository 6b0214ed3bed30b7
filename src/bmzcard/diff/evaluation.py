"""Evaluation numbers of two versions, metric by factor level: old, new, change.

The numbers come from `config.bioimageio.evaluations` (what `bmzcard
evaluate --write-card` writes, and what authors write by hand); a side with
none there falls back to its card's results tables. The 95% confidence
interval of an old value comes from the evaluation summary its sidecar names
(`evaluation/summary.json`), and the manifest's hash from the sidecar: when
the data set, its role, sample count or manifest hash differ, the numbers are
reported but called not comparable.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from bmzcard.diff.sides import Side
from bmzcard.lint.results import parse_value, results_tables

MAX_SUMMARY_BYTES = 50_000_000
_JSON_NAME = re.compile(r"\(`([^`]+)` in the JSON result\)")


@dataclass(frozen=True)
class Number:
    mean: float
    ci: tuple[float, float] | None = None


@dataclass
class Dataset:
    """One evaluation of one side: its numbers by (metric, level) and what identifies its data."""

    key: str  # "dataset_id (role)", or "card" for numbers read from the card's tables
    values: dict[tuple[str, str], Number]
    identity: dict[str, Any]  # source, sample count, manifest hash: equal when comparable


@dataclass(frozen=True)
class MetricRow:
    dataset: str
    metric: str
    level: str
    old: float | None
    new: float | None
    delta: float | None
    outside_ci: bool | None  # NEW outside OLD's 95% interval; None when OLD has no interval
    comparable: bool

    @property
    def changed(self) -> bool:
        return self.old is None or self.new is None or self.old != self.new

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "metric": self.metric,
            "level": self.level,
            "old": _finite(self.old),
            "new": _finite(self.new),
            "delta": _finite(self.delta),
            "outside_ci": self.outside_ci,
            "comparable": self.comparable,
        }


def _finite(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


def datasets(side: Side, evaluations: list[Any]) -> dict[str, Dataset]:
    """A side's evaluations by key, from the RDF entries (`evaluations`) or else the card's tables."""
    found: dict[str, Dataset] = {}
    for entry in evaluations:
        if isinstance(entry, dict):
            dataset = _from_entry(side, entry)
            found.setdefault(dataset.key, dataset)
    if not found and side.card is not None:
        values: dict[tuple[str, str], Number] = {}
        for table in results_tables(side.card.document):
            for value in table.values:
                values.setdefault((value.metric_label, value.condition or "Overall"), Number(value.mean))
        if values:
            found["card"] = Dataset("card", values, {})
    return found


def _from_entry(side: Side, entry: dict) -> Dataset:
    dataset_id = str(entry.get("dataset_id", "?"))
    role = str(entry.get("dataset_role", "unknown"))
    metrics = [str(m) for m in entry.get("metrics") or []]
    levels = [str(f) for f in entry.get("evaluation_factors") or []]
    results = entry.get("results") or []
    record = _sidecar_record(side, dataset_id)
    summary = _summary(side, record)
    json_names = [_json_name(text) for text in entry.get("metrics_long") or []]
    values: dict[tuple[str, str], Number] = {}
    for row_index, metric in enumerate(metrics):
        row = results[row_index] if row_index < len(results) and isinstance(results[row_index], list) else []
        for column, level in enumerate(levels):
            mean = _mean(row[column]) if column < len(row) else None
            if mean is None:
                continue
            json_name = json_names[row_index] if row_index < len(json_names) else None
            values[(metric, level)] = Number(mean, _interval(summary, json_name, level))
    identity = {
        "dataset_source": entry.get("dataset_source"),
        "sample_count": entry.get("sample_count"),
        "manifest_sha256": record.get("manifest_sha256") if record else None,
    }
    return Dataset(f"{dataset_id} ({role})", values, identity)


def _mean(cell: Any) -> float | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        return float(cell)
    parsed = parse_value(str(cell)) if cell is not None else None
    return None if parsed is None else parsed[0]


def _json_name(text: Any) -> str | None:
    match = _JSON_NAME.search(str(text))
    return match.group(1) if match else None


def _sidecar_record(side: Side, dataset_id: str) -> dict[str, Any]:
    """The sidecar's evaluation record when it is the record of this data set."""
    record = side.sidecar.get("evaluation")
    if not isinstance(record, dict):
        return {}
    entry = record.get("entry")
    return record if isinstance(entry, dict) and entry.get("dataset_id") == dataset_id else {}


def _summary(side: Side, record: dict[str, Any]) -> dict[str, Any]:
    """The evaluation summary (`{metric: {level: {..., ci_low, ci_high}}}`) the record names, if readable."""
    name = record.get("json")
    if not isinstance(name, str) or side.card_folder is None:
        return {}
    path = side.card_folder / name
    try:
        if not path.is_file() or path.stat().st_size > MAX_SUMMARY_BYTES:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    summary = data.get("summary") if isinstance(data, dict) else None
    return summary if isinstance(summary, dict) else {}


def _interval(summary: dict[str, Any], json_name: str | None, level: str) -> tuple[float, float] | None:
    if not json_name or not isinstance(summary.get(json_name), dict):
        return None
    cells = summary[json_name]
    cell = cells.get("overall" if level.lower() == "overall" else level)
    if not isinstance(cell, dict):
        return None
    low, high = cell.get("ci_low"), cell.get("ci_high")
    if isinstance(low, (int, float)) and isinstance(high, (int, float)):
        return float(low), float(high)
    return None


def metric_rows(old: dict[str, Dataset], new: dict[str, Dataset]) -> tuple[list[MetricRow], list[str]]:
    """Rows for every metric and level of either side, and the data sets whose numbers are not comparable."""
    rows: list[MetricRow] = []
    not_comparable: list[str] = []
    for key in list(old) + [k for k in new if k not in old]:
        before, after = old.get(key), new.get(key)
        comparable = before is None or after is None or _same_data(before.identity, after.identity)
        if not comparable:
            not_comparable.append(key)
        cells = list(before.values if before else {}) + [
            c for c in (after.values if after else {}) if not before or c not in before.values
        ]
        for metric, level in cells:
            a = before.values.get((metric, level)) if before else None
            b = after.values.get((metric, level)) if after else None
            delta = b.mean - a.mean if a is not None and b is not None else None
            outside = None
            if a is not None and b is not None and a.ci is not None:
                outside = not (a.ci[0] <= b.mean <= a.ci[1])
            rows.append(
                MetricRow(key, metric, level, a.mean if a else None, b.mean if b else None, delta, outside, comparable)
            )
    return rows, not_comparable


def _same_data(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Equal where both sides know a value (source, sample count, manifest hash)."""
    return all(old.get(k) is None or new.get(k) is None or old[k] == new[k] for k in set(old) | set(new))
