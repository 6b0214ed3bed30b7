"""`export hf` and `import hf`: a model's card to and from a Hugging Face model repository.

Export reads the package's card (the one `generate` wrote, or the RDF's
documentation; generated in memory when there is none), puts the Hub header
above it and copies the images it shows. Import reads a Hub card from a
stranger into a bmzcard card and an RDF fragment, reporting what is lossy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable
from urllib.parse import unquote

from bmzcard.errors import BmzcardError
from bmzcard.outputs.huggingface import (
    MAX_IMAGE_BYTES,
    HubCard,
    as_written_body,
    fragment_text,
    hub_body,
    hub_card,
    write_folder,
)
from bmzcard.sources.huggingface import read_hub_card, rdf_fields
from bmzcard.sources.package import Package, open_package
from bmzcard.sources.rdf import LoadedRdf, load_rdf
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
