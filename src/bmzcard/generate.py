"""The `generate` job: a package's facts written into its card.

sources (package, RDF, existing card, sidecar) -> facts -> filled card -> files.
Nothing is written until the whole card is ready; the card and its provenance
sidecar are each replaced atomically, and a card that existed is backed up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from bmzcard.card.fill import Change, blank_document, fill_card
from bmzcard.errors import BmzcardError
from bmzcard.facts import Fact
from bmzcard.outputs.files import atomic_write, backup
from bmzcard.outputs.provenance import previous_values, read_sidecar, sidecar_path, sidecar_text
from bmzcard.sources.package import Package, open_package
from bmzcard.sources.rdf import load_rdf
from bmzcard.sources.rdf_facts import facts_from_description
from bmzcard.sources.readme import read_card
from bmzcard.sources.records import discovered_records, facts_from_record
from bmzcard.template import TEMPLATE, SectionKind


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


def default_output(package: Package) -> Path:
    """README.md beside the RDF; for a zip, `<name>.README.md` beside the zip."""
    if package.is_zip:
        return package.source.with_name(f"{package.source.stem}.README.md")
    return package.root / "README.md"


def generate_card(
    source: str | Path,
    output: Path | None = None,
    *,
    force: bool = False,
    to_stdout: bool = False,
    extra_facts: Iterable[Fact] = (),
    records: Iterable[Path] = (),
) -> GenerateReport:
    """Generate or complete the card of a package; see the module docstring."""
    package = open_package(source)
    loaded = load_rdf(package)
    kind = getattr(loaded.description, "type", None)
    if kind != "model":
        raise BmzcardError(f"this RDF describes a {kind}, not a model; model cards are for models",
                           path=package.display(), field="type")
    output = output or default_output(package)
    card_dir = output.parent.resolve()
    facts = facts_from_description(loaded.description, package, card_dir, loaded.raw)
    facts.extend(measured_facts(output))  # earlier measurements and evaluations outrank the RDF's own
    record_paths = [] if package.is_zip else discovered_records(package.root)
    for record in [*record_paths, *records]:
        facts.extend(facts_from_record(Path(record)))
    facts.extend(extra_facts)

    merged = output.exists() and not force and not to_stdout
    if merged:
        document, previous = read_card(output), previous_values(output)
    else:
        document, previous = blank_document(), {}
    result = fill_card(document, facts, previous=previous)

    raw_format = str(loaded.raw.get("format_version", "?"))
    report = GenerateReport(
        output=None if to_stdout else output,
        text=result.text,
        changes=result.changes,
        written=result.written,
        todo=_still_todo(result.written, result.changes),
        merged=merged,
        upgraded_from=raw_format if loaded.upgraded and raw_format != str(loaded.description.format_version) else None,
        todo_reasons=facts.todo_reasons,
    )
    if to_stdout:
        return report
    if output.exists() and output.read_text(encoding="utf-8", errors="replace") != result.text:
        report.backup = backup(output)
    inputs = {
        "rdf": package.display(),
        "rdf_sha256": loaded.sha256,
        "format_version": raw_format,
        "read_as": str(loaded.description.format_version),
    }
    kept = {k: v for k, v in read_sidecar(output).items() if k not in ("facts", "inputs")}
    pinned = _pinned_documentation(loaded.raw, package, output)
    rdf_text = None
    if pinned is not None:  # the RDF pins this card's hash: validate the new hash before writing anything
        from bmzcard.outputs.rdf_config import rdf_text_with_values

        new_hash = hashlib.sha256(result.text.encode("utf-8")).hexdigest()
        if new_hash != pinned:
            rdf_text = rdf_text_with_values(package, {("documentation", "sha256"): new_hash})
    atomic_write(output, result.text)
    atomic_write(sidecar_path(output), sidecar_text(result.written, inputs, keep=kept))
    if rdf_text is not None:
        from bmzcard.outputs.rdf_config import write_rdf

        write_rdf(package, rdf_text)
        report.notes.append(f"updated documentation.sha256 in {package.display()} (backup kept)")
    return report


def _pinned_documentation(raw: dict, package: Package, output: Path) -> str | None:
    """The sha256 the RDF pins for its documentation, when that documentation is this card."""
    documentation = raw.get("documentation")
    if package.is_zip or not isinstance(documentation, dict) or not documentation.get("sha256"):
        return None
    source = documentation.get("source")
    if not isinstance(source, str) or (package.root / source).resolve() != output.resolve():
        return None
    return str(documentation["sha256"])


def write_measurements(source: str | Path, measurement: dict, *, card: Path | None = None) -> GenerateReport:
    """Fill a package's card and its RDF's `config.bioimageio` with a measurement.

    The RDF is edited first (validated, then written atomically with a backup);
    the card follows, so a refused RDF edit leaves both untouched.
    """
    from bmzcard.measure.facts import measurement_facts, rdf_config_values
    from bmzcard.outputs.rdf_config import rdf_text_with_config, write_rdf

    package = open_package(source)
    text = rdf_text_with_config(package, rdf_config_values(measurement))
    write_rdf(package, text)
    return generate_card(package.rdf_path, card, extra_facts=measurement_facts(measurement))


def measured_facts(card: Path) -> list[Fact]:
    """Facts of earlier `measure`, `track` and `evaluate` runs, from the card's sidecar."""
    facts = []
    for data in read_sidecar(card).get("facts", []):
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
