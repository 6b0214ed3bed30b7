"""`export hf` and `import hf`: a model's card to and from a Hugging Face model repository.

Export reads the package's card (the one `generate` wrote, or the RDF's
documentation; generated in memory when there is none, or shown as written
when bioimageio.spec rejects the RDF), puts the Hub header above it and copies
the images it shows. Import reads a Hub card from a stranger into a bmzcard
card and an RDF fragment, or into an existing package (its RDF patched, its
card written beside it), reporting what is lossy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable
from urllib.parse import unquote

from bmzcard.errors import BmzcardError
from bmzcard.outputs.huggingface import (
    MAX_IMAGE_BYTES,
    HubCard,
    as_written_body,
    cell_mean,
    fragment_text,
    hub_body,
    hub_card,
    write_folder,
)
from bmzcard.sources.huggingface import pipeline_tag, read_hub_card, rdf_fields
from bmzcard.sources.package import MAX_RDF_BYTES, Package, open_package
from bmzcard.sources.rdf import LoadedRdf, load_rdf, parse_raw
from bmzcard.sources.rdf_facts import written
from bmzcard.sources.readme import MAX_CARD_BYTES, CardDocument, decode_card, parse_card, read_card

FRAGMENT_NAME = "rdf-fragment.yaml"


@dataclass
class ExportReport:
    out_dir: Path
    card_source: str  # the card file used, or "generated" when the package had none
    written: list[Path]
    unmapped: list[str]
    notes: list[str] = field(default_factory=list)
    hub: HubCard | None = None


@dataclass
class ImportReport:
    out_dir: Path
    written: list[Path]
    lossy: list[str]
    source_sha256: str | None


def export_hf(source: str | Path, out_dir: Path, *, card: Path | None = None,
              license_link: str | None = None) -> ExportReport:
    """Write the Hugging Face card of a package into `out_dir` (README.md and its images)."""
    hub, card_source, notes = build_hub_card(source, card=card, license_link=license_link)
    written = write_folder(out_dir, {"README.md": hub.text, **hub.images})
    return ExportReport(out_dir, card_source, written, hub.unmapped, notes, hub)


def build_hub_card(source: str | Path, *, card: Path | None = None,
                   license_link: str | None = None) -> tuple[HubCard, str, list[str]]:
    """The Hub card of a package in memory: (card, which card it came from, notes).

    An RDF that bioimageio.spec rejects still gets a card, built from the RDF as
    written (`HubCard.rejected` holds the spec's error, also first in `unmapped`);
    one that is not valid YAML, or not a model, is a `BmzcardError`.
    """
    package = open_package(source)
    loaded = load_rdf(package, keep_rejected=True)
    kind = loaded.raw.get("type") if loaded.description is None else getattr(loaded.description, "type", None)
    if kind != "model":
        what = f"describes a {kind}" if isinstance(kind, str) and kind else "names no type"
        raise BmzcardError(f"this RDF {what}, not a model; Hub model cards are for models",
                           path=package.display(), field="type")
    document, card_source, read = _card_of(package, loaded, card)
    body, images, notes = hub_body(document, read)
    return hub_card(loaded, body, license_link=license_link, images=images), card_source, notes


def _card_of(package: Package, loaded: LoadedRdf, card: Path | None) -> tuple[CardDocument, str, Callable]:
    """The package's card, and a reader of the images it links to."""
    from bmzcard.generate import default_output, filled_card
    from bmzcard.lint.inputs import card_name

    if card is not None:
        roots = [card.parent.resolve()] + ([] if package.is_zip else [package.root.resolve()])
        return read_card(card), str(card), _folder_reader(card.parent, roots)
    beside = default_output(package)
    if beside.is_file():
        roots = [beside.parent.resolve()]
        return read_card(beside), str(beside), _folder_reader(beside.parent, roots)
    try:
        name = card_name(package, loaded.raw)
    except BmzcardError:
        name = None
    if name is not None and package.is_zip:
        folder = str(PurePosixPath(name).parent)
        document = decode_card(package.read_bytes(name, MAX_CARD_BYTES), package.display(name))
        return document, package.display(name), _zip_reader(package, folder)
    if name is not None:
        return read_card(package.root / name), str(package.root / name), \
            _folder_reader((package.root / name).parent, [package.root.resolve()])
    if loaded.description is None:  # the spec rejects the RDF: nothing to generate from but the RDF as written
        text = as_written_body(loaded.raw, package.rdf_name)
        return _document(text), "the RDF as written", _folder_reader(beside.parent, [beside.parent.resolve()])
    filled = filled_card(package, beside, fresh=True, loaded=loaded)
    on_disk = _folder_reader(beside.parent, [beside.parent.resolve()])
    # the images generate made for the card (its test tensors) are in memory, not yet beside it
    return _document(filled.text), "generated", lambda target: filled.images.get(unquote(target)) or on_disk(target)


def _document(text: str) -> CardDocument:
    """The card parsed for its image links; a text with no image syntax needs no Markdown parse."""
    if "![" in text or "<img" in text.lower():
        return parse_card(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    trailing = bool(lines) and lines[-1] == ""
    return CardDocument(lines=lines[:-1] if trailing else lines, newline=newline, trailing_newline=trailing)


def _folder_reader(folder: Path, roots: list[Path]) -> Callable[[str], bytes | None]:
    """Read a link target relative to `folder`; None outside `roots`, missing, or too large."""
    def read(target: str) -> bytes | None:
        relative = unquote(target.split("#", 1)[0].split("?", 1)[0])
        if not relative or relative.startswith("/"):
            return None
        path = (folder / relative).resolve()
        if not any(path.is_relative_to(root) for root in roots) or not path.is_file():
            return None
        if path.stat().st_size > MAX_IMAGE_BYTES:
            return None
        return path.read_bytes()
    return read


def _zip_reader(package: Package, folder: str) -> Callable[[str], bytes | None]:
    def read(target: str) -> bytes | None:
        relative = unquote(target.split("#", 1)[0].split("?", 1)[0])
        pure = PurePosixPath(folder, relative)
        parts: list[str] = []
        for part in pure.parts:
            if part == "..":
                if not parts:
                    return None
                parts.pop()
            elif part not in (".", "/"):
                parts.append(part)
        name = "/".join(parts)
        if not name or not package.has_file(name) or (package.file_size(name) or 0) > MAX_IMAGE_BYTES:
            return None
        return package.read_bytes(name, MAX_IMAGE_BYTES)
    return read


def import_hf(card_path: Path, out_dir: Path | None = None) -> ImportReport:
    """Read a Hugging Face card into `out_dir`: README.md (the card) and rdf-fragment.yaml.

    The default `out_dir` is a `bioimageio/` folder beside the Hub card.
    """
    out_dir = out_dir or card_path.parent / "bioimageio"
    if out_dir.resolve() == card_path.parent.resolve() and card_path.name == "README.md":
        raise BmzcardError("the output folder holds the Hub card itself; choose another -o", path=out_dir)
    hub = read_hub_card(card_path)
    mapped = rdf_fields(hub)
    body, images, notes = hub_body(parse_card(hub.body.lstrip("\r\n")),
                                   _folder_reader(card_path.parent, [card_path.parent.resolve()]))
    files: dict[str, str | bytes] = {
        "README.md": body,
        FRAGMENT_NAME: fragment_text(mapped.fields, source=str(card_path), lossy=mapped.lossy),
        **images,
    }
    written = write_folder(out_dir, files)
    return ImportReport(out_dir, written, mapped.lossy + notes, mapped.source_sha256)


@dataclass
class IntoReport:
    """What `import hf --into` did to a package."""

    rdf: str  # the package's RDF, as displayed
    card: Path  # the package's card
    rdf_changes: list[str]  # `license: 'MIT' -> 'Apache-2.0'`, one per field set
    written: list[Path]
    lossy: list[str]
    conflict: str | None = None  # why the card was left as it is
    source_sha256: str | None = None


def import_hf_into(card_path: Path, package_source: str | Path, *, force: bool = False) -> IntoReport:
    """Read a Hugging Face card into an existing package: its RDF patched, the card written beside it.

    The RDF keeps its comments, key order and unknown fields byte for byte
    (only the blocks of the keys set are rewritten) and is validated with
    bioimageio.spec before anything is written; it is backed up when it changes.
    What identifies the model (id, version, format) is never changed; a parent
    or training data the package has, and results it holds with their spread,
    are kept, and every difference is reported. The card (the Hub card's
    Markdown) goes to the package's card file; one that exists with other text
    is a conflict, left as it is, unless `force` (then it is backed up first).
    """
    from bmzcard.generate import pinned_documentation
    from bmzcard.lint.inputs import card_name
    from bmzcard.outputs.provenance import commit_card, sidecar_data
    from bmzcard.sources.sidecar import read_sidecar
    from bmzcard.outputs.rdf_config import rdf_text_with_values, write_rdf
    from bmzcard.sources.sidecar import text_sha256

    package = open_package(package_source)
    if package.is_zip:
        raise BmzcardError("cannot patch a zip package; unzip it and pass the folder", path=package.source,
                           field="--into")
    rdf_bytes = package.read_bytes(package.rdf_name, MAX_RDF_BYTES)
    raw = parse_raw(rdf_bytes, package.display())
    hub = read_hub_card(card_path)
    mapped = rdf_fields(hub)
    updates, changes, lossy = _rdf_patch(raw, mapped.fields)
    lossy = mapped.lossy + lossy
    if mapped.source_sha256 and mapped.source_sha256 != hashlib.sha256(rdf_bytes).hexdigest():
        lossy.append(f"bioimageio.rdf_sha256: the card was exported from another version of this RDF "
                     f"({mapped.source_sha256})")
    try:
        target = package.root / card_name(package, raw)
    except BmzcardError:  # the package has no card yet
        target = package.root / "README.md"
    if card_path.resolve() == target.resolve():
        raise BmzcardError("the Hub card is the package's own card; copy it elsewhere first", path=card_path)
    body, images, notes = hub_body(parse_card(hub.body.lstrip("\r\n")),
                                   _folder_reader(card_path.parent, [card_path.parent.resolve()]))
    lossy += notes
    old = read_card(target).text if target.is_file() else None  # bounded: a huge or binary file is an error
    conflict = None
    if not body.strip():
        lossy.append("the Hub card has no text below its header; no card written")
    elif old is not None and old != body and not force:
        conflict = (f"{target} has other text than the Hub card; left as it is "
                    "(--force replaces it, keeping a backup)")
    write_card = bool(body.strip()) and old != body and conflict is None
    pinned = pinned_documentation(raw, package, target) if write_card else None
    if pinned is not None and pinned != text_sha256(body):
        updates[("documentation", "sha256")] = text_sha256(body)
        changes.append("documentation.sha256: the new card's hash")
    rdf_text = rdf_text_with_values(package, updates) if updates else None  # validated before any write
    written_files: list[Path] = []
    if write_card:
        replaced = read_sidecar(target) if old is not None else {}
        inputs = {"hub_card": str(card_path), "hub_card_sha256": hashlib.sha256(card_path.read_bytes()).hexdigest()}
        written_files += write_folder(target.parent, images)  # before the card, so it never shows a missing image
        commit_card(target, body, sidecar_data({}, inputs, body, keep=replaced), replaced)
        written_files.append(target)
    if rdf_text is not None:
        write_rdf(package, rdf_text)
        written_files.append(package.rdf_path)
    return IntoReport(package.display(), target, changes, written_files, lossy, conflict, mapped.source_sha256)


def _rdf_patch(raw: dict, fields: dict) -> tuple[dict[tuple[str, ...], Any], list[str], list[str]]:
    """The RDF updates a Hub card's fields make: (key path -> value, changes in words, what is kept and why)."""
    updates: dict[tuple[str, ...], Any] = {}
    changes: list[str] = []
    lossy: list[str] = []

    def change(keys: tuple[str, ...], old: Any, new: Any, words: str | None = None) -> None:
        updates[keys] = new
        changes.append(f"{'.'.join(keys)}: {words or f'{old!r} -> {new!r}'}")

    for key in ("id", "version", "format_version"):
        if key in fields and str(raw.get(key)) != str(fields[key]):
            lossy.append(f"{key}: the card says {fields[key]!r}, the package {raw.get(key)!r}; kept the "
                         "package's (importing never changes which model and format this is)")
    license_id = written.license_id(raw)
    if "license" in fields and (license_id or "").lower() != fields["license"].lower():
        change(("license",), license_id, fields["license"])
    tags = written.tags(raw)
    new_tags = [t for t in fields.get("tags", []) if t not in tags]
    if new_tags:
        change(("tags",), tags, tags + new_tags, "added " + ", ".join(map(repr, new_tags)))
    for key in ("parent", "training_data"):
        if key not in fields:
            continue
        if raw.get(key) is None:
            change((key,), None, fields[key])
        elif raw[key] != fields[key]:
            lossy.append(f"{key}: the card says {fields[key]!r}, the package {raw[key]!r}; kept the package's")
    config = written.get(fields, "config", "bioimageio", default={})
    current = written.get(raw, "config", "bioimageio", default={})
    current = current if isinstance(current, dict) else {}
    where = ("config", "bioimageio")
    task, old_task = config.get("task"), current.get("task")
    # a task read from pipeline_tag alone is the Hub's coarse word: it never replaces the author's own
    if task and task != old_task and not (old_task and pipeline_tag(str(old_task)) == pipeline_tag(task)):
        change((*where, "task"), old_task, task)
    impact = written.get(current, "environmental_impact", default={})
    impact = impact if isinstance(impact, dict) else {}
    for key, value in (config.get("environmental_impact") or {}).items():
        if impact.get(key) != value:
            change((*where, "environmental_impact", key), impact.get(key), value)
    lossy += _kept_evaluations(config.get("evaluations") or [], current.get("evaluations"))
    return updates, changes, lossy


def _kept_evaluations(from_card: list[dict], in_package: Any) -> list[str]:
    """The card's results are means only: the package's entries (with their spread, n, sources) are kept.

    Each difference is reported; an entry the package lacks cannot be added, for
    the Hub has no dataset source, sample count or long names bioimageio.spec needs.
    """
    notes = []
    entries = [e for e in in_package if isinstance(e, dict)] if isinstance(in_package, list) else []
    for entry in from_card:
        dataset, role = entry["dataset_id"], entry["dataset_role"]
        match = next((e for e in entries if str(e.get("dataset_id")) == dataset
                      and str(e.get("dataset_role")) == role), None)
        if match is None:
            notes.append(f"model-index: the results on {dataset} ({role}) are not in the package; not added "
                         "(bioimageio.spec needs a dataset_source, sample_count and long names the Hub card "
                         "does not have; `import hf -o` writes them as a fragment to complete)")
            continue
        metrics, factors = match.get("metrics") or [], match.get("evaluation_factors") or []
        for metric, row in zip(entry["metrics"], entry["results"]):
            for factor, value in zip(entry["evaluation_factors"], row):
                if metric not in metrics or factor not in factors:
                    notes.append(f"model-index: {metric} at {factor} on {dataset} ({role}) is not in the "
                                 "package's results; not added")
                    continue
                cell = written.get(match, "results", metrics.index(metric), factors.index(factor))
                if cell_mean(cell) != cell_mean(value) and not (cell == value == "n/a"):
                    notes.append(f"model-index: {metric} at {factor} on {dataset} ({role}) is {value!r} on the "
                                 f"card, {cell!r} in the package; kept the package's")
    return notes


def push_folder(folder: Path, repo_id: str) -> str:
    """Upload a written Hub folder with `huggingface_hub.upload_folder` (network; the caller asked with --online)."""
    from huggingface_hub import upload_folder
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(repo_id)
    except HFValidationError as error:
        raise BmzcardError(str(error).splitlines()[0], field="--push") from None
    try:
        commit = upload_folder(repo_id=repo_id, folder_path=folder, repo_type="model",
                               commit_message="Model card exported by bmzcard")
    except Exception as error:  # any Hub or network failure is the user's to fix, one line
        raise BmzcardError(f"upload failed: {str(error).splitlines()[0] if str(error) else type(error).__name__}",
                           field="--push") from None
    return str(getattr(commit, "commit_url", None) or commit)
