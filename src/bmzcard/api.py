"""bmzcard's Python API: the commands as functions, for notebooks, scripts and CI.

Each function does what its `bmzcard` command does (the CLI calls them) and
returns what it found instead of printing it; errors are `BmzcardError`s naming
the file and field. Heavy libraries are imported when a function runs, so
`import bmzcard` stays fast.

>>> import bmzcard
>>> report = bmzcard.generate("my_model/")                      # doctest: +SKIP
>>> [f.code for f in bmzcard.check("my_model/README.md")]       # doctest: +SKIP
['P001']
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

if TYPE_CHECKING:
    from bmzcard.evaluate import EvaluateOptions, EvaluationReport
    from bmzcard.lint.engine import FileReport
    from bmzcard.lint.findings import Finding
    from bmzcard.lint.registry import Entry
    from bmzcard.measure import Measurement
    from bmzcard.outputs.card import GenerateReport

#: Threads `measure` times with unless told otherwise: a fixed number, fewer on smaller machines.
DEFAULT_THREADS = 4


def generate(
    source: str | Path,
    output: str | Path | None = None,
    *,
    force: bool = False,
    records: Iterable[str | Path] = (),
    write: bool = True,
) -> GenerateReport:
    """Write or complete the model card of a package from everything it knows (`bmzcard generate`).

    Parameters
    ----------
    source
        A package folder, its ``rdf.yaml``/``bioimageio.yaml`` or a ``.zip`` package.
    output
        The card; default ``README.md`` beside the RDF (for a zip, ``<name>.README.md`` beside it).
        An existing card is completed: only empty and placeholder fields are
        filled, human text is kept and a backup is written before it changes.
    force
        Start from the blank template instead (a backup of the old card is kept).
    records
        JSON records of `bmzcard measure --json`, `track` or `carbon --json`.
    write
        False to return the card without writing anything.

    Returns
    -------
    GenerateReport
        ``.text`` (the card), ``.written`` (fact per field, with its sources),
        ``.todo`` (fields still to write by hand), ``.output``, ``.backup`` and ``.images``
        (images of the test tensors written beside the card, for a package showing no sample images).

    Examples
    --------
    >>> import bmzcard
    >>> report = bmzcard.generate("my_model/")          # doctest: +SKIP
    >>> report.output, len(report.todo)                 # doctest: +SKIP
    (PosixPath('my_model/README.md'), 12)
    """
    from bmzcard.generate import filled_card
    from bmzcard.outputs.card import report_of, write_filled

    output = None if output is None else Path(output)
    filled = filled_card(source, output, fresh=force, records=[Path(r) for r in records])
    return write_filled(filled) if write else report_of(filled, output=None)


def evaluate(
    data: str | Path,
    package: str | Path | None = None,
    options: EvaluateOptions | None = None,
    *,
    json_path: str | Path | None = None,
    csv_path: str | Path | None = None,
    write_card: bool = False,
    card_path: str | Path | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    **settings: Any,
) -> EvaluationReport:
    """Evaluate a model (or given predictions) on a manifest of images, per factor level (`bmzcard evaluate`).

    Parameters
    ----------
    data
        CSV/TSV manifest: ``image``, ``ground_truth`` (or ``label``), optional
        ``prediction``, and factor columns such as ``snr`` (see
        :mod:`bmzcard.evaluate.manifest`).
    package
        The model package; needed to run the model and for ``write_card``.
    options
        :class:`bmzcard.evaluate.EvaluateOptions`; keyword ``settings``
        (``threshold=0.5``, ``task="instance"``, ...) set or override its fields.
    json_path, csv_path
        Where to write the JSON result and the per-image CSV.
    write_card
        Also write the RDF's evaluation entry, the card's Evaluation section,
        its figures and the provenance record (needs ``dataset_id`` and
        ``dataset_source``).
    card_path
        The card; default ``README.md`` beside the RDF.
    progress
        Called as ``progress(done, total, stage)`` while the manifest is read, its
        files checked and its images evaluated (``stage`` says which, in words).

    Returns
    -------
    EvaluationReport
        ``.summary[metric][level]`` holds mean, std, n and the bootstrap CI;
        ``.written`` the files written.

    Examples
    --------
    >>> import bmzcard
    >>> report = bmzcard.evaluate("test.csv", "my_model/", threshold=0.5)   # doctest: +SKIP
    >>> round(report.summary["dice"]["overall"].mean, 2)                     # doctest: +SKIP
    0.91
    """
    from bmzcard.evaluate import EvaluateOptions
    from bmzcard.evaluate import evaluate as run_evaluation
    from bmzcard.outputs.evaluation import write_evaluation

    options = dataclasses.replace(options or EvaluateOptions(), **settings)
    report = run_evaluation(data, package, options, for_card=write_card, progress=progress)
    write_evaluation(report, json_path=_path(json_path), csv_path=_path(csv_path), write_card=write_card,
                     card_path=_path(card_path))
    return report


def measure(
    package: str | Path,
    *,
    weights: str | None = None,
    shapes: dict[str, list[int]] | None = None,
    threads: int | None = None,
    repeats: int = 20,
    timing: bool = True,
    json_path: str | Path | None = None,
    write_card: bool = False,
    card_path: str | Path | None = None,
    allow_code: bool = False,
) -> Measurement:
    """Count parameters and sizes of every weight format and time one of them (`bmzcard measure`).

    Parameters
    ----------
    package
        A package folder, its RDF file or a zip.
    weights
        The weight format to time (default ONNX, else TorchScript, else state dict).
    shapes
        Input name -> shape of random input data instead of the test input.
    threads
        Runtime threads (default 4, at most the CPU count).
    repeats
        Timed calls (median, p10, p90 are reported).
    timing
        False to only count parameters and file sizes.
    json_path
        Also write the measurement as JSON there.
    write_card
        Fill the card's Speeds, Sizes, Times and Hardware Requirements and the
        RDF's ``config.bioimageio`` (backups kept).
    card_path
        The card to fill; default ``README.md`` beside the RDF.
    allow_code
        Allow timing pytorch_state_dict weights whose architecture is a Python file of the package.

    Examples
    --------
    >>> import bmzcard
    >>> m = bmzcard.measure("my_model/", threads=1)     # doctest: +SKIP
    >>> m.weights[0].parameters, m.inference[0].median_s  # doctest: +SKIP
    (1940817, 0.0123)
    """
    from bmzcard.measure import measure_package
    from bmzcard.outputs.files import write_json
    from bmzcard.outputs.measurement import write_measurements

    result = measure_package(Path(package), weight_format=weights, shapes=shapes,
                             threads=threads or min(DEFAULT_THREADS, os.cpu_count() or 1), repeats=repeats,
                             timing=timing, allow_code=allow_code)
    if json_path is not None:
        write_json(Path(json_path), result.to_json())
    if write_card:
        result.card = write_measurements(package, result.to_json(), card=_path(card_path)).output
    return result


def select_rules(select: list[str] | None = None, ignore: list[str] | None = None, *,
                 verify: bool = False) -> list[Entry]:
    """The linter's rules to run: codes or prefixes selected, minus those ignored, plus V001 to ``verify``."""
    from bmzcard.lint.registry import BY_CODE, selected
    from bmzcard.lint.verify import VERIFY_CODE

    entries = selected(select, ignore or [])
    if verify and BY_CODE[VERIFY_CODE] not in entries:
        entries.append(BY_CODE[VERIFY_CODE])
    return entries


