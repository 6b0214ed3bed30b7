"""`bmzcard edit` as a real server process, for the CLI and browser tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

URL = re.compile(r"^http://127\.0\.0\.1:(\d+)/\?token=([\w-]{40,})$")


@dataclass
class Served:
    process: subprocess.Popen
    url: str  # the first line printed, with the token
    port: int

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bmzcard", "edit", *args]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


@contextmanager
def served(path: Path, *args: str) -> Iterator[Served]:
    """Start `bmzcard edit PATH --no-browser`, read its first line, and stop it with Ctrl-C (SIGINT) after."""
    process = subprocess.Popen(command(str(path), "--no-browser", *args), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=environment())
    try:
        first = process.stdout.readline().strip()
        match = URL.match(first)
        assert match, f"first line {first!r}; stderr: {process.stderr.read() if process.poll() is not None else ''}"
        yield Served(process, first, int(match.group(1)))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stdout.close()
        process.stderr.close()
