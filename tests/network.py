"""Sockets that refuse: a test's proof that bmzcard opens no network connection.

`refuse_network` makes every connection and host-name lookup raise
`NetworkUsed`; the `no_network` fixture (conftest.py) applies it for a whole
test. tests/security/test_offline.py has the stricter check that also records
what was tried through a proxy.
"""

from __future__ import annotations

import socket

import pytest


class NetworkUsed(AssertionError):
    """The code under test tried to open a network connection or look a host name up."""


def refuse_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise NetworkUsed("bmzcard tried to open a network connection")

    for owner, name in ((socket.socket, "connect"), (socket.socket, "connect_ex"),
                        (socket, "create_connection"), (socket, "getaddrinfo")):
        monkeypatch.setattr(owner, name, refuse)
