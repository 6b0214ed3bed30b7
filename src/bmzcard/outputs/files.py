"""Write outputs atomically and keep a backup of what they replace."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bmzcard.errors import BmzcardError
from bmzcard.sources.package import refuse_link_outside


def atomic_write(path: Path, text: str) -> None:
    """Write the whole text or nothing: a temporary file in the same folder, then a rename."""
    _replace(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write all bytes (a figure) or nothing, like `atomic_write`."""
    _replace(path, data)


def _replace(path: Path, data: bytes) -> None:
    try:
        with replacing(path) as temporary:
            temporary.write_bytes(data)
    except OSError as error:
        raise BmzcardError(f"cannot write: {error.strerror}", path=path) from None


@contextmanager
def replacing(path: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary file beside `path` to fill; it replaces `path` when the block ends, and is removed on an error.

    The replacing file gets `path`'s mode (`give_usual_mode`).
    """
    if not path.parent.is_dir():  # a mistyped output folder is an error, not a new folder
        raise BmzcardError(f"cannot write: the folder {path.parent} does not exist", path=path)
    if path.is_dir():
        raise BmzcardError("cannot write: a folder of this name is in the way", path=path)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    except OSError as error:  # a read-only folder
        raise BmzcardError(f"cannot write: {error.strerror}", path=path) from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        give_usual_mode(temporary, path)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_json(path: Path, data) -> None:
    """A JSON record (every command's `--json`, the sidecar), written atomically."""
    atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def give_usual_mode(temporary: Path, path: Path) -> None:
    """Give a temporary file about to replace `path` the mode `path` has, or a new file's usual mode.

    mkstemp makes its file private (0600): renamed as it is, an output would be unreadable to others.
    """
    if path.is_file() and not path.is_symlink():
        shutil.copymode(path, temporary)
    else:
        os.chmod(temporary, 0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it; put it back at once
    os.umask(mask)
    return mask


def backup(path: Path) -> Path:
    """Copy `path` to `path.bak` (or `.bak1`, `.bak2`, … when taken); return the copy's path.

    Neither the file nor the backup is followed out of their folder through a
    symbolic link; a name taken by anything, a dangling link included, is skipped.
    """
    refuse_link_outside(path, path.parent)
    candidate = path.with_name(path.name + ".bak")
    number = 0
    while os.path.lexists(candidate):
        number += 1
        candidate = path.with_name(f"{path.name}.bak{number}")
    try:
        shutil.copy2(path, candidate, follow_symlinks=False)
    except OSError as error:
        raise BmzcardError(f"cannot keep a backup: {error.strerror}", path=candidate) from None
    return candidate