def check_reports(
    paths: Iterable[str | Path],
    rules: list[Entry],
    *,
    rdf: str | Path | None = None,
    online: bool = False,
    allow_code: bool = False,
    jobs: int | None = None,
    progress: Callable[[FileReport], None] | None = None,
) -> list[FileReport]:
    """`check` with chosen rules, one report per card: findings, completeness score, or why it could not be read."""
    from bmzcard.lint.engine import check_targets
    from bmzcard.lint.inputs import checked_targets

    targets = checked_targets([Path(p) for p in paths], _path(rdf))
    return check_targets(targets, rules, online=online, allow_code=allow_code, jobs=jobs, progress=progress)


def check(
    *paths: str | Path,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    rdf: str | Path | None = None,
    online: bool = False,
    verify: bool = False,
    allow_code: bool = False,
) -> list[Finding]:
    """Lint model cards as a zoo reviewer reads them (`bmzcard check`); return the findings.

    Parameters
    ----------
    paths
        Cards (README.md), packages (folder, zip or RDF file) or folders of many.
    select, ignore
        Rule codes or prefixes to run or skip (``["S", "P001"]``); `bmzcard rules` lists them.
    rdf
        The RDF to compare a single card with (found beside it otherwise).
    online
        Also check that links resolve (network).
    verify
        Re-compute the evaluation recorded beside the card and compare its numbers (runs the model).
    allow_code
        With `verify`: allow running a pytorch_state_dict architecture that is a Python file of the
        package (the caller's consent; never read from the card's sidecar).

    Returns
    -------
    list of Finding
        ``.path``, ``.line``, ``.column``, ``.code``, ``.severity``, ``.message``.

    Raises
    ------
    BmzcardError
        When a card or package cannot be read.

    Examples
    --------
    >>> import bmzcard
    >>> for finding in bmzcard.check("my_model/README.md", select=["S"]):   # doctest: +SKIP
    ...     print(finding.line, finding.code, finding.message)
    """
    from bmzcard.errors import BmzcardError

    reports = check_reports(paths, select_rules(select, ignore, verify=verify), rdf=rdf, online=online,
                            allow_code=allow_code)
    for report in reports:
        if report.error is not None:
            raise BmzcardError(report.error, path=report.path)
    return [finding for report in reports for finding in report.findings]


def _path(value: str | Path | None) -> Path | None:
    return None if value is None else Path(value)
