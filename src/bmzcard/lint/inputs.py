"""What `bmzcard check PATH` checks: cards, packages and folders of them, loaded for the rules.

A PATH is a card (Markdown), a package (folder, zip or RDF file: card and RDF
together), or a folder holding many packages or cards. `discover` turns PATHs
into targets cheaply; `checked_targets` adds every card of a package that
`check` reviews (the card `generate` writes and the RDF's `documentation`, each
its own target); `load` reads one target (in a worker process when many are
checked) into the `CardContext` the rules see.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bmzcard.errors import BmzcardError
from bmzcard.lint.rule import CardContext
from bmzcard.sources.package import RDF_NAMES, RDF_SUFFIX, Package, open_package
from bmzcard.sources.rdf import read_raw
from bmzcard.sources.readme import MAX_CARD_BYTES, decode_card, read_card

CARD_SUFFIXES = (".md", ".markdown")
CARD_NAMES = ("README.md", "readme.md", "Readme.md", "README.markdown")
_SKIPPED_FOLDERS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox"}


@dataclass(frozen=True)
class Target:
    """One thing to check: a card file alone, or a package (its card found through its RDF)."""

    path: str
    kind: str  # "card" or "package"
    rdf: str | None = None  # an RDF given with --rdf, for a card
    card: str | None = None  # a package's card file, inside it; None: the one `card_name` finds


def discover(paths: list[Path], rdf: Path | None = None) -> list[Target]:
    """The targets PATHs name, in a stable order.

    Raises
    ------
    BmzcardError
        For a PATH that does not exist, or a folder with no card or package in it.
    """
    targets: list[Target] = []
    for path in paths:
        if not path.exists():
            raise BmzcardError("no such file or folder", path=path)
        if path.is_dir():
            targets += _discover_folder(path)
        elif path.suffix.lower() in CARD_SUFFIXES or not _is_package_file(path):
            targets.append(Target(str(path), "card", str(rdf) if rdf else None))
        else:
            targets.append(Target(str(path), "package"))
    if rdf is not None and (len(targets) > 1 or targets[0].kind != "card"):
        raise BmzcardError("--rdf goes with one card; give a single card PATH", path=rdf)
    return targets


def checked_targets(paths: list[Path], rdf: Path | None = None) -> list[Target]:
    """What `check` reviews: `discover`'s targets, each package as one target per card of it.

    A package's cards are the one `generate` writes (README.md beside the RDF;
    `<name>.README.md` beside a zip) and the file its RDF's `documentation`
    names, when that is another file of the package. A package with neither
    (or whose RDF cannot be read) stays one target; `load` says why.
    """
    targets = []
    for target in discover(paths, rdf):
        targets += package_cards(target) if target.kind == "package" else [target]
    return targets


def package_cards(target: Target) -> list[Target]:
    """One target per card of a package target (see `checked_targets`), or the target itself."""
    from bmzcard.generate import default_output

    try:
        package = open_package(target.path)
        raw = read_raw(package)
    except BmzcardError:
        return [target]
    cards = []
    generated = default_output(package)
    if package.is_zip:
        if generated.is_file():
            cards.append(Target(str(generated), "card", str(package.source)))
    elif generated.is_file():
        cards.append(Target(target.path, "package", card=generated.name))
    documentation = documentation_name(package, raw)
    if documentation is not None and (package.is_zip or package.root / documentation != generated):
        cards.append(Target(target.path, "package", card=documentation))
    return cards or [target]


def _is_package_file(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".zip", ".yaml", ".yml"))


def _has_rdf(names: list[str]) -> bool:
    return any(n in RDF_NAMES or n.endswith(RDF_SUFFIX) for n in names)


def _discover_folder(folder: Path) -> list[Target]:
    if _has_rdf([p.name for p in folder.iterdir() if p.is_file()]):
        return [Target(str(folder), "package")]
    packages: list[Target] = []
    cards: list[Target] = []
    for where, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if f not in _SKIPPED_FOLDERS and not f.startswith("."))
        if _has_rdf(files) and Path(where) != folder:
            packages.append(Target(where, "package"))
            folders[:] = []  # a package's own folders hold its files, not more packages
            continue
        cards += [Target(os.path.join(where, f), "card") for f in sorted(files) if f.lower().endswith(CARD_SUFFIXES)]
    if packages:
        return packages
    if cards:
        return cards
    raise BmzcardError("no model card or package in this folder", path=folder)


def load(target: Target, *, online: bool = False, allow_code: bool = False) -> CardContext:
    """Read one target's card and RDF into a context; a `BmzcardError` when unreadable."""
    if target.kind == "card":
        path = Path(target.path)
        document = read_card(path)
        package = _package_of_card(path, target.rdf) or _package_named_by_card(path, document)
        rdf = read_raw(package) if package is not None else None
        note = None if package is not None else NO_RDF_NOTE
        return CardContext(str(path), document, rdf=rdf, root=path.parent, online=online,
                           allow_code=allow_code, note=note)
    package = open_package(target.path)
    rdf = read_raw(package)
    name = target.card or card_name(package, rdf)
    document = decode_card(package.read_bytes(name, MAX_CARD_BYTES), package.display(name))
    if package.is_zip:
        return CardContext(
            package.display(name),
            document,
            rdf=rdf,
            package_files=frozenset(package.zip_sizes or ()),
            card_folder=str(PurePosixPath(name).parent),
            online=online,
            allow_code=allow_code,
        )
    card_path = package.root / name
    return CardContext(str(card_path), document, rdf=rdf, root=card_path.parent, online=online,
                       allow_code=allow_code)


