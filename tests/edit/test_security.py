"""Safe on a shared machine: token, cookie, Host check, CSRF, ids instead of paths, 127.0.0.1 only."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from .conftest import PORT, TOKEN


@pytest.fixture
def bare(package):
    """A client of the app that has not loaded the token URL yet."""
    from bmzcard.edit import open_session
    from bmzcard.edit.app import create_app

    session = open_session(package)
    with TestClient(create_app(session, token=TOKEN, port=PORT), base_url=f"http://127.0.0.1:{PORT}",
                    follow_redirects=False) as client:
        yield client, session


@pytest.mark.parametrize("path", ["/", "/static/htmx.min.js", "/form", "/section", "/checklist.md", "/?token=wrong"])
def test_every_request_needs_the_session_token(bare, path):
    client, _ = bare
    response = client.get(path)
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_the_token_url_sets_an_httponly_strict_cookie_and_drops_the_token(bare):
    client, _ = bare
    response = client.get(f"/?token={TOKEN}")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert f"bmzcard_edit_{PORT}={TOKEN}".lower() in cookie
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = client.get("/")  # the cookie is enough from now on
    assert page.status_code == 200
    assert TOKEN not in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("host", ["evil.example:48213", "127.0.0.1:1", "localhost", "127.0.0.1", "0.0.0.0:48213",
                                  "[::1]:48213", ""])
def test_a_foreign_host_header_gets_400_even_with_the_token(bare, host):
    client, _ = bare
    client.get(f"/?token={TOKEN}")
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 400
    response = client.get(f"/?token={TOKEN}", headers={"Host": host})
    assert response.status_code == 400


def test_localhost_is_the_same_server(bare):
    client, _ = bare
    response = client.get(f"http://localhost:{PORT}/?token={TOKEN}")
    assert response.status_code == 303


def test_changes_need_post_and_the_csrf_token(open_editor, package):
    editor = open_editor(package)
    before = (package / "README.md").read_bytes()
    data = {"tab": editor.tab, "control": "f:model_description.funded_by", "value": "X"}
    assert editor.client.post("/update", data=data).status_code == 403  # no CSRF token
    assert editor.client.post("/update", data=data, headers={"X-CSRF-Token": "guess"}).status_code == 403
    assert editor.client.post("/save", data={"tab": editor.tab}).status_code == 403
    assert editor.client.get("/update", params=data).status_code == 405
    assert editor.client.put("/save", headers=editor.headers).status_code == 403
    cross = {**editor.headers, "Origin": "http://evil.example"}
    assert editor.client.post("/update", data=data, headers=cross).status_code == 403
    assert editor.update("f:model_description.funded_by", "X").status_code == 200
    assert (package / "README.md").read_bytes() == before  # nothing saved without Save


@pytest.mark.parametrize("path", ["/static/../rdf.yaml", "/static/%2e%2e/%2e%2e/README.md", "/README.md",
                                  "/rdf.yaml", "/static/../../../../etc/passwd", "/weights.onnx"])
def test_no_file_of_the_package_or_elsewhere_is_served(open_editor, package, path):
    editor = open_editor(package)
    response = editor.client.get(path)
    assert response.status_code == 404
    assert b"config:" not in response.content and b"root:" not in response.content


def test_requests_name_ids_not_paths(open_editor, package, tmp_path):
    editor = open_editor(package)
    outside = tmp_path / "outside.md"
    for control in (str(outside), "../outside.md", "card/../../x"):
        response = editor.update(control, "written?")
        assert "no such control" in response.text
    response = editor.client.get("/section", params={"tab": editor.tab, "id": "/etc/passwd"},
                                 headers=editor.headers)
    assert "no such section" in response.text
    assert editor.save().status_code == 200
    assert not outside.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["package"]


def test_the_server_binds_127_0_0_1_only():
    from bmzcard.edit.server import bind

    sock = bind(0)
    try:
        host, port = sock.getsockname()
        assert host == "127.0.0.1" and port > 0
    finally:
        sock.close()


def test_a_second_editor_on_the_same_card_is_refused(package):
    from bmzcard.edit.server import instance_lock
    from bmzcard.errors import BmzcardError

    card = package / "README.md"
    with instance_lock(card, 1234):
        with pytest.raises(BmzcardError, match=r"already open in another bmzcard edit \(pid \d+, "
                                               r"http://127.0.0.1:1234/\)"):
            with instance_lock(card, 5678):
                pass
    with instance_lock(card, 5678):  # released when the first one stops
        pass
    assert not (package / "README.md.bmzcard-edit.lock").exists()
