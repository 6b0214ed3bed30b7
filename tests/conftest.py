"""Shared fixtures: the real material in ../shared (required, never skipped)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_root() -> Path:
    root = Path(os.environ.get("BMZCARD_SHARED", REPO.parent / "shared")).resolve()
    if not (root / "spec" / "model-card-template.md").is_file():
        raise RuntimeError(
            f"the shared test material is missing at {root}; set BMZCARD_SHARED or put it at ../shared"
        )
    return root


@pytest.fixture(scope="session")
def shared() -> Path:
    return shared_root()


@pytest.fixture(scope="session")
def unet2d(shared: Path) -> Path:
    return shared / "bmz" / "packages" / "unet2d_nuclei_broad"


@pytest.fixture(scope="session")
def template_text(shared: Path) -> str:
    return (shared / "spec" / "model-card-template.md").read_text(encoding="utf-8")


@pytest.fixture()
def no_network(monkeypatch):
    """Every connection and host-name lookup in the test raises `network.NetworkUsed`."""
    from network import refuse_network

    refuse_network(monkeypatch)


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian chromium (tests/browser.py), one per test session."""
    from playwright.sync_api import sync_playwright

    from browser import launch

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def offline_page(chromium):
    """A fresh page in its own context that loads nothing but `data:` (a `browser.GuardedPage`)."""
    from browser import guarded

    context = chromium.new_context(java_script_enabled=True)
    yield guarded(context)
    context.close()
