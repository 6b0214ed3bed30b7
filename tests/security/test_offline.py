"""Nothing touches the network unless the user asks: every command, with every connection refused.

In this process, every IP socket connection and name lookup is recorded and
refused; child processes (the measuring process, a tracked command) get proxy
variables that point to a local recording proxy, so an HTTP client there is
caught too. No command may have tried either.
"""

from __future__ import annotations

import socket
import threading

import pytest

from bmzcard.cli.app import app
from bmzcard.example import eval_manifest_path

from .conftest import copy_example, runner

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
def no_network(monkeypatch):
    attempts: list[str] = []
    proxy = socket.socket()  # created before the guard: the recording proxy listens on loopback
    proxy.bind(("127.0.0.1", 0))
    proxy.listen()

    def record_proxy():
        while True:
            try:
                connection, _ = proxy.accept()
            except OSError:
                return
            attempts.append(f"proxy: {connection.recv(200)!r}")
            connection.close()

    threading.Thread(target=record_proxy, daemon=True).start()
    address = f"http://127.0.0.1:{proxy.getsockname()[1]}"
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, address)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def refuse(self, target, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(f"connect {target}")
            raise ConnectionRefusedError(f"bmzcard test: no network ({target})")
        return real_connect(self, target, *args)

    def refuse_ex(self, target, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(f"connect_ex {target}")
            return 111
        return real_connect_ex(self, target, *args)

    def no_lookup(host, *args, **kwargs):
        attempts.append(f"lookup {host}")
        raise socket.gaierror(f"bmzcard test: no name lookups ({host})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse_ex)
    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
    monkeypatch.setattr(socket, "gethostbyname", no_lookup)
    yield attempts
    proxy.close()


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_every_command_works_offline(tmp_path, no_network, monkeypatch):
    package = copy_example(tmp_path / "package")
    monkeypatch.chdir(tmp_path)
    card = package / "README.md"
    steps = [
        ("init", tmp_path / "blank"),
        ("generate", package, "--force"),
        ("generate", package, "-o", "-"),
        ("evaluate", package, "--data", eval_manifest_path(), "--threshold", "0.5", "--weight-format", "onnx",
         "--device", "cpu", "--write-card", "--dataset-id", "synthetic-eval",
         "--dataset-source", "https://evaluation-data.example/synthetic-eval"),
        ("measure", package, "--weights", "onnx", "--threads", "1", "--write-card", "--json", tmp_path / "m.json"),
        ("carbon", "-H", "T4", "--hours", "2", "--provider", "gcp", "--region", "us-central1",
         "--json", tmp_path / "carbon.json"),
        ("generate", package, "--record", tmp_path / "carbon.json"),
        ("check", card),
        ("check", package, "--verify", "--format", "json"),
        ("check", card, "--fix"),
        ("rules", "P002"),
        ("demo", "--out", tmp_path / "demo"),
    ]
    for step in steps:
        code, output = run(*step)
        assert code in (0, 1), (step, output)  # 1: the check found findings
        assert not no_network, (step, no_network)


def test_track_works_offline(tmp_path, no_network):
    code, output = run("track", "--country", "DEU", "--json", tmp_path / "track.json", "--",
                       "python3", "-c", "print('training')")
    assert code == 0, output
    assert not no_network


def test_the_guard_catches_an_attempt(no_network):
    """The guard is real: a library call that would use the network is recorded."""
    import httpx

    with pytest.raises(httpx.HTTPError):
        httpx.get("https://bioimage.io", timeout=5)
    assert no_network


def test_measure_refuses_a_test_input_it_would_have_to_download(tmp_path, no_network):
    package = copy_example(tmp_path / "package")
    rdf = package / "rdf.yaml"
    text = rdf.read_text()
    start = text.index("source: test_input.npy")
    rdf.write_text(text[:start] + "source: https://tensors.example/test_input.npy" + text[start + len("source: test_input.npy"):])
    code, output = run("measure", package, "--weights", "onnx", "--threads", "1")
    assert code == 2 and "--shape" in output, output
    code, output = run("measure", package, "--weights", "onnx", "--threads", "1", "--shape", "1,1,64,64")
    assert code == 0, output
    assert not no_network
