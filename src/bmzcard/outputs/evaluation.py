"""An evaluation's files: JSON and CSV tables and, for the card, the RDF entry, figures, card and record.

`write_evaluation` writes what the `evaluate` producer returned. With the card,
everything is prepared first (the RDF's text validated with the new
``config.bioimageio.evaluations`` entry, the card's facts) and written after:
the RDF (backup kept), the figures and tables in ``evaluation/`` beside the
card, the card itself through `generate_card`, and the evaluation record in the
card's sidecar, which `check --verify` re-runs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bmzcard.evaluate import EvaluationReport
from bmzcard.evaluate.card import card_facts, check_entry
from bmzcard.generate import default_output
from bmzcard.outputs.card import generate_card
from bmzcard.outputs.files import atomic_write, write_bytes_atomic, write_json
from bmzcard.sources.sidecar import read_sidecar, sidecar_path
from bmzcard.sources.package import refuse_link_outside
from bmzcard.outputs.rdf_config import current_config, rdf_text_with_config, write_rdf
from bmzcard.sources.package import Package
from bmzcard.sources.paths import relative_to_card, store_path

#: The folder beside the card that holds the figures and tables.
EVALUATION_DIR = "evaluation"


def write_evaluation(report: EvaluationReport, *, json_path: Path | None = None, csv_path: Path | None = None,
                     write_card: bool = False, card_path: Path | None = None) -> None:
    """Write an evaluation's tables and, with ``write_card``, everything the card needs.

    Parameters
    ----------
    report : EvaluationReport
        From :func:`bmzcard.evaluate.evaluate` (with ``for_card`` when ``write_card``).
    json_path, csv_path : Path, optional
        Where to write the JSON result and the per-image CSV. With
        ``write_card`` they default to ``evaluation/summary.json`` and
        ``evaluation/per_image.csv`` beside the card; a CSV also goes beside
        ``json_path`` as ``<stem>_per_image.csv`` when only that is given.
    write_card : bool
        Write the RDF evaluation entry, the card's Evaluation section, the
        figures and the provenance record.
    card_path : Path, optional
        The card; default ``README.md`` beside the RDF.

    The paths written are added to ``report.written``, the card to ``report.card``.
    """
    if write_card:
        _write_card(report, card_path, json_path, csv_path)
        return
    if csv_path is None and json_path is not None:
        csv_path = json_path.with_name(f"{json_path.stem}_per_image.csv")
    _write_tables(report, json_path, csv_path)


def rdf_text_with(package: Package, entry: dict) -> str:
    """The RDF's text with ``entry`` in ``config.bioimageio.evaluations``.

    An earlier entry with the same ``dataset_id`` and ``dataset_role`` is
    replaced (a re-evaluation); entries of other data sets are kept. Only the
    ``evaluations`` block is rewritten, every other line stays byte for byte
    (:mod:`bmzcard.outputs.rdf_config`), and the result is validated with
    bioimageio.spec.

    Raises
    ------
    BmzcardError
        For an invalid entry, a zip package, a ``config`` in flow style, or
        an edited RDF that does not validate.
    """
    check_entry(entry)
    key = (entry["dataset_id"], entry["dataset_role"])
    earlier = current_config(package).get("evaluations") or []
    kept = [e for e in earlier if not isinstance(e, dict) or (e.get("dataset_id"), e.get("dataset_role")) != key]
    return rdf_text_with_config(package, {"evaluations": [*kept, entry]})


def _write_tables(report: EvaluationReport, json_path: Path | None, csv_path: Path | None) -> None:
    if json_path is not None:
        write_json(json_path, report.document)
        report.written.append(json_path)
    if csv_path is not None:
        atomic_write(csv_path, report.csv_text)
        report.written.append(csv_path)


def _write_card(report: EvaluationReport, card_path: Path | None, json_path: Path | None,
                csv_path: Path | None) -> None:
    """RDF entry, figures, tables, card facts and provenance; everything prepared before the first write."""
    material, package = report.card_material, report.package
    if material is None or package is None:
        raise ValueError("writing the card needs an evaluation made with for_card=True")
    card = card_path or default_output(package)
    folder = card.parent / EVALUATION_DIR
    json_path = json_path or folder / "summary.json"
    csv_path = csv_path or folder / "per_image.csv"
    entry = material.entry
    sidecar = read_sidecar(card)  # an unreadable sidecar stops the run before anything is written
    refuse_link_outside(folder, card.parent)
    rdf_text = rdf_text_with(package, entry)
    settings = dict(report.record)  # the sidecar's record and the JSON's settings name files from the card
    for key in ("manifest", "package"):
        if settings.get(key) is not None:
            store_path(settings, key, settings[key], card.parent)
    report.document["settings"] = settings

    figures = [(figure.alt, folder / figure.name, figure.data) for figure in material.figures]
    relative = [(alt, _rel(path, card)) for alt, path, _ in figures]
    bootstrap = report.record["bootstrap"]
    notes = (f"{material.spread}; n per column under Factors. "
             f"{int(bootstrap['confidence'] * 100)}% bootstrap confidence intervals (seed {bootstrap['seed']}, "
             f"{bootstrap['resamples']} resamples) and per-image values: `{_rel(json_path, card)}`, "
             f"`{_rel(csv_path, card)}`. Predictions: {report.record['prediction_rule']}.")
    if material.appendix:
        notes += "\n\n" + material.appendix
    facts = card_facts(entry, where=settings["manifest"], detail=f"bmzcard evaluate, manifest sha256 "
                       f"{report.record['manifest_sha256'][:12]}", diversity=material.diversity,
                       notes=notes, figures=relative)

    if write_rdf(package, rdf_text):  # keeps a backup; a re-run with equal numbers changes nothing
        report.written.append(package.rdf_path)
    folder.mkdir(exist_ok=True)  # bmzcard's own folder beside the card
    for _, path, data in figures:
        write_bytes_atomic(path, data)
        report.written.append(path)
    _write_tables(report, json_path, csv_path)
    generate_card(package.source, card, extra_facts=facts)
    record = dict(settings, entry=entry, figures=[r for _, r in relative],
                  json=_rel(json_path, card), csv=_rel(csv_path, card),
                  rdf_sha256=hashlib.sha256(rdf_text.encode("utf-8")).hexdigest())
    sidecar = read_sidecar(card)  # as generate_card just wrote it
    sidecar["evaluation"] = record
    write_json(sidecar_path(card), sidecar)
    report.card = card
    report.written += [card, sidecar_path(card)]


def _rel(path: Path, card: Path) -> str:
    return relative_to_card(path, card.parent)
