"""Fixtures for the editor's tests: the example package with a generated card, and an in-process client."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

PORT = 48213  # the in-process client never listens; the port only names the allowed Host
TOKEN = "test-session-token"
HUMAN_SECTION = "### Notes from the lab\n\nKeep this *exactly*: our own words, not in the template.\n\n"
RDF_EXTRA = "    lab_note: kept as written  # an unknown key, with its comment\n"


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """The bundled example package, its card generated, with a human section and an unknown RDF key."""
    from bmzcard.example import package_path
    from bmzcard.outputs.card import generate_card

    target = tmp_path / "package"
    shutil.copytree(package_path(), target)
    generate_card(target, force=True)
    for leftover in target.glob("*.bak*"):  # the example's placeholder README, backed up by generate
        leftover.unlink()
    card = target / "README.md"
    text = card.read_text(encoding="utf-8")
    card.write_text(text.replace("## Downstream Use\n", HUMAN_SECTION + "## Downstream Use\n", 1), encoding="utf-8")
    rdf = target / "rdf.yaml"
    rdf_text = rdf.read_text(encoding="utf-8")
    assert "config:\n  bioimageio:\n" in rdf_text
    rdf.write_text(rdf_text.replace("config:\n  bioimageio:\n", "config:\n  bioimageio:\n" + RDF_EXTRA, 1),
                   encoding="utf-8")
    return target


@dataclass
class Editor:
    """An editor app driven in process, as the page's htmx requests drive it."""

    client: TestClient
    session: object
    tab: str
    page: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.session.csrf, "HX-Request": "true"}

    def update(self, control: str, value: str):
        return self.client.post("/update", data={"tab": self.tab, "control": control, "value": value},
                                headers=self.headers)

    def save(self, **extra):
        return self.client.post("/save", data={"tab": self.tab, **extra}, headers=self.headers)

    def new_tab(self) -> "Editor":
        page = self.client.get("/")
        return Editor(self.client, self.session, tab_of(page.text), page.text)


def tab_of(page: str) -> str:
    return re.search(r'"tab": "([^"]+)"', page).group(1)


@pytest.fixture
def open_editor():
    """`open_editor(path, review=False)`: a session on PATH and a client logged in with its token."""
    from bmzcard.edit import open_session
    from bmzcard.edit.app import create_app

    clients = []

    def start(path: Path, *, review: bool = False) -> Editor:
        session = open_session(path, review=review)
        client = TestClient(create_app(session, token=TOKEN, port=PORT), base_url=f"http://127.0.0.1:{PORT}")
        clients.append(client)
        page = client.get(f"/?token={TOKEN}")
        assert page.status_code == 200, page.text
        return Editor(client, session, tab_of(page.text), page.text)

    yield start
    for client in clients:
        client.close()
