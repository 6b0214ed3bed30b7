"""Evaluation sanity rules: numbers in the card's results tables that cannot be right."""

from __future__ import annotations

import re
from typing import Iterator

from bmzcard.card.placeholders import is_placeholder_value
from bmzcard.lint.findings import Severity, Violation
from bmzcard.lint.results import COUNTS, PSNR_RANGE, SSIM_RANGE, UNIT_RANGE, results_tables
from bmzcard.lint.rule import CardContext, Rule

# Sections where a card reports its evaluation, in which a sample count may be stated.
_EVALUATION_SECTIONS = (
    "evaluation",
    "testing_data_factors_metrics",
    "testing_data",
    "results",
    "quantitative_results",
    "summary",
    "validation_on_external_data",
)
_COUNT = re.compile(
    r"\b[nN]\s*=\s*\d+|\b\d[\d,]*\s+(?:test\s+|held-out\s+|evaluated\s+|validation\s+)?"
    r"(?:images?|samples?|volumes?|stacks?|tiles?|crops?|cells?|nuclei|objects?|instances?|patches|frames?|slices?)\b",
    re.IGNORECASE,
)


class MetricOutOfRange(Rule):
    """What it does
    ------------
    Reports a value outside its metric's range: Dice, IoU (Jaccard), F1,
    precision, recall, accuracy, specificity and AP in [0, 1] (or [0, 100] when
    written with `%`), SSIM in [-1, 1], PSNR in [0, 100] dB.

    Why is this bad?
    ----------------
    Such a number is a typo, a percentage without its `%`, or a different
    metric under a familiar name; either way readers cannot trust the table.

    Example
    -------
    ```markdown
    | Metric | Overall |
    |--------|---------|
    | Dice   | 91.2    |
    ```

    Use instead
    -----------
    ```markdown
    | Metric | Overall |
    |--------|---------|
    | Dice   | 0.912   |
    ```
    """

    name = "metric-out-of-range"
    family = "evaluation"
    severity = Severity.ERROR
    summary = "A metric value lies outside its valid range."

    def check(self, card: CardContext) -> Iterator[Violation]:
        for table in results_tables(card.document):
            for value in table.values:
                low, high = _range(value.metric)
                if low is None:
                    continue
                number = value.fraction if value.metric in UNIT_RANGE else value.mean
                if not low <= number <= high:
                    unit = " dB" if value.metric == "psnr" else ""
                    yield Violation(
                        value.line,
                        f"{value.metric_label} = {value.text.strip()!r} is outside [{low:g}, {high:g}]{unit}",
                        value.column,
                    )


def _range(metric: str) -> tuple[float | None, float | None]:
    if metric in UNIT_RANGE:
        return 0.0, 1.0
    if metric == "ssim":
        return SSIM_RANGE
    if metric == "psnr":
        return PSNR_RANGE
    return None, None


class MissingSpread(Rule):
    """What it does
    ------------
    Reports, once per results table, mean values given without a spread
    (`± sd`, or `(sd)` after the number).

    Why is this bad?
    ----------------
    A mean alone hides whether the model works on every image or fails on a
    third of them; the template asks for `mean ± sd` in every cell.

    Example
    -------
    ```markdown
    | Metric | Overall |
    |--------|---------|
    | IoU    | 0.83    |
    ```

    Use instead
    -----------
    ```markdown
    | Metric | Overall     |
    |--------|-------------|
    | IoU    | 0.83 ± 0.07 |
    ```
    """

    name = "missing-spread"
    family = "evaluation"
    severity = Severity.WARNING
    summary = "Results are given as means without a spread."

    def check(self, card: CardContext) -> Iterator[Violation]:
        for table in results_tables(card.document):
            bare = [v for v in table.values if v.spread is None and v.metric not in COUNTS]  # a count has none
            if bare:
                yield Violation(
                    bare[0].line,
                    f"{len(bare)} of {len(table.values)} results in this table have no spread (± sd)",
                    bare[0].column,
                )


class MissingSampleCount(Rule):
    """What it does
    ------------
    Reports a card with a results table that never says on how many samples
    it was measured: no filled `Size` field under Testing Data, and no count
    such as "n = 24" or "50 test images" in the evaluation sections.

    Why is this bad?
    ----------------
    A Dice of 0.9 on 3 images and on 3,000 images are different claims; without
    the count readers cannot judge the spread or the evidence.

    Example
    -------
    A Quantitative Results table, and `- **Size:** *[Number of test samples]*`.

    Use instead
    -----------
    `- **Size:** 50 images (12,400 annotated nuclei)`
    """

    name = "missing-sample-count"
    family = "evaluation"
    severity = Severity.WARNING
    summary = "Results are reported without the number of samples."

    def check(self, card: CardContext) -> Iterator[Violation]:
        tables = results_tables(card.document)
        if not tables:
            return
        size = card.field("testing_data", "size")
        if size is not None and not is_placeholder_value(size.value) and re.search(r"\d", size.value):
            return
        for key in _EVALUATION_SECTIONS:
            heading = card.heading(key)
            if heading is not None and any(_COUNT.search(line) for line in card.document.body(heading)):
                return
        if any(_COUNT.search(line) for line in card.lines[max(tables[0].start - 5, 0) : tables[0].end + 5]):
            return
        yield Violation(tables[0].start, "the results do not say how many samples they were measured on")


class IouAboveDice(Rule):
    """What it does
    ------------
    Reports an IoU (Jaccard) value above the Dice value of the same
    condition in the same table.

    Why is this bad?
    ----------------
    For any one segmentation Dice = 2 IoU / (1 + IoU) >= IoU, and the same
    holds for means over images. IoU above Dice means swapped rows, or two
    metrics computed on different data.

    Example
    -------
    ```markdown
    | Metric | Overall |
    |--------|---------|
    | IoU    | 0.88    |
    | Dice   | 0.80    |
    ```

    Use instead
    -----------
    ```markdown
    | Metric | Overall |
    |--------|---------|
    | IoU    | 0.80    |
    | Dice   | 0.89    |
    ```
    """

    name = "iou-above-dice"
    family = "evaluation"
    severity = Severity.ERROR
    summary = "IoU is above Dice for the same condition."

    def check(self, card: CardContext) -> Iterator[Violation]:
        for table in results_tables(card.document):
            dice = {v.condition.lower(): v for v in table.values if v.metric == "dice"}
            for value in table.values:
                other = dice.get(value.condition.lower())
                if value.metric == "iou" and other is not None and value.fraction > other.fraction + 1e-9:
                    yield Violation(
                        value.line,
                        f"IoU {value.text.strip()} is above {other.metric_label} {other.text.strip()}"
                        + (f" for {value.condition!r}" if value.condition else ""),
                        value.column,
                    )
