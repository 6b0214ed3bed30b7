"""`bmzcard check` settings from `bmzcard.toml` or `[tool.bmzcard]` in `pyproject.toml`.

The nearest file up from the working folder wins (a `bmzcard.toml` before a
`pyproject.toml` in the same folder, and a `pyproject.toml` only when it has a
`[tool.bmzcard]` table). Command-line options override the file.

```toml
[tool.bmzcard]
select = ["S", "P", "C"]
ignore = ["S009"]
format = "text"
```

The network is the user's choice on the command line (`check --online`), never a
file's: a settings file comes with a downloaded package as easily as its card, so
an `online` key there is ignored, with a warning that says so.
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

MAX_SETTINGS_BYTES = 5_000_000
KEYS = {"select": list, "ignore": list, "format": str}
#: Keys a settings file may not set; each is ignored with this reason.
COMMAND_LINE_ONLY = {
    "online": "ignored: the network is used only when `--online` is given on the command line",
}
FORMATS = tuple(f.value for f in OutputFormat)


@dataclass
class CheckConfig:
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    format: str | None = None
    source: Path | None = None  # the file the settings came from
    ignored: list[str] = field(default_factory=list)  # one line per key not taken from the file, and why


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
        source=path,
        ignored=[f"{path}: tool.bmzcard.{key}: {why}" for key, why in COMMAND_LINE_ONLY.items() if key in table],
    )


def _read(path: Path) -> dict:
    from bmzcard.sources.limits import check_json_nesting

    try:
        if path.stat().st_size > MAX_SETTINGS_BYTES:
            raise BmzcardError(f"larger than the {MAX_SETTINGS_BYTES:,} bytes a settings file may have", path=path)
        text = path.read_text(encoding="utf-8")
        check_json_nesting(text, path)  # TOML's arrays and inline tables nest with the same brackets
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise BmzcardError(f"cannot read the settings: {error}", path=path) from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict) or not isinstance(tool.get("bmzcard", {}), dict):
        raise BmzcardError("`tool.bmzcard` must be a table", path=path, field="tool.bmzcard")
    return data
