"""A real browser for the page tests: Debian's chromium driven by playwright.

Playwright never downloads a browser here: it starts /usr/bin/chromium, which
`make test` installs (`apt-get install -y chromium`) when it is missing. A test
without it fails, never skips. `guarded` wraps a page so that every request that
is not `data:` (or to an origin the test allows, such as the editor's local
server) is refused and recorded, and every dialog is recorded and dismissed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bmzcard.outputs.html import CHROMIUM, CHROMIUM_ARGS


def launch(playwright):
    """Headless Debian chromium; a clear error when it is not installed."""
    if not CHROMIUM.is_file():
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs it (apt-get install -y chromium)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS))


@dataclass
class GuardedPage:
    """A page and what it tried: requests refused, requests allowed, dialogs opened."""

    page: object
    requested: list[str] = field(default_factory=list)  # every request the page made, data: included
    refused: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def guarded(context, allow: tuple[str, ...] = ()) -> GuardedPage:
    """A new page of `context` where only `data:` and URLs starting with one of `allow` load."""
    page = context.new_page()
    record = GuardedPage(page)

    def route(route_):
        url = route_.request.url
        if url.startswith(allow) if allow else False:
            record.allowed.append(url)
            route_.continue_()
        else:
            record.refused.append(url)
            route_.abort("blockedbyclient")

    def dialog(dialog_):
        record.dialogs.append(f"{dialog_.type}: {dialog_.message}")
        dialog_.dismiss()

    context.route("**/*", route)
    page.on("request", lambda request: record.requested.append(request.url))
    page.on("dialog", dialog)
    page.on("popup", lambda popup: record.dialogs.append(f"popup: {popup.url}"))
    return record
