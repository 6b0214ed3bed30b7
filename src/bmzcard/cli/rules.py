"""`bmzcard rules`: list the rules of `bmzcard check`, show one, or write their documentation pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from bmzcard.errors import BmzcardError


def rules(
    code: Annotated[Optional[str], typer.Argument(help="Show this rule's documentation (e.g. P001).")] = None,
    markdown: Annotated[
        Optional[Path],
        typer.Option("--markdown", help="Write one Markdown page per rule, and an index, into this folder."),
    ] = None,
) -> None:
    """List the rules of `bmzcard check`: code, name, default severity, fixable, summary.

    Examples:

    - `bmzcard rules`
    - `bmzcard rules P002`
    - `bmzcard rules --markdown docs/rules`
    """
    from bmzcard.lint.docs import index_markdown, write_pages
    from bmzcard.lint.formats import rule_markdown
    from bmzcard.lint.registry import BY_CODE

    if markdown is not None:
        written = write_pages(markdown)
        typer.echo(f"wrote {len(written)} pages to {markdown}")
        return
    if code is not None:
        entry = BY_CODE.get(code.strip().upper())
        if entry is None:
            raise BmzcardError(f"no rule has the code {code!r}; `bmzcard rules` lists them")
        if entry.rule is None:
            typer.echo(f"{entry.code} was removed in an earlier version; its code is not reused.")
            return
        typer.echo(rule_markdown(entry))
        return
    typer.echo(index_markdown())
