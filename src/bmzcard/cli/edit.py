"""`bmzcard edit`: the card as a form in the browser, with live preview and live lint."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def edit(
    path: Annotated[
        Path,
        typer.Argument(help="A package folder (its card is edited) or a card (README.md).", show_default=False),
    ] = Path("."),
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: a free one).")] = 0,
    browser: Annotated[bool, typer.Option("--browser/--no-browser", help="Open the editor in the web browser.")] = True,
    review: Annotated[
        bool, typer.Option("--review", help="Read-only reviewer view: findings, score and a checklist to export.")
    ] = False,
) -> None:
    """Edit a model card in the browser: the template as a form, the preview and the findings live.

    Starts a local web app and opens it. The first line printed is its address,
    `http://127.0.0.1:PORT/?token=...`: the token admits this browser only. It
    listens on 127.0.0.1 only, never on the network, and stops with Ctrl-C.

    As you type, the preview (exactly what `bmzcard render` writes) and the
    findings of `bmzcard check` update, with the completeness score. **Save**
    writes README.md as `generate` does (a .bak backup, atomic write, the
    provenance sidecar: what you edit is yours and a later `generate` keeps it)
    and the card fields kept under `config.bioimageio` into the RDF, every
    other byte of it unchanged. Unsaved text is kept in
    `README.md.bmzcard-draft.json` and restored on the next start; if the card
    changes on disk meanwhile, saving shows the conflict instead of overwriting.

    Examples:

    - `bmzcard edit my_model/`
    - `bmzcard edit README.md --no-browser --port 8765`
    - `bmzcard edit my_model/ --review` (read-only, for reviewers)
    """
    import sys

    from bmzcard.edit import edit_card

    def announce(url: str) -> None:
        print(url, flush=True)
        print("bmzcard edit: serving on 127.0.0.1 only; Ctrl-C stops it", file=sys.stderr, flush=True)

    edit_card(path, port=port, review=review, open_browser=browser, announce=announce)
    print("bmzcard edit: stopped; saved text is on disk, unsaved text in the draft", file=sys.stderr)
