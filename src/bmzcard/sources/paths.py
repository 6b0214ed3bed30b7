"""Paths as records and sidecars store them: relative to the card, so that they move with it.

A card's sidecar and the records beside it name files (the RDF, a manifest,
a record) by their path from the card's folder, in ``/`` form, whatever the
current directory was when they were written. A file outside the card's folder
(a data set elsewhere on disk) also keeps its absolute path under
``<key>_absolute``, so that the card's folder can move on its own and still
find it.
"""

from __future__ import annotations

import os
from pathlib import Path


def relative_to_card(path: str | Path, card_dir: Path) -> str:
    """``path`` from the card's folder in ``/`` form (``../data/test.csv``); absolute when none exists."""
    try:
        return os.path.relpath(Path(path).resolve(), card_dir.resolve()).replace(os.sep, "/")
    except ValueError:  # another drive (Windows): no relative path
        return Path(path).resolve().as_posix()


def store_path(record: dict, key: str, path: str | Path, card_dir: Path) -> None:
    """Set ``record[key]`` to ``path`` relative to the card, with ``<key>_absolute`` when it lies outside."""
    relative = relative_to_card(path, card_dir)
    record[key] = relative
    record.pop(f"{key}_absolute", None)
    if relative == ".." or relative.startswith("../") or Path(relative).is_absolute():
        record[f"{key}_absolute"] = Path(path).resolve().as_posix()


def stored_path(record: dict, key: str, card_dir: Path) -> Path:
    """The file ``record[key]`` names: from the card's folder, else at its absolute path.

    Records written before paths were stored relative to the card name them
    from the directory bmzcard ran in; such a path is used when it exists.
    """
    written = record[key]
    candidate = card_dir / written
    if candidate.exists():
        return candidate
    for fallback in (record.get(f"{key}_absolute"), written):
        if fallback and Path(fallback).exists():
            return Path(fallback)
    return candidate
