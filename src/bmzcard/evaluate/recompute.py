"""Re-run an evaluation recorded in a card's sidecar, for `bmzcard check --verify`."""

from __future__ import annotations

from pathlib import Path

from bmzcard.evaluate import EvaluateOptions, entry_of, evaluate
from bmzcard.sources.paths import stored_path


def recompute_entry(record: dict, card_dir: Path) -> tuple[dict, str]:
    """Re-run an evaluation recorded in a card's sidecar, writing nothing.

    Parameters
    ----------
    record : dict
        The sidecar's ``"evaluation"`` record (settings, manifest, package).
    card_dir : Path
        The card's folder: the record's paths are relative to it.

    Returns
    -------
    tuple of (dict, str)
        The RDF evaluation entry the re-computation gives (same labels and cell
        format as the card's table) and the manifest's sha256 now.
    """
    settings = {k: tuple(v) if isinstance(v, list) else v for k, v in record["options"].items()}
    settings.update(workers=1, scheduler=None)  # in this process: the numbers do not depend on it
    options = EvaluateOptions(**settings)
    package = None if record.get("package") is None else stored_path(record, "package", card_dir)
    report = evaluate(stored_path(record, "manifest", card_dir), package, options)
    return entry_of(report, options), report.record["manifest_sha256"]