NO_RDF_NOTE = ("no RDF found (none beside the card, in its provenance sidecar or its get-started code; "
               "give one with --rdf): consistency rules (C) were not run")


def _package_named_by_card(card: Path, document) -> Package | None:
    """The RDF the card's provenance sidecar names, else the one its get-started code loads (`predict(model=...)`)."""
    import re

    from bmzcard.sources.sidecar import sidecar_rdf

    try:
        named = sidecar_rdf(card)
    except BmzcardError:  # a broken sidecar names nothing; generate reports it
        named = None
    candidates = [] if named is None else [named]
    for line in document.lines:
        match = re.search(r'predict\(model="([^"]+\.(?:ya?ml|zip))"', line)
        if match:
            candidates.append(card.parent / match.group(1))
    for candidate in candidates:
        if candidate.is_file():
            try:
                return open_package(candidate)
            except BmzcardError:
                continue
    return None


def _package_of_card(card: Path, rdf: str | None) -> Package | None:
    """The package a card belongs to: the --rdf given, else an RDF beside the card, else none."""
    if rdf is not None:
        return open_package(rdf)
    folder = card.parent
    try:
        names = [p.name for p in folder.iterdir() if p.is_file()]
    except OSError:
        return None
    if not _has_rdf(names):
        return None
    try:
        return open_package(folder)
    except BmzcardError:
        return None  # several candidate RDFs: the card is checked alone


def documentation_name(package: Package, rdf: dict) -> str | None:
    """The file of the package the RDF names as its `documentation` (0.4 text, 0.5 `{source: ...}`), if there."""
    documentation = rdf.get("documentation")
    if isinstance(documentation, dict):
        documentation = documentation.get("source")
    if not isinstance(documentation, str) or "://" in documentation:
        return None
    name = PurePosixPath(documentation.replace("\\", "/"))
    if name.is_absolute() or ".." in name.parts:  # not a file of the package
        return None
    return str(name) if package.has_file(str(name)) else None


def card_name(package: Package, rdf: dict) -> str:
    """The card of a package: the RDF's `documentation` when it is a file there, else a README."""
    documentation = documentation_name(package, rdf)
    if documentation is not None:
        return documentation
    for name in CARD_NAMES:
        if package.has_file(name):
            return name
    raise BmzcardError(
        "the package has no card: its RDF names no documentation file in it, and there is no README.md",
        path=package.display(),
    )
