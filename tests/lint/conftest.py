"""Helpers for the `bmzcard check` tests: check a card text or a file, get (line, code) pairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bmzcard.lint.engine import FileReport, check_card, check_target
from bmzcard.lint.inputs import Target
from bmzcard.lint.registry import selected
from bmzcard.lint.rule import CardContext
from bmzcard.sources.readme import parse_card

ALL = selected(None, None)


def check_text(text: str, rdf: dict | None = None, root: Path | None = None, select=None) -> FileReport:
    card = CardContext("card.md", parse_card(text), rdf=rdf, root=root)
    return check_card(card, selected(select, None) if select else ALL)


def check_file(path: Path, rdf: Path | None = None) -> FileReport:
    codes = tuple(e.code for e in ALL)
    return check_target(Target(str(path), "card", str(rdf) if rdf else None), codes)


def pairs(report: FileReport, prefix: str = "") -> list[tuple[int, str]]:
    """(line, code) of each finding whose code starts with `prefix`, in report order."""
    return [(f.line, f.code) for f in report.findings if f.code.startswith(prefix)]


@pytest.fixture(scope="session")
def cards(shared: Path) -> Path:
    return shared / "bmz" / "cards"
