"""`bmzcard check` settings from `bmzcard.toml` or `[tool.bmzcard]` in `pyproject.toml`.

The nearest file up from the working folder wins (a `bmzcard.toml` before a
`pyproject.toml` in the same folder, and a `pyproject.toml` only when it has a
`[tool.bmzcard]` table). Command-line options override the file.

```toml
[tool.bmzcard]
select = ["S", "P", "C"]
ignore = ["S009"]
format = "text"
online = false
```
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from bmzcard.errors import BmzcardError
from bmzcard.lint.formats import OutputFormat

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

KEYS = {"select": list, "ignore": list, "format": str, "online": bool}
FORMATS = tuple(f.value for f in OutputFormat)


@dataclass
class CheckConfig:
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    format: str | None = None
    online: bool = False
    source: Path | None = None  # the file the settings came from


def find_config(start: Path) -> tuple[Path, dict] | None:
    """The nearest `bmzcard.toml`, or `pyproject.toml` with `[tool.bmzcard]`, and its table."""
    for folder in (start, *start.parents):
        own = folder / "bmzcard.toml"
        if own.is_file():
            data = _read(own)
            return own, data.get("tool", {}).get("bmzcard", data)
        project = folder / "pyproject.toml"
        if project.is_file():
            table = _read(project).get("tool", {}).get("bmzcard")
            if table is not None:
                return project, table
    return None


def load_config(start: Path | None = None) -> CheckConfig:
    found = find_config((start or Path.cwd()).resolve())
    if found is None:
        return CheckConfig()
    path, table = found
    for key, kind in KEYS.items():
        if key in table and not isinstance(table[key], kind):
            raise BmzcardError(f"`{key}` must be a {kind.__name__}", path=path, field=f"tool.bmzcard.{key}")
    if table.get("format") not in (None, *FORMATS):
        wanted = ", ".join(FORMATS)
        raise BmzcardError(f"`format` must be one of {wanted}, not {table['format']!r}", path=path, field="tool.bmzcard.format")
    return CheckConfig(
        select=table.get("select"),
        ignore=table.get("ignore", []),
        format=table.get("format"),
        online=table.get("online", False),
        source=path,
    )


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise BmzcardError(f"cannot read the settings: {error}", path=path) from None
