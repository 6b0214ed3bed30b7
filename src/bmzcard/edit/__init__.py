"""`bmzcard edit`: a local web editor for a model card, with live preview and live lint.

The template as a form (`form.py`), checked and rendered as the author types
(`live.py`), saved through the output stage without losing a byte of the
author's text (`saving.py`), in one session with drafts and per-tab conflicts
(`session.py`), served by starlette (`app.py`, templates and vendored htmx in
`static/`) on 127.0.0.1 behind a token, a Host check and CSRF (`security.py`).

Python use::

    from bmzcard.edit import edit_card
    edit_card("my_model/", open_browser=False)   # serves until Ctrl-C
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from bmzcard.edit.session import EditorSession, Opened, open_target


def open_session(path: str | Path, *, review: bool = False) -> EditorSession:
    """An editing session on a card or package, with the rules `bmzcard check` runs here."""
    from bmzcard.lint.config import load_config
    from bmzcard.lint.registry import selected

    config = load_config()
    return EditorSession(open_target(Path(path)), selected(config.select, list(config.ignore)), review=review)


def edit_card(
    path: str | Path,
    *,
    port: int = 0,
    review: bool = False,
    open_browser: bool = True,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the editor for a card or package on 127.0.0.1 until interrupted (Ctrl-C)."""
    from bmzcard.edit.app import create_app
    from bmzcard.edit.server import serve

    session = open_session(path, review=review)
    try:
        serve(lambda token, bound: create_app(session, token=token, port=bound), session.card,
              port=port, announce=announce, open_browser=open_browser)
    except KeyboardInterrupt:  # Ctrl-C, at any moment: uvicorn re-raises it after shutting down gracefully
        pass


__all__ = ["EditorSession", "Opened", "edit_card", "open_session", "open_target"]
