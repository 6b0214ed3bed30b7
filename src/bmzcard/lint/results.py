"""Read a card's results tables: which metric, which condition, which number, on which line.

Cards lay results out both ways: the template has one row per metric and one
column per condition; many cards have one column per metric. A table counts as
a results table when its first column or its header names known metrics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bmzcard.card.placeholders import score_placeholders
from bmzcard.facts import md_unescape
from bmzcard.lint.rules.structure import table_cells
from bmzcard.sources.readme import CardDocument

# Metric name (lower case, spaces and hyphens dropped) -> canonical name.
_METRIC_NAMES = {
    "dice": "dice",
    "dicecoefficient": "dice",
    "dicescore": "dice",
    "f1": "f1",
    "f1score": "f1",
    "iou": "iou",
    "jaccard": "iou",
    "jaccardindex": "iou",
    "meaniou": "iou",
    "miou": "iou",
    "precision": "precision",
    "recall": "recall",
    "accuracy": "accuracy",
    "ap": "ap",
    "map": "ap",
    "averageprecision": "ap",
    "ssim": "ssim",
    "psnr": "psnr",
    "sensitivity": "recall",
    "specificity": "specificity",
    "balancedaccuracy": "balanced_accuracy",
    "bal.accuracy": "balanced_accuracy",  # bmzcard evaluate's card label (16 characters at most)
    "hd": "hd",
    "hausdorff": "hd",
    "hausdorffdistance": "hd",
    "hd95": "hd95",
    "nsd": "nsd",
    "normalizedsurfacedistance": "nsd",
    "pq": "pq",
    "panopticquality": "pq",
    "nrmse": "nrmse",
    # counts of matched objects (bmzcard evaluate's `TP`, `FP@0.75`): totals, no spread
    "tp": "tp",
    "truepositives": "tp",
    "fp": "fp",
    "falsepositives": "fp",
    "fn": "fn",
    "falsenegatives": "fn",
}
COUNTS = {"tp", "fp", "fn"}
# Valid ranges of metric values as fractions; percentages are divided by 100 first.
UNIT_RANGE = {"dice", "f1", "iou", "precision", "recall", "accuracy", "balanced_accuracy", "ap", "specificity", "nsd", "pq"}
SSIM_RANGE = (-1.0, 1.0)
PSNR_RANGE = (0.0, 100.0)  # dB; beyond 100 dB no microscopy image is measured

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_VALUE = re.compile(
    rf"^\s*(?P<mean>{_NUMBER})\s*(?P<percent>%)?\s*"
    rf"(?:(?:±|\+/-|\+-|\\pm)\s*(?P<spread>{_NUMBER})\s*%?|\((?:sd|std|s\.d\.)?\s*=?\s*(?P<paren>{_NUMBER})\s*\))?"
)


def metric_key(text: str) -> str | None:
    """The canonical metric a header or row label names, or None."""
    key = re.sub(r"[\s\-_*`]|\(.*?\)", "", text.lower())
    return _METRIC_NAMES.get(key) or _METRIC_NAMES.get(key.rstrip("@.0123456789"))


@dataclass(frozen=True)
class Value:
    """One number of a results table."""

    metric: str  # canonical metric key
    metric_label: str  # as written
    condition: str  # the other axis's label as written ("Overall", "Noise 25", a dataset)
    mean: float
    spread: float | None
    percent: bool
    line: int  # 0-based
    column: int  # 0-based, start of the cell's text
    text: str  # the cell as written

    @property
    def fraction(self) -> float:
        return self.mean / 100 if self.percent else self.mean


@dataclass(frozen=True)
class ResultsTable:
    start: int
    end: int
    values: tuple[Value, ...]


def parse_value(cell: str) -> tuple[float, float | None, bool] | None:
    """(mean, spread, is_percent) of a cell like `0.91 ± 0.03`, `87.5%`, `0.9 (0.02)`; None if no number."""
    match = _VALUE.match(cell.replace("**", ""))
    if match is None:
        return None
    spread = match["spread"] or match["paren"]
    return float(match["mean"]), float(spread) if spread else None, bool(match["percent"])


def results_tables(document: CardDocument) -> list[ResultsTable]:
    tables = []
    for start, end in document.tables:
        rows = [table_cells(document.lines[i]) for i in range(start, end)]
        if len(rows) < 3:
            continue
        header, body = rows[0], rows[2:]
        lines = list(range(start + 2, end))
        values: list[Value] = []
        header_metrics = [metric_key(cell) for cell in header]
        row_metrics = [metric_key(row[0]) if row else None for row in body]
        if any(row_metrics):
            for line, row, metric in zip(lines, body, row_metrics):
                if metric is None:
                    continue
                for index, cell in enumerate(row[1:], start=1):
                    condition = header[index] if index < len(header) else ""
                    values += _value(document, line, cell, metric, row[0], condition)
        elif any(header_metrics):
            for line, row in zip(lines, body):
                for index, cell in enumerate(row):
                    metric = header_metrics[index] if index < len(header_metrics) else None
                    if metric is None:
                        continue
                    condition = " / ".join(c for i, c in enumerate(row) if header_metrics[i:i + 1] == [None])
                    values += _value(document, line, cell, metric, header[index], condition)
        if values:
            tables.append(ResultsTable(start, end, tuple(values)))
    return tables


def _value(document: CardDocument, line: int, cell: str, metric: str, label: str, condition: str) -> list[Value]:
    parsed = None if score_placeholders(cell) else parse_value(cell)  # `0.XX` is no zero
    if parsed is None:
        return []
    mean, spread, percent = parsed
    column = max(document.lines[line].find(cell), 0) if cell else 0
    # labels as a reader sees them: bmzcard escapes `|`, `*`, `_`... of factor levels it writes
    return [Value(metric, md_unescape(label.strip()), md_unescape(condition.strip()), mean, spread, percent, line,
                  column, cell)]
