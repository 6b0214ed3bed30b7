"""The one exception type of bmzcard.

Commands raise `BmzcardError` for anything the user can fix (bad input, a
missing file, a refused overwrite); the CLI prints it as one line naming the
file and field, and exits with its code. Anything else is a bug and shows a
traceback only with `--debug`.
"""

from __future__ import annotations

from pathlib import Path

EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


class BmzcardError(Exception):
    """A problem with the user's input, reported without a traceback."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        field: str | None = None,
        exit_code: int = EXIT_BAD_INPUT,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = None if path is None else str(path)
        self.field = field
        self.exit_code = exit_code

    def __str__(self) -> str:
        where = self.path or ""
        if self.field:
            where = f"{where}: {self.field}" if where else self.field
        return f"{where}: {self.message}" if where else self.message
