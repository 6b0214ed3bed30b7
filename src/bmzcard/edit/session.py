"""An editing session: the card and package being edited, the open tabs, drafts and saves.

Each page load is a tab with its own text and the version of the card it
started from, so two tabs never mix their edits: the first to save wins and the
other sees the conflict. The latest unsaved text is kept in a draft file beside
the card after every change and restored by the next page load (or the next
`bmzcard edit`).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from bmzcard.edit.form import apply_edit
from bmzcard.edit.live import LiveView, live_view
from bmzcard.edit.saving import Draft, SaveResult, drop_draft, read_disk, read_draft, save_card, write_draft
from bmzcard.errors import BmzcardError
from bmzcard.lint.registry import Entry
from bmzcard.sources.package import Package
from bmzcard.sources.readme import MAX_CARD_BYTES

MAX_TABS = 32  # the oldest tab is forgotten beyond this (its page then asks for a reload)


@dataclass
class Opened:
    """What `bmzcard edit PATH` edits: the card, its package (None for a card alone) and its RDF."""

    card: Path
    package: Package | None
    rdf: dict | None
    images_from: Path | Package  # what `bmzcard render` reads images from for the same input
    card_name: str  # the card's path inside `images_from`
    notice: str = ""  # why the RDF is not used, when it could not be read


def open_target(path: Path) -> Opened:
    """A card (its package is the RDF beside it, if any) or a package folder (its card found as `check` does).

    Raises
    ------
    BmzcardError
        For a path that does not exist, a zip (its card cannot be edited in place),
        a package without a card, or a card that is huge, binary or not UTF-8.
    """
    from bmzcard.lint.inputs import card_name
    from bmzcard.sources.package import open_package
    from bmzcard.sources.rdf import read_raw
    from bmzcard.sources.readme import read_card

    if not path.exists():
        raise BmzcardError("no such file or folder", path=path)
    notice = ""
    if path.is_dir() or path.suffix.lower() in (".yaml", ".yml", ".zip"):
        package = open_package(path)
        if package.is_zip:
            raise BmzcardError("cannot edit a card inside a zip; unzip the package and edit the folder", path=path)
        rdf = read_raw(package)
        name = card_name(package, rdf)
        card, images_from = package.root / name, package
    else:
        card, images_from, name = path, path.parent, path.name
        try:
            package = open_package(path.parent)  # the package the card lies in, if any
            rdf = read_raw(package)
        except BmzcardError as error:
            package, rdf = None, None
            if any(p.suffix in (".yaml", ".yml") for p in path.parent.iterdir()):
                notice = f"the card is edited alone: {error}"
    read_card(card)  # the one-line errors of `check` for huge, binary or non-UTF-8 cards
    return Opened(card.resolve(), package, rdf, images_from, name, notice)


@dataclass
class Tab:
    id: str
    text: str  # the card as edited in this tab
    base_text: str  # the card on disk when this tab started (or its draft's base)
    base_sha256: str
    restored: bool = False  # the text came from a draft
    conflict_sha256: str | None = None  # the disk version a save was refused for

    @property
    def dirty(self) -> bool:
        return self.text != self.base_text


class EditorSession:
    """The state of one `bmzcard edit` run; every method is safe to call from several threads."""

    def __init__(self, opened: Opened, entries: list[Entry], *, review: bool = False) -> None:
        self.card = opened.card
        self.package = opened.package
        self.rdf = opened.rdf
        self.notice = opened.notice
        self.images_from, self.card_name = opened.images_from, opened.card_name
        self.entries = entries
        self.review = review
        self.csrf = secrets.token_urlsafe(32)
        self._tabs: OrderedDict[str, Tab] = OrderedDict()
        self._lock = threading.RLock()
        self.checklists: dict[str, str] = {}  # tab id -> the last reviewer checklist exported
        self._draft_of: str | None = None  # the tab whose text the draft file holds

    @property
    def rdf_name(self) -> str:
        return self.package.rdf_name if self.package is not None else "rdf.yaml"

    def new_tab(self) -> Tab:
        """A tab on the card as on disk, or on the draft left by an earlier tab or run."""
        with self._lock:
            text, sha = read_disk(self.card)
            tab = Tab(secrets.token_urlsafe(16), text, text, sha)
            draft = None if self.review else read_draft(self.card)
            if draft is not None and draft.text != text:
                tab.text, tab.base_text, tab.base_sha256, tab.restored = (
                    draft.text, draft.base_text, draft.base_sha256, True)
                self._draft_of = tab.id
            self._tabs[tab.id] = tab
            while len(self._tabs) > MAX_TABS:
                self._tabs.popitem(last=False)
            return tab

    def tab(self, tab_id: str) -> Tab:
        with self._lock:
            tab = self._tabs.get(tab_id)
            if tab is None:
                raise BmzcardError("this page is no longer known to the editor; reload it")
            self._tabs.move_to_end(tab_id)
            return tab

    def view(self, tab: Tab) -> LiveView:
        return live_view(tab.text, self.card, rdf=self.rdf, entries=self.entries, images_from=self.images_from,
                         card_name=self.card_name)

    def update(self, tab: Tab, control: str, value: str) -> LiveView:
        """Set one control, keep the draft, and return the live view of the new text."""
        self._writable()
        with self._lock:
            text = apply_edit(tab.text, control, value)
            if len(text.encode("utf-8")) > MAX_CARD_BYTES:
                raise BmzcardError(f"the card would be more than {MAX_CARD_BYTES:,} bytes; that is not a model card",
                                   path=self.card.name)
            tab.text = text
            self._keep_draft(tab)
        return self.view(tab)

    def _keep_draft(self, tab: Tab) -> None:
        if tab.dirty:
            write_draft(self.card, Draft(tab.text, tab.base_text, tab.base_sha256))
            self._draft_of = tab.id
        elif self._draft_of == tab.id:  # back to the saved text: its draft goes, another tab's stays
            drop_draft(self.card)
            self._draft_of = None

    def save(self, tab: Tab, *, overwrite: str | None = None) -> SaveResult:
        """Save the tab's text, or report the conflict when the card changed on disk since it was loaded."""
        self._writable()
        with self._lock:
            result = save_card(self.card, self.package, base_text=tab.base_text, base_sha256=tab.base_sha256,
                               text=tab.text, overwrite=overwrite)
            if result.conflict is not None:
                tab.conflict_sha256 = result.disk_sha256
                return result
            tab.base_text, tab.base_sha256, tab.conflict_sha256 = tab.text, result.disk_sha256, None
            self._keep_draft(tab)
            if self.package is not None and any(w.startswith(self.package.rdf_name) for w in result.written):
                from bmzcard.sources.rdf import read_raw

                self.rdf = read_raw(self.package)
            return result

    def reload(self, tab: Tab) -> None:
        """Drop the tab's changes for the card as it is on disk now."""
        with self._lock:
            text, sha = read_disk(self.card)
            tab.text = tab.base_text = text
            tab.base_sha256, tab.conflict_sha256, tab.restored = sha, None, False
            if not self.review:
                self._keep_draft(tab)

    def _writable(self) -> None:
        if self.review:
            raise BmzcardError("the reviewer view is read-only", exit_code=2)
