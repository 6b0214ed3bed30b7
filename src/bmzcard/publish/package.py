"""`package`: the zip a contributor uploads to bioimage.io, with the checked card in it.

Steps: the card is checked (`check`'s rules; refused on errors unless
`allow_errors`); the RDF is edited in memory (its `documentation` points at the
card with the card's sha256, and the card's human-written text fields go into
`config.bioimageio`), validated by bioimageio.spec (format only offline; io
checks with `online`), and packed by bioimageio.spec's `save_bioimageio_package`,
which validates the zip again before it gets its name. The package's own files
are never modified.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from bmzcard.errors import BmzcardError
from bmzcard.outputs.zoo_package import write_zoo_zip
from bmzcard.sources.package import Package, open_package, unpacked
from bmzcard.sources.readme import CardDocument, read_card

# Card text that has a home under config.bioimageio: (card section or field, key path under config.bioimageio).
CARD_CONFIG_FIELDS = (
    ("out_of_scope_use", ("out_of_scope_use",)),
    ("known_biases", ("bias_risks_limitations", "known_biases")),
    ("risks", ("bias_risks_limitations", "risks")),
    ("limitations", ("bias_risks_limitations", "limitations")),
    ("recommendations", ("bias_risks_limitations", "recommendations")),
    ("model_description.funded_by", ("funded_by",)),
)


@dataclass
class PackageReport:
    output: Path
    card: str  # the card's path inside the package
    errors: int  # check errors in the card (packed anyway only with allow_errors)
    warnings: int
    config_written: list[str] = field(default_factory=list)  # config.bioimageio keys taken from the card
    notes: list[str] = field(default_factory=list)


def default_zip(package: Package) -> Path:
    """`<package folder>.zip` beside the folder (for a zip source: `<name>.packaged.zip`)."""
    if package.is_zip:
        return package.source.with_name(f"{package.source.stem}.packaged.zip")
    return package.root.with_name(f"{package.root.name}.zip")


def package_model(source: str | Path, output: Path | None = None, *, online: bool = False,
                  allow_errors: bool = False, card: str | None = None) -> PackageReport:
    """Check the card, complete the RDF and write the validated zip; see the module docstring.

    Raises
    ------
    BmzcardError
        When the package has no card, the card has check errors (without
        `allow_errors`), the edited RDF or the zip does not validate, or the
        output would be inside the package.
    """
    original = open_package(source)
    output = output or default_zip(original)
    if not original.is_zip and output.resolve().is_relative_to(original.root.resolve()):
        raise BmzcardError("the zip would be written inside the package it packs; choose -o outside it",
                           path=output)
    with unpacked(original) as package:
        card_name = _card_name(package, card)
        document = read_card(package.root / card_name)
        errors, warnings = _check(package, card_name, online)
        if errors and not allow_errors:
            raise BmzcardError(
                f"the card has {errors} check error{'s' if errors != 1 else ''}"
                f" (run `bmzcard check {original.source}`); fix them or pass --allow-errors",
                path=original.display(card_name))
        report = PackageReport(output, card_name, errors, warnings)
        description = _completed_description(package, card_name, document, online, report)
        if card_name != "README.md":
            report.notes.append(f"the card is {card_name}, not README.md: the RDF's documentation names it")
        write_zoo_zip(description, output, online=online)
    return report


def _card_name(package: Package, card: str | None) -> str:
    from bmzcard.lint.inputs import card_name
    from bmzcard.sources.rdf import read_raw

    if card is None:
        try:
            return card_name(package, read_raw(package))
        except BmzcardError:
            raise BmzcardError("the package has no card; write one with `bmzcard generate` first",
                               path=package.display()) from None
    relative = PurePosixPath(card.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or not package.has_file(str(relative)):
        raise BmzcardError("the card must be a file inside the package", path=card)
    return str(relative)


def _check(package: Package, card_name: str, online: bool) -> tuple[int, int]:
    """Errors and warnings `bmzcard check` finds in the card (with its RDF)."""
    from bmzcard.lint.engine import check_target
    from bmzcard.lint.findings import Severity
    from bmzcard.lint.inputs import Target
    from bmzcard.lint.registry import selected

    target = Target(str(package.root / card_name), "card", str(package.rdf_path))
    result = check_target(target, tuple(e.code for e in selected(None, None)), online)
    if result.error is not None:
        raise BmzcardError(result.error, path=result.path)
    return result.count(Severity.ERROR), result.count(Severity.WARNING)


def _completed_description(package: Package, card_name: str, document: CardDocument, online: bool,
                           report: PackageReport) -> Any:
    """The RDF with its documentation and card fields set, validated as a bioimageio.spec description.

    The edit is made on the RDF's data, not its text: `save_bioimageio_package`
    writes the RDF anew into the zip, so comments could not survive anyway.
    """
    import copy
    import warnings

    from bioimageio.spec import InvalidDescr, ValidationContext, build_description

    from bmzcard.sources.rdf import format_loc, read_raw

    raw = copy.deepcopy(read_raw(package))
    card_sha = hashlib.sha256((package.root / card_name).read_bytes()).hexdigest()
    if isinstance(raw.get("documentation"), dict) or str(raw.get("format_version", "")).startswith("0.5"):
        raw["documentation"] = {"source": card_name, "sha256": card_sha}
    else:  # format 0.4 and older: a path, with no hash
        raw["documentation"] = card_name
    for keys, text in _card_config(document, raw).items():
        node = raw
        for key in ("config", "bioimageio", *keys[:-1]):
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[keys[-1]] = text
        report.config_written.append("config.bioimageio." + ".".join(keys))
    context = ValidationContext(root=package.root, file_name=package.rdf_name, perform_io_checks=online,
                                log_warnings=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        description = build_description(raw, context=context)
    if isinstance(description, InvalidDescr):
        errors = description.validation_summary.errors
        first = errors[0] if errors else None
        raise BmzcardError(
            " ".join(first.msg.split()) if first else "bioimageio.spec rejects the completed RDF",
            path=package.display(), field=format_loc(first.loc) if first else None)
    if getattr(description, "type", None) != "model":
        raise BmzcardError("this RDF does not describe a model", path=package.display(), field="type")
    return description


def _card_config(document: CardDocument, raw: dict) -> dict[tuple[str, ...], str]:
    """Human-written card text for `config.bioimageio` keys whose RDF value differs."""
    from bmzcard.card.placeholders import is_placeholder_body, is_placeholder_value
    from bmzcard.template import TEMPLATE

    config = raw.get("config") if isinstance(raw.get("config"), dict) else {}
    written = config.get("bioimageio") if isinstance(config.get("bioimageio"), dict) else {}
    values: dict[tuple[str, ...], str] = {}
    for key, path in CARD_CONFIG_FIELDS:
        section_key, _, field_key = key.partition(".")
        heading = document.section(section_key)
        if heading is None:
            continue
        if field_key:
            label = TEMPLATE.section(section_key).field(field_key).label
            item = next((f for f in document.fields_of(heading) if f.label.lower() == label.lower()), None)
            if item is None or is_placeholder_value(item.value):
                continue
            text = item.value.strip()
        else:
            lines = document.body(heading)
            if is_placeholder_body(lines, TEMPLATE.section(section_key)):
                continue
            text = "\n".join(lines).strip()
        current: Any = written
        for part in path:
            current = current.get(part) if isinstance(current, dict) else None
        if text and " ".join(str(current or "").split()) != " ".join(text.split()):
            values[path] = text
    return values
