"""`bmzcard evaluate`: metrics of a model on a data set, by factor level."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Optional

import typer

from bmzcard.errors import BmzcardError


def _floats(text: str | None, option: str) -> tuple[float, ...] | None:
    if text is None:
        return None
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise BmzcardError(f"expected comma-separated numbers, got {text!r}", field=option) from None


def _names(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(p.strip().lower() for p in text.split(",") if p.strip())


def _labels(text: str | None) -> tuple[str, ...] | None:
    """Class names as given (case kept: they are compared with the manifest's labels)."""
    return None if text is None else tuple(p.strip() for p in text.split(",") if p.strip())


def _cell_text(cell: str, low: float, high: float) -> str:
    from rich.markup import escape

    interval = f"\n{escape(f'[{low:.3g}, {high:.3g}]')}" if math.isfinite(low) and math.isfinite(high) else ""
    return cell + interval


def evaluate(
    package: Annotated[
        Optional[Path],
        typer.Argument(help="The model package (folder or RDF file; a zip without --write-card). "
                       "Not needed when the manifest has a prediction column.", show_default=False),
    ] = None,
    data: Annotated[Path, typer.Option("--data", "-d", help="Manifest CSV/TSV: image, ground_truth, "
                                       "optional prediction and ignore_mask, and factor columns.",
                                       show_default=False)] = ...,
    task: Annotated[Optional[str], typer.Option(help="semantic-segmentation, instance-segmentation, restoration, "
                                                "classification or detection. Default: the package's "
                                                "config.bioimageio.task or tags.")] = None,
    threshold: Annotated[Optional[float], typer.Option(help="Foreground where prediction >= THRESHOLD "
                                                       "(needed for probability outputs; recorded).")] = None,
    channel: Annotated[Optional[int], typer.Option(help="Channel of a multi-channel prediction to use.")] = None,
    connected_components: Annotated[bool, typer.Option(
        "--connected-components", help="Instance task: label connected components of an integer mask "
        "(always done after --threshold).")] = False,
    ignore_label: Annotated[Optional[int], typer.Option(
        help="Segmentation with sparse annotations: the ground-truth value of unlabelled pixels, left "
             "out of every metric (instance: predicted objects mostly there are dropped).")] = None,
    classes: Annotated[Optional[str], typer.Option(help="Classification: comma-separated class names in the "
                                                   "model's output order (default: the output index).")] = None,
    match_distance: Annotated[Optional[float], typer.Option(help="Detection of points: largest distance of a "
                                                            "match, in spacing units (required for points).")] = None,
    iou_threshold: Annotated[Optional[float], typer.Option(help="Detection of boxes: smallest IoU of a match "
                                                           "(default 0.5).")] = None,
    metrics: Annotated[Optional[str], typer.Option(help="Comma-separated metric names (default: the task's).")] = None,
    factor: Annotated[Optional[list[str]], typer.Option(help="Factor column to use (repeatable; default: "
                                                        "every extra column).")] = None,
    spacing: Annotated[Optional[str], typer.Option(help="Pixel size per axis, e.g. 0.5,0.5 (default: the "
                                                   "model input's scale, else 1).")] = None,
    weight_format: Annotated[Optional[str], typer.Option(help="Weights to run (default: onnx, then "
                                                         "torchscript, ...).")] = None,
    device: Annotated[str, typer.Option(help="auto (GPU when bioimageio.core finds one), cpu or cuda.")] = "auto",
    tile: Annotated[Optional[int], typer.Option(help="Always tile, with bioimageio.core block size "
                                                "parameter N (default: tile only images too large or "
                                                "of a size the model cannot take).")] = None,
    allow_code: Annotated[bool, typer.Option("--allow-code", help="Allow running a pytorch_state_dict "
                                             "architecture's Python file from the package.")] = False,
    workers: Annotated[int, typer.Option(help="Images computed in parallel processes (or local dask workers; "
                                         "classification and detection run in this process).")] = 1,
    scheduler: Annotated[Optional[str], typer.Option(help="Run on dask.distributed: 'local' for a local cluster "
                                                     "of --workers processes, or a scheduler address "
                                                     "(tcp://host:8786) whose workers see the same files.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap confidence intervals.")] = 0,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples.")] = 2000,
    chunked_above: Annotated[float, typer.Option(
        "--chunked-above", metavar="MIB", min=0,
        help="Evaluate segmentation ground truths larger than this many MiB slab by slab (same "
             "numbers; .npy, uncompressed TIFF and Zarr files read lazily, other inputs from memory); "
             "0 turns slab-by-slab evaluation off.")] = 64,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the result as JSON here "
                                                     "(and the per-image CSV beside it).")] = None,
    csv_out: Annotated[Optional[Path], typer.Option("--csv", help="Write the per-image metrics here.")] = None,
    write_card: Annotated[bool, typer.Option("--write-card", help="Write the RDF's evaluation entry, the "
                                             "card's Evaluation section and figures.")] = False,
    card: Annotated[Optional[Path], typer.Option(help="The card to fill (default: README.md beside the RDF).")] = None,
    dataset_id: Annotated[Optional[str], typer.Option(help="Dataset id for the RDF evaluation entry.")] = None,
    dataset_source: Annotated[Optional[str], typer.Option(help="http(s) URL of the data set, for the RDF "
                                                          "evaluation entry.")] = None,
    dataset_role: Annotated[str, typer.Option(help="train, validation, test, independent or unknown.")] = "test",
) -> None:
    """Evaluate a model on annotated images, per image and per factor level.

    Runs the package's model on every image of the manifest through
    bioimage.io's own pre- and postprocessing (CPU unless a GPU is found; no
    network; no package code unless --allow-code), or reads the manifest's
    prediction column instead. Probability outputs are binarized only with an
    explicit --threshold. Reports mean ± standard deviation, n and a seeded 95%
    bootstrap confidence interval for every metric, overall and per level of
    every factor column.

    Manifest formats (one row per image; extra columns are factors):
    segmentation and restoration: image, ground_truth and prediction are
    image files (.npy, .tif, .png, Zarr). classification: ground_truth and
    prediction are class labels (text or integers), not files; without
    prediction the model's class scores give the argmax class; each metric
    is computed on each level's images, its ± and interval from a bootstrap
    over those images; the JSON holds the confusion matrices. detection:
    ground_truth and prediction are CSV files of points (columns y,x or
    z,y,x; --match-distance) or boxes (y_min,x_min,y_max,x_max; IoU >=
    --iou-threshold), an optional score column gives mAP for boxes
    (COCOeval's AP of each level's images pooled, its ± and interval from a
    bootstrap over those images).

    Sparse annotations (segmentation): --ignore-label names the ground-truth
    value of unlabelled pixels, and/or an ignore_mask column gives an image
    per row, non-zero where unlabelled. Those pixels are left out of every
    metric; for instances, objects more than half inside them are dropped
    (predictions where nobody annotated are not false positives).

    With --write-card, the RDF gets a `config.bioimageio.evaluations` entry
    (comments and other lines kept, a backup made), and the card its Testing
    Data, Factors, Metrics and Quantitative Results, with box plots and an
    example overlay in `evaluation/` beside it.

    Examples:

        bmzcard evaluate my_model/ --data test/manifest.csv --threshold 0.5 --json results.json

        bmzcard evaluate --data predictions.csv --task instance-segmentation

        bmzcard evaluate --data scribbles.csv --task semantic-segmentation --ignore-label 0

        bmzcard evaluate --data labels.csv --task classification --json classes.json

        bmzcard evaluate --data spots.csv --task detection --match-distance 3

        bmzcard evaluate my_model/ -d test.csv --threshold 0.5 --write-card --dataset-id my-test-set --dataset-source https://zenodo.org/records/123
    """
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Table

    from bmzcard.api import evaluate as run_evaluation
    from bmzcard.cli.app import stderr, stdout
    from bmzcard.evaluate import EvaluateOptions
    from bmzcard.evaluate.aggregate import OVERALL
    from bmzcard.evaluate.card import format_cell

    if device not in ("auto", "cpu", "cuda"):
        raise BmzcardError(f"--device must be auto, cpu or cuda, got {device!r}", field="--device")
    if workers < 1 or bootstrap < 1:
        raise BmzcardError("--workers and --bootstrap must be at least 1", field="--workers")
    options = EvaluateOptions(
        task=task, threshold=threshold, channel=channel, connected_components=connected_components,
        ignore_label=ignore_label, classes=_labels(classes), match_distance=match_distance, iou_threshold=iou_threshold,
        metrics=_names(metrics), factors=tuple(factor) if factor else None, spacing=_floats(spacing, "--spacing"),
        weight_format=weight_format, device=device, tile=tile, allow_code=allow_code, workers=workers,
        scheduler=scheduler, seed=seed, resamples=bootstrap, dataset_id=dataset_id, dataset_source=dataset_source,
        dataset_role=dataset_role, chunked_above=int(chunked_above * (1 << 20)) or None,
    )
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=stderr, transient=True) as bar:
        progress_task = bar.add_task("reading the manifest", total=None)
        report = run_evaluation(data, package, options, json_path=json_out, csv_path=csv_out,
                                write_card=write_card, card_path=card,
                                progress=lambda done, total, stage: bar.update(progress_task, completed=done,
                                                                               total=total, description=stage))
    levels = list(next(iter(report.summary.values())))
    counts = any(cell.is_total for cells in report.summary.values() for cell in cells.values())
    table = Table(title=f"{report.task}: {len(report.results)} images (mean ± std; 95% CI"
                        + ("; counts summed over the images)" if counts else ")"))
    table.add_column("metric")
    for level in levels:
        table.add_column("Overall" if level == OVERALL else escape(level), justify="right")
    for metric, cells in report.summary.items():
        table.add_row(escape(metric), *(_cell_text(format_cell(c), c.ci_low, c.ci_high) for c in cells.values()))
    stdout.print(table)
    outside = report.record.get("files_outside_manifest_folder") or []
    if outside:  # allowed, but a manifest from elsewhere may point anywhere: say where it went
        stderr.print(f"note: {len(outside)} file(s) outside the manifest's folder were read: "
                     + "; ".join(outside[:5]) + ("; ..." if len(outside) > 5 else "")
                     + " (all listed in the record)", highlight=False, markup=False, soft_wrap=True)
    for path in report.written:
        stderr.print(f"wrote {path}", highlight=False, markup=False)
