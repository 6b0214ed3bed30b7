"""The `generate` producer: a package's facts filled into its card, nothing written.

sources (package, RDF, existing card, sidecar, records) -> facts -> filled card.
`filled_card` returns the card's text with the facts it holds and what it was
made from; the output stage (`bmzcard.outputs.card`) writes it, its sidecar and
a backup, all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from bmzcard.card.fill import Change, blank_document, fill_card
from bmzcard.errors import BmzcardError
from bmzcard.facts import Fact
from bmzcard.sources.package import Package, open_package
from bmzcard.sources.paths import relative_to_card
from bmzcard.sources.rdf import LoadedRdf, load_rdf
from bmzcard.sources.rdf_facts import facts_from_description
from bmzcard.sources.readme import read_card
from bmzcard.sources.records import discovered_records, facts_from_record
from bmzcard.sources.sidecar import previous_values, read_sidecar, text_sha256
from bmzcard.template import TEMPLATE, SectionKind


@dataclass
class FilledCard:
    """A package's card, filled and ready to write."""

    package: Package
    output: Path  # where the card belongs
    text: str
    changes: list[Change]
    written: dict[str, Fact]  # the facts filled in, by field key
    todo: list[str]  # template fields and sections still without content
    inputs: dict[str, Any]  # what the card was built from, for the sidecar
    merged: bool  # an existing card was completed rather than replaced
    upgraded_from: str | None
    pinned_sha256: str | None  # the hash the RDF pins for this card as its documentation
    sidecar: dict[str, Any]  # the card's sidecar as read ({} when none, or when starting over from a broken one)
    sidecar_unreadable: bool = False  # `fresh` over a sidecar that could not be read: back it up, then replace it
    notes: list[str] = field(default_factory=list)
    todo_reasons: dict[str, str] = field(default_factory=dict)  # TODO fields a source knows but leaves to the author
    images: dict[str, bytes] = field(default_factory=dict)  # images bmzcard made that the card shows, beside it


def default_output(package: Package) -> Path:
    """README.md beside the RDF; for a zip, `<name>.README.md` beside the zip."""
    if package.is_zip:
        return package.source.with_name(f"{package.source.stem}.README.md")
    return package.root / "README.md"


def filled_card(
    source: str | Path | Package,
    output: Path | None = None,
    *,
    fresh: bool = False,
    extra_facts: Iterable[Fact] = (),
    records: Iterable[Path] = (),
    loaded: LoadedRdf | None = None,
) -> FilledCard:
    """Fill the card of a package from everything it knows.

    Parameters
    ----------
    source
        A package folder, its RDF file or a zip (or an opened `Package`).
    output
        Where the card belongs (default: `default_output`); an existing card
        there is completed, its human text kept, unless `fresh`.
    fresh
        Start from the blank template, ignoring an existing card (and a sidecar
        that cannot be read, which is otherwise an error).
    extra_facts
        Facts from other producers (measurements, evaluations); they outrank the RDF's.
    records
        Records of `bmzcard measure --json`, `track` or `carbon --json`.
    loaded
        The package's RDF when the caller has read it already (`source` is then ignored).
    """
    if loaded is not None:
        package = loaded.package
    else:
        package = source if isinstance(source, Package) else open_package(source)
        loaded = load_rdf(package)
    kind = getattr(loaded.description, "type", None)
    if kind != "model":
        raise BmzcardError(f"this RDF describes a {kind}, not a model; model cards are for models",
                           path=package.display(), field="type")
    output = output or default_output(package)
    card_dir = output.parent.resolve()
    sidecar, unreadable = {}, False
    try:
        sidecar = read_sidecar(output)
    except BmzcardError:
        if not fresh:
            raise
        unreadable = True
    facts = facts_from_description(loaded.description, package, card_dir, loaded.raw, card_name=output.name)
    facts.extend(measured_facts(sidecar))  # earlier measurements and evaluations outrank the RDF's own
    record_paths = [] if package.is_zip else discovered_records(package.root)
    for record in [*record_paths, *records]:
        facts.extend(facts_from_record(Path(record), card_dir))
    facts.extend(extra_facts)

    merged = output.exists() and not fresh
    notes = []
    if merged:
        document, previous = read_card(output), previous_values(sidecar)
        interrupted = sidecar.get("replacing")
        if interrupted and text_sha256(document.text) == interrupted.get("card_sha256"):
            # the last run wrote the sidecar, then stopped before the card: this card is the one it describes as
            # replaced, so its own values are bmzcard's as that older record says, not human edits
            previous = previous_values(interrupted)
            notes.append(f"the last run stopped between writing {output.name}'s sidecar and the card; "
                         "the card was completed from the sidecar's record of it")
    else:
        document, previous = blank_document(), {}
    result = fill_card(document, facts, previous=previous)

    raw_format = str(loaded.raw.get("format_version", "?"))
    read_as = str(loaded.description.format_version)
    return FilledCard(
        package=package,
        output=output,
        text=result.text,
        changes=result.changes,
        written=result.written,
        todo=_still_todo(result.written, result.changes),
        inputs={**_rdf_from_card(package, card_dir), "rdf_sha256": loaded.sha256,
                "format_version": raw_format, "read_as": read_as},
        merged=merged,
        upgraded_from=raw_format if loaded.upgraded and raw_format != read_as else None,
        pinned_sha256=pinned_documentation(loaded.raw, package, output),
        sidecar=sidecar,
        sidecar_unreadable=unreadable,
        notes=notes,
        todo_reasons=facts.todo_reasons,
        images={name: data for name, data in facts.files.items() if f"]({name})" in result.text},
    )


def _rdf_from_card(package: Package, card_dir: Path) -> dict[str, str]:
    """The RDF's path from the card's folder, as the sidecar stores it (`model.zip!/rdf.yaml` in a zip).

    A folder's RDF also keeps its absolute path, so that a copy of the card
    elsewhere (with its sidecar) is still checked against it.
    """
    if package.is_zip:
        return {"rdf": f"{relative_to_card(package.source, card_dir)}!/{package.rdf_name}"}
    return {"rdf": relative_to_card(package.rdf_path, card_dir), "rdf_absolute": package.rdf_path.resolve().as_posix()}


def pinned_documentation(raw: dict, package: Package, output: Path) -> str | None:
    """The sha256 the RDF pins for its documentation, when that documentation is this card."""
    documentation = raw.get("documentation")
    if package.is_zip or not isinstance(documentation, dict) or not documentation.get("sha256"):
        return None
    source = documentation.get("source")
    if not isinstance(source, str) or (package.root / source).resolve() != output.resolve():
        return None
    return str(documentation["sha256"])


def measured_facts(sidecar: dict[str, Any]) -> list[Fact]:
    """Facts of earlier `measure`, `track` and `evaluate` runs, from the card's sidecar (as read)."""
    facts = []
    for data in sidecar.get("facts", []):
        fact = Fact.from_json(data)
        if fact.sources and all(s.kind in ("measurement", "evaluation", "computed") for s in fact.sources):
            facts.append(fact)
    return facts


def _still_todo(written: dict[str, Fact], changes: list[Change]) -> list[str]:
    kept = {c.key for c in changes if c.action == "kept"}
    todo = []
    for section in TEMPLATE.sections:
        if section.kind is SectionKind.FIELDS:
            todo += [f"{section.key}.{f.key}" for f in section.fields
                     if f"{section.key}.{f.key}" not in written and f"{section.key}.{f.key}" not in kept]
        elif section.kind in (SectionKind.PROSE, SectionKind.TABLE):
            if section.key not in written and section.key not in kept:
                todo.append(section.key)
    return todo
