"""Quantities in words for cards and terminals: byte counts in decimal units."""

from __future__ import annotations


def format_bytes(size: float, digits: int = 1) -> str:
    """A byte count in decimal units: ``1806764 -> '1.8 MB'`` (``'1.81 MB'`` with ``digits=2``)."""
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.{digits}f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")
