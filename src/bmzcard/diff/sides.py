"""One side of a diff: a package (folder, zip or RDF file) or a card, read with the existing readers.

A card is paired with its RDF through its provenance sidecar (the RDF it was
generated from) or the RDF beside it; a package's card is the one `check`
finds. Everything is read the way `generate` and `check` read it, so hostile
input (YAML bombs, zip slips and bombs, huge or binary files) is refused the
same way, whichever side it is on.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from bmzcard.errors import BmzcardError
from bmzcard.lint.inputs import CARD_SUFFIXES, Target, card_name, load
from bmzcard.lint.rule import CardContext
from bmzcard.sources.limits import MAX_NESTING
from bmzcard.sources.sidecar import read_sidecar, sidecar_rdf
from bmzcard.sources.package import MAX_RDF_BYTES, Package, open_package
from bmzcard.sources.rdf import describe, parse_raw

_HASH_CHUNK = 1 << 20


@dataclass
class Side:
    """What one version of a model gives the diff."""

    given: str  # as the user named it
    package: Package
    raw: dict[str, Any]  # the RDF as written
    description: Any | None  # bioimageio.spec's description, None when the spec rejects the RDF
    rejected: str | None  # the spec's reason, when it rejects the RDF
    rdf_sha256: str
    card: CardContext | None
    sidecar: dict[str, Any] = field(default_factory=dict)
    card_folder: Path | None = None  # where the card's relative files lie (None inside a zip)

    @property
    def upgraded_from(self) -> str | None:
        """The format version as written when the spec upgraded it to 0.5, else None."""
        written = str(self.raw.get("format_version", ""))
        described = str(getattr(self.description, "format_version", ""))
        return written if self.description is not None and written.split(".")[:2] != described.split(".")[:2] else None

    def summary(self) -> dict[str, Any]:
        """The side as the report's `old`/`new` object."""
        compared = (
            "as written (bioimageio.spec rejects it)"
            if self.description is None
            else f"bioimageio.spec {getattr(self.description, 'format_version', '')}"
            + (f" (upgraded from {self.upgraded_from})" if self.upgraded_from else "")
        )
        return {
            "source": self.given,
            "rdf": self.package.display(),
            "rdf_sha256": self.rdf_sha256,
            "card": self.card.path if self.card is not None else None,
            "id": _text(self.raw.get("id")),
            "name": _text(self.raw.get("name")),
            "version": _text(self.raw.get("version")),
            "format_version": _text(self.raw.get("format_version")),
            "compared_as": compared,
        }

    def file_sha256(self, relative: str) -> str | None:
        """The SHA-256 of a package file, streamed; None when it is not in the package."""
        name = str(PurePosixPath(relative.replace("\\", "/")))
        if not self.package.has_file(name):
            return None
        digest = hashlib.sha256()
        if self.package.is_zip:
            with zipfile.ZipFile(self.package.source) as archive, archive.open(name) as stream:
                while chunk := stream.read(_HASH_CHUNK):
                    digest.update(chunk)
        else:
            with open(self.package.root / name, "rb") as stream:
                while chunk := stream.read(_HASH_CHUNK):
                    digest.update(chunk)
        return digest.hexdigest()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def read_side(source: str | Path) -> Side:
    """Read a package folder, zip, RDF file or card; a `BmzcardError` when it is unreadable."""
    path = Path(source)
    if path.is_file() and path.suffix.lower() in CARD_SUFFIXES:
        return _read_card_side(path)
    package = open_package(path)
    side = _read_rdf(str(source), package)
    try:
        name = card_name(package, side.raw)
    except BmzcardError:
        return side  # an RDF alone: no card to compare
    side.card = load(Target(str(path), "package"))
    if not package.is_zip:
        card_path = package.root / name
        side.card_folder = card_path.parent
        side.sidecar = read_sidecar(card_path)
    return side


def _read_card_side(card: Path) -> Side:
    sidecar = read_sidecar(card)
    package = _package_of_card(card, sidecar)
    side = _read_rdf(str(card), package)
    side.card = load(Target(str(card), "card", rdf=str(package.rdf_path)))
    side.card_folder = card.parent
    side.sidecar = sidecar
    return side


def _package_of_card(card: Path, sidecar: dict[str, Any]) -> Package:
    """The RDF the sidecar names (when it still exists), else the package the card lies in."""
    named = sidecar_rdf(card, sidecar)
    if named is not None:
        return open_package(named)
    try:
        return open_package(card.parent)
    except BmzcardError:
        raise BmzcardError(
            "no RDF for this card: its sidecar names none that exists and there is none beside it; "
            "diff the package folders instead",
            path=card,
        ) from None


def _read_rdf(given: str, package: Package) -> Side:
    """The RDF as written and, where the spec accepts it, its description (upgraded to 0.5 where it can be)."""
    content = package.read_bytes(package.rdf_name, MAX_RDF_BYTES)
    raw = parse_raw(content, package.display())
    _check_nesting(raw, package.display())
    try:
        description, _ = describe(raw, package)
        rejected = None
    except BmzcardError as error:  # still comparable as written
        description, rejected = None, str(error)
    return Side(given, package, raw, description, rejected, hashlib.sha256(content).hexdigest(), None)


def _check_nesting(data: Any, where: str) -> None:
    """Refuse data nested deeper than `MAX_NESTING` levels, counted without recursion.

    `parse_raw` bounds the nesting of the text; aliases can still build deeper data,
    and the comparison walks the tree recursively.
    """
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_NESTING:
            raise BmzcardError(f"the RDF nests deeper than {MAX_NESTING} levels; refusing it", path=where)
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
