"""Start the editor: one instance per card, on 127.0.0.1 only, until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from bmzcard.errors import BmzcardError

HOST = "127.0.0.1"  # never another interface: the editor reads and writes the author's files


def lock_path(card: Path) -> Path:
    return card.with_name(card.name + ".bmzcard-edit.lock")


@contextmanager
def instance_lock(card: Path, port: int) -> Iterator[None]:
    """Hold the card's editor lock (an OS file lock: a killed editor releases it at once).

    Raises
    ------
    BmzcardError
        When another `bmzcard edit` has the card open.
    """
    path = lock_path(card)
    stream = open(path, "a+", encoding="utf-8")
    try:
        if not _try_lock(stream):
            stream.seek(0)
            holder = stream.read().strip() or "another process"
            raise BmzcardError(f"already open in another bmzcard edit ({holder}); use that one or stop it first",
                               path=card)
        stream.seek(0)
        stream.truncate()
        stream.write(f"pid {os.getpid()}, http://{HOST}:{port}/")
        stream.flush()
        try:
            yield
        finally:
            stream.seek(0)
            stream.truncate()
            path.unlink(missing_ok=True)
    finally:
        stream.close()


def _try_lock(stream) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(stream.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def bind(port: int = 0) -> socket.socket:
    """A listening socket on 127.0.0.1 (`port` 0: a free one)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
    except OSError as error:
        sock.close()
        raise BmzcardError(f"cannot listen on {HOST}:{port}: {error.strerror}", field="--port") from None
    sock.listen(64)
    return sock


def serve(
    build_app: Callable[[str, int], object],
    card: Path,
    *,
    port: int = 0,
    announce: Callable[[str], None] = print,
    open_browser: bool = True,
) -> None:
    """Serve until interrupted; `announce` gets the URL (with the session token) before anything else.

    `build_app(token, port)` makes the ASGI app once the port is known.
    """
    import uvicorn

    sock = bind(port)
    port = sock.getsockname()[1]
    previous = _stop_on_sigterm()
    token = secrets.token_urlsafe(32)
    url = f"http://{HOST}:{port}/?token={token}"
    try:
        with instance_lock(card, port):
            app = build_app(token, port)
            announce(url)
            if open_browser:
                import webbrowser

                webbrowser.open(url)
            config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                    server_header=False, date_header=False)
            uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _stop_on_sigterm():
    """Make SIGTERM (`kill`, a service manager) stop the editor as Ctrl-C does; the handler it replaces.

    uvicorn shuts down on SIGTERM, then raises the signal again: with the default
    handler the process would die there, before the card's lock and the draft are
    cleaned up. None when not in the main thread (signals cannot be handled there).
    """
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)
