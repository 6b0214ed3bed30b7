"""The card's files: a filled card written with its sidecar, backup and RDF hash.

`write_filled` writes what the `generate` producer filled; `generate_card`
fills and writes in one call (what `bmzcard generate` does). `Card` is one card
file, read and written byte for byte. Nothing is written
until everything is ready: the card and its provenance sidecar are each replaced
atomically, a card that existed and changes is backed up first, and an RDF that
pins this card's sha256 as its documentation is validated with the new hash
before the first write.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from bmzcard.card.fill import Change
from bmzcard.facts import Fact
from bmzcard.generate import FilledCard, filled_card
from bmzcard.outputs.files import backup, write_bytes_atomic
from bmzcard.outputs.provenance import commit_card, sidecar_data
from bmzcard.sources.sidecar import sidecar_path
from bmzcard.outputs.rdf_config import rdf_text_with_values, write_rdf
from bmzcard.sources.readme import CardDocument, Heading, parse_card, read_card


@dataclass
class GenerateReport:
    output: Path | None  # None when the card went to standard output
    text: str
    changes: list[Change]
    written: dict[str, Fact]
    todo: list[str]  # template fields and sections still without content
    backup: Path | None = None
    merged: bool = False
    upgraded_from: str | None = None
    notes: list[str] = field(default_factory=list)
    todo_reasons: dict[str, str] = field(default_factory=dict)  # TODO fields a source knows but leaves to the author
    images: list[Path] = field(default_factory=list)  # images of the test tensors (re)written beside the card


def generate_card(
    source: str | Path,
    output: Path | None = None,
    *,
    force: bool = False,
    to_stdout: bool = False,
    extra_facts: Iterable[Fact] = (),
    records: Iterable[Path] = (),
) -> GenerateReport:
    """Generate or complete the card of a package and write it (unless `to_stdout`).

    `force` starts from the blank template (the old card is backed up);
    `to_stdout` returns the text of a fresh card and writes nothing.
    """
    filled = filled_card(source, output, fresh=force or to_stdout, extra_facts=extra_facts, records=records)
    if to_stdout:
        return report_of(filled, output=None)
    return write_filled(filled)


def write_filled(filled: FilledCard) -> GenerateReport:
    """Write a filled card, its sidecar and (when the RDF pins the card's hash) the RDF."""
    output = filled.output
    report = report_of(filled, output=output)
    rdf_text = None
    if filled.pinned_sha256 is not None:  # validate the RDF with the new hash before writing anything
        new_hash = hashlib.sha256(filled.text.encode("utf-8")).hexdigest()
        if new_hash != filled.pinned_sha256:
            rdf_text = rdf_text_with_values(filled.package, {("documentation", "sha256"): new_hash})
    if filled.sidecar_unreadable:  # `--force` over a sidecar that could not be read: it is kept aside
        report.notes.append(f"the unreadable sidecar was saved as {backup(sidecar_path(output))}")
    sidecar = sidecar_data(filled.written, filled.inputs, filled.text, keep=filled.sidecar)
    report.images = write_images(filled)  # before the card, so that it never shows a missing image
    report.backup = commit_card(output, filled.text, sidecar, filled.sidecar)
    if rdf_text is not None:
        write_rdf(filled.package, rdf_text)
        report.notes.append(f"updated documentation.sha256 in {filled.package.display()} (backup kept)")
    return report


def write_images(filled: FilledCard) -> list[Path]:
    """The images bmzcard made for the card (its test tensors), beside it; returns those (re)written.

    Each is written atomically and only when its bytes changed, and only into the
    card's folder when that lies in the package's folder: never beside a zip or
    outside the package.
    """
    folder = filled.output.parent
    package = filled.package
    if package.is_zip or not folder.resolve().is_relative_to(package.root.resolve()):
        return []
    written = []
    for name, data in sorted(filled.images.items()):
        path = folder / name
        if Path(name).name != name or path.is_dir():  # a plain file name beside the card, nothing else
            continue
        if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
            continue
        write_bytes_atomic(path, data)
        written.append(path)
    return written


def report_of(filled: FilledCard, output: Path | None) -> GenerateReport:
    """What `bmzcard generate` reports about a filled card (``output`` None: not written)."""
    return GenerateReport(output=output, text=filled.text, changes=filled.changes, written=filled.written,
                          todo=filled.todo, merged=filled.merged, upgraded_from=filled.upgraded_from,
                          notes=list(filled.notes), todo_reasons=filled.todo_reasons)


class Card:
    """A model card: its exact text, parsed into the template's sections and fields.

    Built on `bmzcard.sources.readme.CardDocument` (``.document``: headings,
    ``- **Label:** value`` fields, tables, links and code blocks with their
    line spans, the YAML front matter). ``.text`` is the card byte for byte as
    read, line endings, final newline and a UTF-8 byte-order mark included, so
    reading and writing an unchanged card changes nothing.

    Examples
    --------
    >>> import bmzcard
    >>> card = bmzcard.Card.read("my_model/README.md")          # doctest: +SKIP
    >>> card.section("model_details").title                     # doctest: +SKIP
    'Model Details'
    >>> card.write()                                            # doctest: +SKIP
    """

    def __init__(self, document: CardDocument, path: Path | None = None, *, bom: bool = False) -> None:
        self.document = document
        self.path = path
        self.bom = bom

    @classmethod
    def read(cls, path: str | Path) -> Card:
        """Read a card file; a `BmzcardError` for binary, non-UTF-8 or huge files."""
        path = Path(path)
        document = read_card(path)
        with path.open("rb") as stream:
            bom = stream.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
        return cls(document, path, bom=bom)

    @classmethod
    def parse(cls, text: str) -> Card:
        """A card from its text (not tied to a file)."""
        return cls(parse_card(text.removeprefix("\ufeff")), bom=text.startswith("\ufeff"))

    @property
    def text(self) -> str:
        return ("\ufeff" if self.bom else "") + self.document.text

    @property
    def front_matter(self) -> str:
        """The YAML front matter block at the top (Hugging Face style), ``---`` lines included; "" if none."""
        lines = self.document.lines[: self.document.front_matter_end]
        return self.document.newline.join(lines) + (self.document.newline if lines else "")

    def section(self, key: str) -> Heading | None:
        """The heading of a template section (``"model_details"``), or None when the card lacks it."""
        return self.document.section(key)

    def fields(self, key: str) -> dict[str, str]:
        """The ``- **Label:** value`` fields under a section's heading, label -> value."""
        heading = self.document.section(key)
        return {} if heading is None else {f.label: f.value for f in self.document.fields_of(heading)}

    def write(self, path: str | Path | None = None) -> Path | None:
        """Write the card (default: where it was read), atomically; a file it replaces is backed up first.

        Returns the backup's path, or None when nothing was replaced. A file that
        already holds this exact text is left untouched.
        """
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("this card was not read from a file: give the path to write")
        data = self.text.encode("utf-8")
        if target.exists() and target.read_bytes() == data:
            return None
        saved = backup(target) if target.exists() else None
        write_bytes_atomic(target, data)
        self.path = target
        return saved
