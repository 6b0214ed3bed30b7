"""Open a model package safely: a folder, an RDF file, or a zip.

Packages are untrusted input. Zip entries are checked before anything is read
(no absolute paths, no `..`, no links, bounded sizes and compression ratio),
the RDF is size-bounded, and nothing from the package is executed.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterator

from bmzcard.errors import BmzcardError

RDF_NAMES = ("bioimageio.yaml", "rdf.yaml")
RDF_SUFFIX = ".bioimageio.yaml"
LEGACY_RDF_NAMES = ("model.yaml",)  # deepImageJ's older packages

MAX_RDF_BYTES = 2_000_000
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_TOTAL_BYTES = 20_000_000_000
MAX_COMPRESSION_RATIO = 200


@dataclass
class Package:
    """Where a package's files are, and how to read them without extracting."""

    source: Path  # what the user named
    rdf_name: str  # the RDF's path inside the package
    root: Path  # the folder (or the zip file) the RDF's relative paths start from
    zip_sizes: dict[str, int] | None = field(default=None, repr=False)

    @property
    def is_zip(self) -> bool:
        return self.zip_sizes is not None

    @property
    def rdf_path(self) -> Path:
        return self.root / self.rdf_name

    def display(self, relative: str | None = None) -> str:
        """A path to show the user: `package.zip!/rdf.yaml` for zip entries."""
        name = relative or self.rdf_name
        return f"{self.source}!/{name}" if self.is_zip else str(self.root / name)

    def file_size(self, relative: str) -> int | None:
        """Size in bytes of a package file, or None when it is absent."""
        if self.zip_sizes is not None:
            return self.zip_sizes.get(_normalize_entry(relative))
        path = self.root / relative
        try:
            return path.stat().st_size if path.is_file() else None
        except OSError:
            return None

    def has_file(self, relative: str) -> bool:
        return self.file_size(relative) is not None

    def read_bytes(self, relative: str, limit: int) -> bytes:
        size = self.file_size(relative)
        if size is None:
            raise BmzcardError("file not found in the package", path=self.display(relative))
        if size > limit:
            raise BmzcardError(f"file is {size:,} bytes, more than the {limit:,} allowed", path=self.display(relative))
        if self.is_zip:
            with zipfile.ZipFile(self.source) as archive:
                with archive.open(_normalize_entry(relative)) as entry:
                    data = entry.read(limit + 1)
        else:
            path = self.root / relative
            refuse_link_outside(path, self.root)
            try:
                data = path.read_bytes()
            except OSError as error:
                raise BmzcardError(f"cannot read: {error.strerror}", path=path) from None
        if len(data) > limit:
            raise BmzcardError(f"file is larger than the {limit:,} bytes allowed", path=self.display(relative))
        return data


def refuse_link_outside(path: Path, folder: Path) -> None:
    """Refuse a file whose path leads out of `folder` through a symbolic link.

    A card, sidecar, backup or RDF of a downloaded package may be a link to
    any file of the user's (`README.md -> ~/.ssh/id_rsa`); bmzcard neither reads
    it into a card nor writes through it.
    """
    target = path.resolve()
    if not target.is_relative_to(folder.resolve()):
        raise BmzcardError(f"is a symbolic link to {target}, outside {folder}; bmzcard does not follow it", path=path)


@contextmanager
def unpacked(package: Package) -> Iterator[Package]:
    """The package as a folder: itself, or a zip's checked entries extracted to a temporary folder."""
    if not package.is_zip:
        yield package
        return
    with tempfile.TemporaryDirectory(prefix="bmzcard-") as folder, zipfile.ZipFile(package.source) as archive:
        for name in package.zip_sizes or {}:
            target = Path(folder, *PurePosixPath(name).parts)  # entries were checked: none escapes
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(name) as entry, open(target, "wb") as out:
                shutil.copyfileobj(entry, out)
        yield Package(Path(folder), package.rdf_name, Path(folder))


def open_package(source: str | Path) -> Package:
    """Find the RDF of a package folder, RDF file or zip; a clear error otherwise."""
    path = Path(source)
    if not path.exists():
        raise BmzcardError("no such file or folder", path=path)
    if path.is_dir():
        return Package(path, _find_rdf(path, [p.name for p in path.iterdir() if p.is_file()]), path)
    if zipfile.is_zipfile(path):
        sizes = _checked_zip_entries(path)
        top_level = [name for name in sizes if "/" not in name]
        return Package(path, _find_rdf(path, top_level), path.parent, zip_sizes=sizes)
    if path.suffix.lower() in (".yaml", ".yml"):
        return Package(path, path.name, path.parent)
    raise BmzcardError(
        "not a model package: give a package folder, an rdf.yaml / bioimageio.yaml file, or a .zip package",
        path=path,
    )


def _find_rdf(where: Path, names: list[str]) -> str:
    for wanted in RDF_NAMES:
        if wanted in names:
            return wanted
    candidates = sorted(n for n in names if n.endswith(RDF_SUFFIX))
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        raise BmzcardError(
            f"several RDF files ({', '.join(candidates)}); name the one to use", path=where
        )
    for wanted in LEGACY_RDF_NAMES:
        if wanted in names:
            return wanted
    raise BmzcardError(
        "no bioimageio.yaml, rdf.yaml or *.bioimageio.yaml in this package", path=where
    )


def _normalize_entry(name: str) -> str:
    return str(PurePosixPath(name.replace("\\", "/")))


def _checked_zip_entries(path: Path) -> dict[str, int]:
    """Names and sizes of a zip's files after refusing anything that could escape or explode."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise BmzcardError(f"cannot open the zip: {error}", path=path) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise BmzcardError(f"the zip has {len(infos):,} entries, more than {MAX_ZIP_ENTRIES:,}", path=path)
        sizes: dict[str, int] = {}
        total = 0
        for info in infos:
            name = info.filename
            pure = PurePosixPath(name.replace("\\", "/"))
            if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
                raise BmzcardError(f"zip entry {name!r} points outside the package", path=path)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise BmzcardError(f"zip entry {name!r} is a symbolic link", path=path)
            if info.is_dir():
                continue
            if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
                raise BmzcardError(
                    f"zip entry {name!r} expands {info.file_size / info.compress_size:.0f}-fold; refusing a zip bomb",
                    path=path,
                )
            total += info.file_size
            sizes[str(pure)] = info.file_size
        if total > MAX_ZIP_TOTAL_BYTES:
            raise BmzcardError(f"the zip expands to {total:,} bytes, more than {MAX_ZIP_TOTAL_BYTES:,}", path=path)
    return sizes
