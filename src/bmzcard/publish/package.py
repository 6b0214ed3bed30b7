"""`package`: the zip a contributor uploads to bioimage.io, with the checked card in it.

Steps: the card is checked (`check`'s rules; refused on errors unless
`allow_errors`); the RDF is edited in memory (its `documentation` points at the
card with the card's sha256, the images the card shows become `attachments`, and
the card's human-written text fields go into `config.bioimageio`), validated by
bioimageio.spec (format only offline; io checks with `online`), and packed by
bioimageio.spec's `save_bioimageio_package`, which validates the zip again before
it gets its name. The package's own files are never modified.

bioimageio.spec packs every file at the top of the zip (`figures/plot.png`
becomes `plot.png`, a second `cover.png` becomes `cover_2.png`): where the card's
image links would then land nowhere, the zip holds a copy of the card with those
links rewritten to the packed names.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from bmzcard.errors import BmzcardError
from bmzcard.outputs.zoo_package import write_zoo_zip
from bmzcard.sources.package import Package, open_package, unpacked
from bmzcard.sources.rdf_facts.written import bioimageio_config
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
    with unpacked(original) as package, tempfile.TemporaryDirectory(prefix="bmzcard-package-") as scratch:
        card_name = _card_name(package, card)
        document = read_card(package.root / card_name)
        errors, warnings = _check(package, card_name, online)
        if errors and not allow_errors:
            raise BmzcardError(
                f"the card has {errors} check error{'s' if errors != 1 else ''}"
                f" (run `bmzcard check {original.source}`); fix them or pass --allow-errors",
                path=original.display(card_name))
        report = PackageReport(output, card_name, errors, warnings)
        description = _completed_description(package, card_name, document, online, report, Path(scratch))
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
                           report: PackageReport, scratch: Path) -> Any:
    """The RDF with its documentation, attachments and card fields set, validated by bioimageio.spec.

    The edit is made on the RDF's data, not its text: `save_bioimageio_package`
    writes the RDF anew into the zip, so comments could not survive anyway.
    `scratch` receives the card with rewritten image links, when it needs them.
    """
    import copy

    from bmzcard.sources.rdf import read_raw

    raw = copy.deepcopy(read_raw(package))
    _set_documentation(raw, card_name, (package.root / card_name).read_bytes())
    images = _card_images(package, card_name, document)
    _attach(raw, images, package)
    for keys, text in _card_config(document, raw).items():
        node = raw
        for key in ("config", "bioimageio", *keys[:-1]):
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[keys[-1]] = text
        report.config_written.append("config.bioimageio." + ".".join(keys))
    description = _described(raw, package, online)
    packed = _packed_names(description, online)
    relinked = _relinked_card(document, images, packed)
    if relinked is None:
        return description
    copy_of_card = scratch / posixpath.basename(card_name)  # packed under this name, as the card itself
    copy_of_card.write_text(relinked, encoding="utf-8", newline="")
    _set_documentation(raw, str(copy_of_card), copy_of_card.read_bytes())
    description = _described(raw, package, online)
    packed.pop(posixpath.normpath(card_name), None)  # the card is packed from its copy now
    if _packed_names(description, online) != packed:  # the copy must not move any other file's packed name
        raise BmzcardError("bioimageio.spec packs the card's images under names that change with the card; "
                           "give the images distinct file names", path=package.display(card_name))
    report.notes.append("the card's image links are rewritten in the zip to the names bioimageio.spec packs "
                        "the images under (it packs every file at the top of the zip)")
    return description


def _described(raw: dict, package: Package, online: bool) -> Any:
    """`raw` as a bioimageio.spec model description; a `BmzcardError` naming the first problem otherwise."""
    import warnings

    from bioimageio.spec import InvalidDescr, ValidationContext, build_description

    from bmzcard.sources.rdf import format_loc

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


def _set_documentation(raw: dict, source: str, card: bytes) -> None:
    if isinstance(raw.get("documentation"), dict) or str(raw.get("format_version", "")).startswith("0.5"):
        raw["documentation"] = {"source": source, "sha256": hashlib.sha256(card).hexdigest()}
    else:  # format 0.4 and older: a path, with no hash
        raw["documentation"] = source


def _card_images(package: Package, card_name: str, document: CardDocument) -> dict[str, str]:
    """The card's images that are files of the package: each target as written -> its path in the package."""
    folder = posixpath.dirname(card_name)
    found: dict[str, str] = {}
    for link in document.links:
        target = link.target.strip()
        if link.kind != "image" or not target or target.startswith(("//", "#")) or _SCHEME.match(target):
            continue
        path = posixpath.normpath(posixpath.join(folder, target.split("#", 1)[0].split("?", 1)[0]))
        if not path.startswith(("../", "/")) and path != ".." and package.has_file(path):
            found[target] = path
    return found


_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


def _attach(raw: dict, images: dict[str, str], package: Package) -> None:
    """List the card's images the RDF does not name yet as its attachments, so that they are packed."""
    named = set(_strings(raw))
    missing = [path for path in dict.fromkeys(images.values()) if path not in named]
    if not missing:
        return
    if str(raw.get("format_version", "")).startswith("0.5"):
        attachments = raw["attachments"] if isinstance(raw.get("attachments"), list) else []
        attachments += [{"source": path, "sha256": hashlib.sha256((package.root / path).read_bytes()).hexdigest()}
                        for path in missing]
    else:  # format 0.4 and older: attachments: {files: [...]}
        attachments = raw["attachments"] if isinstance(raw.get("attachments"), dict) else {}
        files = attachments["files"] if isinstance(attachments.get("files"), list) else []
        attachments["files"] = files + missing
    raw["attachments"] = attachments


def _strings(data: Any) -> Any:
    if isinstance(data, str):
        yield posixpath.normpath(data)
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def _packed_names(description: Any, online: bool) -> dict[str, str]:
    """Each local file bioimageio.spec packs (its path beside the RDF) -> its name in the zip."""
    from bioimageio.spec import get_package_content

    names = {}
    for name, entry in get_package_content(description, local_files_only=not online).items():
        source = getattr(entry, "source", None)
        if source is not None and not isinstance(source, Path) and "://" not in str(source):
            names[posixpath.normpath(str(source))] = name
    return names


def _relinked_card(document: CardDocument, images: dict[str, str], packed: dict[str, str]) -> str | None:
    """The card with each image link pointing at its packed name; None when every link lands already."""
    lines = list(document.lines)
    changed = False
    for link in document.links:
        target = link.target.strip()
        name = packed.get(images.get(target, ""))
        if name is None or name == target:
            continue
        line = lines[link.line]
        for before, after in ((f"({target}", f"({name}"), (f'"{target}"', f'"{name}"'), (f"'{target}'", f"'{name}'")):
            line = line.replace(before, after)
        changed = changed or line != lines[link.line]
        lines[link.line] = line
    if not changed:
        return None
    return document.newline.join(lines) + (document.newline if document.trailing_newline else "")


def _card_config(document: CardDocument, raw: dict) -> dict[tuple[str, ...], str]:
    """Human-written card text for `config.bioimageio` keys whose RDF value differs."""
    from bmzcard.card.placeholders import is_placeholder_body, is_placeholder_value
    from bmzcard.template import TEMPLATE

    written = bioimageio_config(raw)
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
