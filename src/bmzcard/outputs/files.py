"""Write outputs atomically and keep a backup of what they replace."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from bmzcard.errors import BmzcardError


def atomic_write(path: Path, text: str) -> None:
    """Write the whole text or nothing: a temporary file in the same folder, then a rename."""
    _replace(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write all bytes (a figure) or nothing, like `atomic_write`."""
    _replace(path, data)


def _replace(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        if path.exists():
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise BmzcardError(f"cannot write: {error.strerror}", path=path) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json(path: Path, data) -> None:
    """A JSON record (every command's `--json`, the sidecar), written atomically."""
    atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def backup(path: Path) -> Path:
    """Copy `path` to `path.bak` (or `.bak1`, `.bak2`, … when taken); return the copy's path."""
    candidate = path.with_name(path.name + ".bak")
    number = 0
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.bak{number}")
    shutil.copy2(path, candidate)
    return candidate
