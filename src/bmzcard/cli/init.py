"""`bmzcard init`: a blank card for a new model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bmzcard.errors import BmzcardError


def init(
    directory: Annotated[Path, typer.Argument(help="Folder of the new model; the card is written as README.md in it.")] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing README.md (a backup is kept).")] = False,
) -> None:
    """Write a blank model card: every heading and field of the zoo template, with its guidance.

    Each field you still have to write is marked `TODO`, so `bmzcard check` can
    tell you what is missing. Once the model has an rdf.yaml, run
    `bmzcard generate` to fill everything the package already knows.
    """
    from rich.markup import escape

    from bmzcard.card.layout import blank_card
    from bmzcard.cli.app import stdout
    from bmzcard.outputs.files import atomic_write, backup

    card = directory / "README.md"
    saved = None
    if card.exists():
        if not force:
            raise BmzcardError("a card already exists; use --force to replace it (a backup is kept), "
                               "or `bmzcard generate` to fill it", path=card)
        saved = backup(card)
    created = not directory.exists()
    if created:  # the new model's folder is what init is asked to start; said, not done silently
        directory.mkdir(parents=True)
    atomic_write(card, blank_card())
    stdout.print(f"Wrote a blank card to [bold]{escape(str(card))}[/]" + (f" (backup: {escape(str(saved))})" if saved else "")
                 + (" in a new folder" if created else ""))
