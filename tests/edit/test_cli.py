"""`bmzcard edit` as a process: the URL first, 127.0.0.1 only, one editor per card, Ctrl-C stops it."""

from __future__ import annotations

import signal
import subprocess

import httpx
import psutil
import pytest

from .served import command, environment, served


def test_first_line_is_the_url_and_the_server_listens_on_127_0_0_1_only(package):
    with served(package) as server:
        listening = [c.laddr for c in psutil.Process(server.process.pid).net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN]
        assert listening and all(address.ip == "127.0.0.1" for address in listening)
        with httpx.Client(follow_redirects=True) as client:
            page = client.get(server.url)
            assert page.status_code == 200 and "Funded by" in page.text
            assert client.get(server.origin + "/").status_code == 200  # the cookie admits this client
            assert client.get(server.origin + "/", headers={"Host": "attacker.example"}).status_code == 400
            token = server.url.split("token=")[1]
            assert client.get(f"http://localhost:{server.port}/?token={token}").status_code == 200
        assert httpx.get(server.origin + "/").status_code == 403  # another client, no token


def test_the_port_option_still_binds_127_0_0_1(package):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with served(package, "--port", str(port)) as server:
        assert server.port == port
        listening = [c.laddr for c in psutil.Process(server.process.pid).net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN]
        assert [(a.ip, a.port) for a in listening] == [("127.0.0.1", port)]


def test_a_second_editor_on_the_same_card_is_refused_with_one_line(package):
    with served(package) as server:
        second = subprocess.run(command(str(package / "README.md"), "--no-browser"), capture_output=True,
                                text=True, env=environment(), timeout=120)
        assert second.returncode == 2
        assert second.stdout == ""
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and "already open in another bmzcard edit" in lines[0]
        assert f"http://127.0.0.1:{server.port}/" in lines[0] and "token" not in lines[0]


# `kill`, a closing service manager or container send SIGTERM: the editor cleans up as for Ctrl-C (SIGINT).
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_stops_it_cleanly_and_releases_the_card(package, signum):
    with served(package) as server:
        server.process.send_signal(signum)
        assert server.process.wait(timeout=30) == 0
        stderr = server.process.stderr.read()
        assert "Traceback" not in stderr and "stopped" in stderr
    assert not (package / "README.md.bmzcard-edit.lock").exists()
    with served(package):  # and a new editor may open it
        pass


def test_a_missing_path_is_a_one_line_error(tmp_path):
    result = subprocess.run(command(str(tmp_path / "nope"), "--no-browser"), capture_output=True, text=True,
                            env=environment(), timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'nope'}: no such file or folder"


def test_a_killed_server_loses_no_saved_text_and_keeps_the_last_draft(package):
    import re

    card = package / "README.md"
    with served(package) as server:
        with httpx.Client(follow_redirects=True) as client:
            page = client.get(server.url).text
            csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page).group(1)
            tab = re.search(r'"tab": "([^"]+)"', page).group(1)
            headers = {"X-CSRF-Token": csrf, "Origin": server.origin}
            post = {"tab": tab, "control": "f:model_description.funded_by"}
            client.post(server.origin + "/update", data={**post, "value": "saved grant"}, headers=headers)
            assert "Saved" in client.post(server.origin + "/save", data={"tab": tab}, headers=headers).text
            client.post(server.origin + "/update", data={**post, "value": "draft grant"}, headers=headers)
        server.process.kill()  # no chance to clean up
        server.process.wait()
    assert "- **Funded by:** saved grant" in card.read_text(encoding="utf-8")
    with served(package) as server:  # the lock died with the process; the draft comes back
        with httpx.Client(follow_redirects=True) as client:
            page = client.get(server.url).text
            assert "Unsaved changes from a draft were restored" in page and "draft grant" in page
