"""The evaluation in the RDF (``config.bioimageio.evaluations``) and in the card.

:func:`evaluation_entry` builds the RDF entry in bioimageio.spec's
``Evaluation`` shape; the card's Quantitative Results table is rendered from
that same entry with :func:`bmzcard.sources.rdf_facts.results_table`, so the
card and a later ``bmzcard generate`` from the RDF show the same table.
:mod:`bmzcard.outputs.evaluation` puts the entry into the RDF's text, keeping
every other line as the author wrote it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from bmzcard.errors import BmzcardError
from bmzcard.evaluate.aggregate import OVERALL, Cell
from bmzcard.facts import Fact, Provenance, md_file_link, md_link, md_text
from bmzcard.sources.rdf_facts import results_table

MAX_LABEL = 16  # bioimageio.spec: evaluation_factors and metrics entries

#: Card names and descriptions of the metrics bmzcard.metrics computes.
METRIC_TEXT: dict[str, tuple[str, str]] = {
    "dice": ("Dice", "Dice similarity coefficient 2|G∩P|/(|G|+|P|) of the foreground, per image"),
    "iou": ("IoU", "intersection over union |G∩P|/|G∪P| of the foreground, per image"),
    "nsd": ("NSD", ("normalized surface distance: fraction of boundary within the tolerance (default 2 "
                    "spacing units) of the other boundary")),
    "hd95": ("HD95", "95th percentile of the symmetric boundary distances (in spacing units)"),
    "hd": ("HD", "Hausdorff distance, the largest boundary distance (in spacing units)"),
    "f1": ("F1", "F1 score of matched objects at IoU >= 0.5"),
    "precision": ("Precision", "precision of matched objects at IoU >= 0.5"),
    "recall": ("Recall", "recall of matched objects at IoU >= 0.5"),
    "pq": ("PQ", "panoptic quality: F1 times the mean IoU of matched objects (IoU >= 0.5)"),
    "map": ("mAP", "mean of TP/(TP+FP+FN) over IoU thresholds 0.50 to 0.95"),
    "psnr": ("PSNR", "peak signal-to-noise ratio in dB after CARE percentile normalization"),
    "ssim": ("SSIM", "structural similarity after CARE percentile normalization"),
    "nrmse": ("NRMSE", "root mean square error over the data range after CARE normalization"),
    "accuracy": ("Accuracy", "fraction of correct predictions"),
    "balanced_accuracy": ("Bal. accuracy", "mean recall over classes"),
}
#: Counts of matched objects (`tp`, `fp@0.75`...): card name and what is counted.
COUNT_TEXT: dict[str, tuple[str, str]] = {
    "tp": ("TP", "true positives: predicted objects matched to a ground-truth object"),
    "fp": ("FP", "false positives: predicted objects matched to none"),
    "fn": ("FN", "false negatives: ground-truth objects matched to none"),
}
#: Where a task defines a metric otherwise than :data:`METRIC_TEXT`.
TASK_METRIC_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    "classification": {
        "precision": ("Precision", "precision per class, unweighted mean over the classes (macro)"),
        "recall": ("Recall", "recall per class, unweighted mean over the classes (macro)"),
        "f1": ("F1", "F1 per class, unweighted mean over the classes (macro)"),
    },
    "detection": {
        "precision": ("Precision", "precision of one-to-one matched detections, per image"),
        "recall": ("Recall", "recall of one-to-one matched detections, per image"),
        "f1": ("F1", "F1 of one-to-one matched detections, per image"),
        "map": ("mAP", "COCO mAP@[.50:.95] of scored boxes as pycocotools' COCOeval, the column's images pooled"),
    },
}


def metric_label(name: str, distance_unit: str = "pixels", task: str | None = None) -> tuple[str, str]:
    """Card name (at most 16 characters) and description of a metric.

    ``distance_unit`` replaces "spacing units" in distance metrics' text;
    ``task`` picks its definitions where tasks differ.
    """
    base, _, suffix = name.partition("[")
    count, _, threshold = base.partition("@")
    if base.startswith("ap@"):
        label, text = f"AP@{base[3:]}", f"TP/(TP+FP+FN) of objects matched at IoU >= {base[3:]}"
    elif count in COUNT_TEXT:
        label, what = COUNT_TEXT[count]
        label += f"@{threshold}" if threshold else ""
        text = f"{what} at IoU >= {threshold or '0.50'}, summed over the images (a count, no ± std)"
    else:
        label, text = TASK_METRIC_TEXT.get(task, {}).get(base) or METRIC_TEXT.get(base, (base, base))
    text = text.replace("spacing units", distance_unit)
    if suffix and task == "classification":  # class names are words, and `[word]` reads as a placeholder
        label, text = f"{label} ({suffix.rstrip(']')})", f"{base} of class {suffix.rstrip(']')} (one-vs-rest)"
    elif suffix:
        label, text = f"{label}[{suffix}", f"{text}, class {suffix.rstrip(']')}"
    return label[:MAX_LABEL], f"{text} (`{name}` in the JSON result)"


def format_cell(cell: Cell) -> str:
    """``0.91 ± 0.03``: two decimals below 10, one above; a count's total as a whole number (``123``);
    ``inf``/``n/a`` when not finite."""
    if not math.isfinite(cell.mean):
        return "n/a" if math.isnan(cell.mean) else str(cell.mean)
    if cell.is_total:
        return f"{cell.mean:.0f}"
    digits = 2 if abs(cell.mean) < 10 else 1
    if not math.isfinite(cell.std):
        return f"{cell.mean:.{digits}f} (n={cell.n})"
    return f"{cell.mean:.{digits}f} ± {cell.std:.{digits}f}"


def _short_labels(levels: Sequence[str]) -> list[str]:
    """Level keys cut to 16 characters, kept unique."""
    labels: list[str] = []
    for level in levels:
        label = level if len(level) <= MAX_LABEL else level[: MAX_LABEL - 1] + "~"
        number = 1
        while label in labels:
            number += 1
            label = f"{level[: MAX_LABEL - 1 - len(str(number))]}~{number}"
        labels.append(label)
    return labels


def evaluation_entry(summary: dict[str, dict[str, Cell]], *, dataset_id: str, dataset_source: str,
                     dataset_role: str, description: str, distance_unit: str = "pixels",
                     task: str | None = None) -> dict:
    """The ``config.bioimageio.evaluations`` entry: metrics (rows) by factor levels (columns).

    Parameters
    ----------
    summary : dict
        From :func:`bmzcard.evaluate.aggregate.summarize`.
    dataset_id, dataset_source, dataset_role : str
        What was evaluated; the source must be an http(s) URL.
    description : str
        How predictions were made and compared, for ``results_summary``-free
        readers: it goes into the long name of the Overall column.
    distance_unit : str
        Unit of distance metrics (the spacing's unit, or pixels).
    task : str, optional
        Canonical task, for the metrics' descriptions.
    """
    first = next(iter(summary.values()))
    levels = list(first)
    labels = ["Overall"] + _short_labels([level for level in levels if level != OVERALL])
    long = [f"all {first[OVERALL].n} images; {description}"]
    long += [f"images whose manifest column {level.split('=', 1)[0]!r} is "
             f"{level.split('=', 1)[1]!r} ({first[level].n} images)" for level in levels if level != OVERALL]
    names = [metric_label(m, distance_unit, task) for m in summary]
    return {
        "dataset_id": dataset_id,
        "dataset_source": dataset_source,
        "dataset_role": dataset_role,
        "sample_count": first[OVERALL].n,
        "evaluation_factors": labels,
        "evaluation_factors_long": long,
        "metrics": [label for label, _ in names],
        "metrics_long": [text for _, text in names],
        "results": [[format_cell(cells[level]) for level in levels] for cells in summary.values()],
    }


def check_entry(entry: dict) -> None:
    """Validate the entry with bioimageio.spec's ``Evaluation``; a `BmzcardError` otherwise."""
    from bioimageio.spec import ValidationContext
    from bioimageio.spec.model.v0_5 import Evaluation
    from pydantic import ValidationError

    try:
        with ValidationContext(perform_io_checks=False):  # the dataset URL is not fetched: no network
            Evaluation.model_validate(entry)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise BmzcardError(f"the evaluation entry is invalid: {first['msg']}",
                           field=f"config.bioimageio.evaluations.{field}") from None


def card_facts(entry: dict, *, where: str, detail: str, diversity: str, notes: str,
               figures: Sequence[tuple[str, str]]) -> list[Fact]:
    """Facts for the card's Evaluation section, from the RDF entry.

    Parameters
    ----------
    entry : dict
        From :func:`evaluation_entry`.
    where, detail : str
        Provenance: the manifest and what produced the numbers.
    diversity : str
        The factor levels with their image counts.
    notes : str
        What ± means, where the intervals are, the prediction rule.
    figures : sequence of (alt text, relative path)
        Figures embedded under the table.
    """
    source = (Provenance("evaluation", where, detail),)
    # factor levels, class and file names are the manifest author's text: escaped as `generate` does from the RDF
    link = md_link(entry["dataset_source"], entry["dataset_id"])
    factors = [f"- **{md_text(f)}**: {md_text(text)}"
               for f, text in zip(entry["evaluation_factors"], entry["evaluation_factors_long"])]
    metrics = [f"- **{md_text(m)}**: {md_text(text)}" for m, text in zip(entry["metrics"], entry["metrics_long"])]
    body = [results_table(entry), notes] + [md_file_link(path, md_text(alt), image=True) for alt, path in figures]
    return [
        Fact("testing_data.source", f"{link} (dataset role: {md_text(entry['dataset_role'])})", source),
        Fact("testing_data.size", f"{entry['sample_count']} evaluated samples", source),
        Fact("testing_data.biological_diversity", md_text(diversity), source),
        Fact("factors", "\n".join(factors), source),
        Fact("metrics", "\n".join(metrics), source),
        Fact("quantitative_results", "\n\n".join(part for part in body if part), source),
    ]

