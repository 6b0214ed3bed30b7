"""The card as one safe, self-contained HTML page (`bmzcard render`, the editor's preview).

A card comes from an untrusted package, so the page is safe by construction:
markdown-it-py renders the Markdown (raw HTML passed on), then nh3 (ammonia)
keeps only an allow-list of tags, attributes, classes and URL schemes. Links
keep `http`, `https`, `mailto` and in-page `#anchors`; images are embedded as
`data:` URIs of the four web image types, read from inside the package only
and checked by their bytes; anything else becomes its alt text with a visible
note, and is reported. Heading ids get the `card-` prefix so a card cannot
clobber the page's own ids. The page has no script, and a Content-Security-Policy
`<meta>` forbids anything but inline style and `data:` images.

The same input always gives the same bytes: no timestamps, the RDF's lists in
their written order, the bmzcard version and the card's SHA-256 in `<meta>`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import posixpath
import re
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt

from bmzcard.version import __version__
from bmzcard.card.placeholders import is_placeholder_value
from bmzcard.errors import BmzcardError
from bmzcard.sources.package import Package
from bmzcard.sources.rdf_facts.tables import weight_format_label
from bmzcard.sources.rdf_facts.written import bioimageio_config
from bmzcard.sources.readme import MAX_CARD_BYTES, CardDocument, parse_card_tokens

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)
ID_PREFIX = "card-"  # every id from the card; the page's own ids start with `bmz-`
MAX_IMAGE_BYTES = 10_000_000  # one embedded image
MAX_EMBEDDED_BYTES = 50_000_000  # all images of one page together
# Raw HTML tags a card may hold: html5ever takes quadratic time on deeply nested <div>s
# (2 s at 30,000), and no card needs this many.
MAX_HTML_TAGS = 10_000

# The image types a page may embed, by their first bytes (WebP: RIFF....WEBP).
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
_DATA_URI = re.compile(r"data:(image/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/]*={0,2})", re.IGNORECASE)
_SAFE_LINK = re.compile(r"(?:https?|mailto):", re.IGNORECASE)
_IMG_TAG = re.compile(r'<img\b(?:[^>"]|"[^"]*")*>')
_MISSING_SRC = re.compile(r'\bsrc="#bmz-missing-(\d+)"')
_ALT = re.compile(r'\balt="([^"]*)"')
_TODO = re.compile(r"\b(TODO|TBD|FIXME)\b")

_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code", "kbd", "samp",
    "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small", "mark", "abbr", "q", "cite",
    "a", "img", "ul", "ol", "li", "dl", "dt", "dd", "table", "caption", "thead", "tbody", "tfoot", "tr",
    "th", "td", "details", "summary", "div", "span", "figure", "figcaption", "center",
}  # fmt: skip
_ATTRIBUTES = {
    "*": {"id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "align"},
    "ol": {"start", "type"},
    "th": {"style", "align", "colspan", "rowspan", "scope"},
    "td": {"style", "align", "colspan", "rowspan"},
    "p": {"align"},
    "div": {"align"},
    "abbr": set(),
}
_CLASSES = {"mark": {"bmz-todo"}, "li": {"bmz-missing"}}


@dataclass(frozen=True)
class Problem:
    """Something of the card the page could not show as written (an image not embedded, a dead anchor)."""

    kind: str  # "image" or "anchor"
    target: str  # the image source or the `#anchor` as the card wrote it
    message: str

    def __str__(self) -> str:
        target = self.target if len(self.target) <= 100 else self.target[:60] + "…" + self.target[-20:]
        return f"{self.kind} {target!r}: {self.message}"


@dataclass(frozen=True)
class TocEntry:
    level: int
    id: str  # with the `card-` prefix, as in the page
    title: str  # plain text


@dataclass
class RenderedFragment:
    """The sanitized card body, without the page around it (what the editor can embed)."""

    html: str
    toc: list[TocEntry]
    problems: list[Problem]
    title: str | None  # the card's title heading, plain text
    images: list[str] = field(default_factory=list)  # package paths of the images embedded


@dataclass
class RenderedPage:
    """A whole HTML page and what it could not show as the card wrote it."""

    html: str
    problems: list[Problem] = field(default_factory=list)
    card_sha256: str = ""

    @property
    def notes(self) -> list[str]:
        return [str(p) for p in self.problems]


def render_html(
    card_text: str,
    *,
    package: Path | Package | None = None,
    card_name: str = "README.md",
    metadata: dict | None = None,
    score: float | None = None,
) -> RenderedPage:
    """Render a Markdown card as one standalone, scriptless HTML page.

    Parameters
    ----------
    card_text
        The card's Markdown, as read (front matter is left out of the page).
    package
        Where the card's images are read from: a package folder (a `Path`), a
        `Package` (also a zip), or None to embed no file at all. Images must
        lie inside it; symbolic links out of it are refused.
    card_name
        The card's path inside the package (`docs/README.md`); relative images
        resolve from its folder.
    metadata
        The package's RDF as plain data (`sources.rdf.read_raw`): the side table
        of id, version, license, authors, tags, weight formats and links; its
        name, description and first cover head a card without a title.
    score
        The completeness score in [0, 1] from `bmzcard check`, or None.

    Returns
    -------
    RenderedPage
        The page (same input, same bytes) and its problems: images not
        embedded and in-page links that land nowhere.

    Raises
    ------
    BmzcardError
        For a card over `MAX_CARD_BYTES` characters or with more than
        `MAX_HTML_TAGS` raw HTML tags (bounds on work for untrusted cards).
    """
    fragment = render_fragment(card_text, package=package, card_name=card_name)
    metadata = metadata if isinstance(metadata, dict) else {}
    digest = hashlib.sha256(card_text.encode("utf-8")).hexdigest()
    rdf_name = package.rdf_name if isinstance(package, Package) else "rdf.yaml"
    cover, cover_problems = _cover(fragment, metadata, package, rdf_name)
    title = fragment.title or _text(metadata.get("name")) or posixpath.basename(card_name)
    page = _PAGE.format(
        csp=html.escape(CONTENT_SECURITY_POLICY),
        version=html.escape(__version__),
        digest=digest,
        title=html.escape(title),
        style=page_css(),
        header=_header(fragment, metadata),
        toc=_toc_html(fragment.toc),
        body=fragment.html,
        side=_side_table(metadata, score, cover),
        card_name=html.escape(card_name),
    )
    return RenderedPage(page, [*cover_problems, *fragment.problems], digest)


def render_fragment(
    card_text: str,
    *,
    package: Path | Package | None = None,
    card_name: str = "README.md",
) -> RenderedFragment:
    """The card's body as sanitized HTML with its headings' table of contents.

    The same body `render_html` puts in its page; parameters as there.
    """
    if len(card_text) > MAX_CARD_BYTES:
        raise BmzcardError(f"the card has {len(card_text):,} characters; more than {MAX_CARD_BYTES:,} is not a model card", path=card_name)
    document, tokens = parse_card_tokens(card_text)
    _check_html_size(tokens, card_name)
    images = _ImageEmbedder(package, card_name)
    toc = _mark_tokens(document, tokens)
    raw = _renderer().render(tokens, _RENDER_OPTIONS, {})
    anchors: set[str] = set()
    links: list[str] = []
    body = images.replace_missing(_cleaner(images, anchors, links).clean(raw))
    problems = list(images.problems)
    seen = set()
    for link in links:
        if link not in anchors and link not in seen:
            seen.add(link)
            problems.append(Problem("anchor", "#" + link.removeprefix(ID_PREFIX), "no heading or id of the card has this name"))
    # the title as the page shows it (the contents' words of the first level-1 heading)
    title = next((entry.title for entry in toc if entry.level == 1), None) if document.section("title") else None
    return RenderedFragment(body, toc, problems, title, images.embedded)


# --- Markdown -----------------------------------------------------------------


# The card reader's tokens (commonmark with raw HTML, tables) rendered to HTML, before nh3 cleans it.
_RENDER_OPTIONS = MarkdownIt("commonmark", {"html": True}).options


@lru_cache(maxsize=1)
def _renderer():
    markdown = MarkdownIt("commonmark", {"html": True})
    markdown.add_render_rule("text", _render_text)
    return markdown.renderer


def _render_text(self, tokens, index, options, env) -> str:
    """Text escaped, with TODO / TBD / FIXME marked so that missing fields show."""
    text = html.escape(tokens[index].content, quote=False)
    return _TODO.sub(r'<mark class="bmz-todo">\1</mark>', text) if "T" in text or "F" in text else text


def _check_html_size(tokens: list, card_name: str) -> None:
    tags = 0
    for token in tokens:
        if token.type == "html_block":
            tags += token.content.count("<")
        elif token.type == "inline" and token.children:
            tags += sum(1 for child in token.children if child.type == "html_inline")
    if tags > MAX_HTML_TAGS:
        raise BmzcardError(f"the card holds {tags:,} raw HTML tags, more than the {MAX_HTML_TAGS:,} a page renders", path=card_name)


def _mark_tokens(document: CardDocument, tokens: list) -> list[TocEntry]:
    """Give headings their ids and mark placeholder fields, in the reader's tokens; the headings' contents."""
    offset = document.front_matter_end
    missing = {f.start - offset for f in document.fields if is_placeholder_value(f.value)}
    toc: list[TocEntry] = []
    used: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            title = _inline_text(tokens[index + 1])
            slug = _unique(github_slug(title) or "section", used)  # a heading of no words still gets a target
            token.attrSet("id", slug)
            toc.append(TocEntry(int(token.tag[1]), ID_PREFIX + slug, title))
        elif token.type == "list_item_open" and token.map and token.map[0] in missing:
            token.attrSet("class", "bmz-missing")
    return toc


def _inline_text(token) -> str:
    """A heading's words as the sanitized page shows them: text inside `<script>`/`<style>` goes with the tag."""
    words, hidden_in = [], None
    for child in token.children or ():
        if child.type == "html_inline":
            tag = _CONTENT_DROPPING_TAG.match(child.content)
            if tag:
                hidden_in = None if tag.group(1) else tag.group(2).lower()
        elif hidden_in is None and child.type in ("text", "code_inline"):
            words.append(child.content)
    return "".join(words).strip()


# nh3 drops these tags with their content (ammonia's clean_content_tags)
_CONTENT_DROPPING_TAG = re.compile(r"<(/?)(script|style)\b", re.I)


def github_slug(title: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to `-`."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def _unique(slug: str, used: dict[str, int]) -> str:
    """GitHub's rule for repeated headings: `x`, `x-1`, `x-2`."""
    if slug not in used:
        used[slug] = 0
        return slug
    while True:
        used[slug] += 1
        candidate = f"{slug}-{used[slug]}"
        if candidate not in used:
            used[candidate] = 0
            return candidate


# --- sanitizing ---------------------------------------------------------------


def _cleaner(images: _ImageEmbedder, anchors: set[str], links: list[str]) -> nh3.Cleaner:
    """An allow-list cleaner whose attribute filter embeds images and checks every URL."""

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        # nh3 also asks about attributes of tags it then drops: only kept tags count.
        if tag not in _TAGS:
            return None
        if attribute == "id":
            anchors.add(value)
            return value
        if attribute == "href":
            if value.startswith("#") and len(value) > 1:
                target = value[1:] if value[1:].startswith(ID_PREFIX) else ID_PREFIX + value[1:]
                links.append(target)
                return "#" + target
            return value if tag == "a" and _SAFE_LINK.match(value) else None
        if attribute == "src":
            return images.embed(value) if tag == "img" else None
        return value

    return nh3.Cleaner(
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        attribute_filter=attribute_filter,
        strip_comments=True,
        link_rel="noopener noreferrer",
        url_schemes={"http", "https", "mailto", "data"},  # data: reaches the filter, which keeps only images
        allowed_classes=_CLASSES,
        filter_style_properties={"text-align"},
        id_prefix=ID_PREFIX,
    )


# --- images -------------------------------------------------------------------


class _ImageEmbedder:
    """Turns each image source into a checked `data:` URI, or a token for a note in its place."""

    def __init__(self, package: Path | Package | None, card_name: str) -> None:
        self.package = package
        self.card_folder = posixpath.dirname(card_name.replace("\\", "/"))
        self.problems: list[Problem] = []
        self.failed: list[tuple[str, str]] = []  # (source, reason) by token number
        self.embedded_bytes = 0
        self.embedded: list[str] = []  # package paths, in order
        self._cache: dict[str, str] = {}

    def embed(self, source: str) -> str:
        """The `src` to write: a `data:` URI, or `#bmz-missing-N` standing for a note."""
        if source in self._cache:
            return self._cache[source]
        try:
            uri = self._data_uri(source)
        except _NotEmbedded as reason:
            self.failed.append((source, str(reason)))
            self.problems.append(Problem("image", source, f"not embedded: {reason}"))
            return f"#bmz-missing-{len(self.failed) - 1}"
        self._cache[source] = uri
        return uri

    def _data_uri(self, source: str) -> str:
        if source[:5].lower() == "data:":
            match = _DATA_URI.fullmatch(source.strip())
            if match is None:
                raise _NotEmbedded("a data: URI that is not a base64 PNG, JPEG, GIF or WebP image")
            declared = match[1].lower()
            try:
                data = base64.b64decode(match[2], validate=True)
            except ValueError:
                raise _NotEmbedded("its base64 data is malformed") from None
            if image_type(data) != declared:
                raise _NotEmbedded(f"its bytes are not a {declared} image")
            return self._counted(data, declared)
        if "://" in source or source.startswith("//"):
            raise _NotEmbedded("an image from the network (the page loads nothing from outside)")
        path = unquote(source.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/")
        if not path or path.startswith("/") or re.match(r"[A-Za-z][\w+.-]*:", path):
            raise _NotEmbedded("not a path relative to the card")
        relative = posixpath.normpath(posixpath.join(self.card_folder, path))
        if relative == ".." or relative.startswith("../"):
            raise _NotEmbedded("outside the package")
        data = self._read(relative)
        kind = image_type(data)
        if kind is None:
            raise _NotEmbedded("not a PNG, JPEG, GIF or WebP image (checked by its content)")
        uri = self._counted(data, kind)
        self.embedded.append(relative)
        return uri

    def _read(self, relative: str) -> bytes:
        if self.package is None:
            raise _NotEmbedded("no package to read it from")
        if isinstance(self.package, Package) and self.package.is_zip:
            size = self.package.file_size(relative)
            if size is None:
                raise _NotEmbedded("no such file in the package")
            self._check_size(size)
            return self.package.read_bytes(relative, MAX_IMAGE_BYTES)
        root = self.package.root if isinstance(self.package, Package) else Path(self.package)
        try:
            root = root.resolve(strict=True)
            path = (root / relative).resolve(strict=True)
        except (OSError, RuntimeError):
            raise _NotEmbedded("no such file in the package") from None
        if not path.is_relative_to(root):
            raise _NotEmbedded("a link pointing outside the package")
        if not path.is_file():
            raise _NotEmbedded("not a file")
        self._check_size(path.stat().st_size)
        try:
            with open(path, "rb") as stream:
                data = stream.read(MAX_IMAGE_BYTES + 1)
        except OSError as error:
            raise _NotEmbedded(f"unreadable ({error.strerror})") from None
        self._check_size(len(data))
        return data

    def _check_size(self, size: int) -> None:
        if size > MAX_IMAGE_BYTES:
            raise _NotEmbedded(f"{size:,} bytes, more than the {MAX_IMAGE_BYTES:,} embedded per image")
        if self.embedded_bytes + size > MAX_EMBEDDED_BYTES:
            raise _NotEmbedded(f"the page already embeds {self.embedded_bytes:,} bytes of images")

    def _counted(self, data: bytes, kind: str) -> str:
        self._check_size(len(data))
        self.embedded_bytes += len(data)
        return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"

    def replace_missing(self, body: str) -> str:
        """Each `<img>` of the cleaned body without an embedded image, as its alt text and a note.

        nh3 escapes `<` in text and attribute values, so every `<img` left is a tag.
        """
        pieces: list[str] = []
        last = start = 0
        while (found := body.find("<img", start)) >= 0:
            if body.startswith('<img src="data:', found):  # embedded: skip its data without a regex
                start = body.index('"', found + 15)
                continue
            match = _IMG_TAG.match(body, found)
            if match is None:
                start = found + 4
                continue
            pieces += [body[last : match.start()], self.missing_html(match[0])]
            last = start = match.end()
        return "".join(pieces) + body[last:] if pieces else body

    def missing_html(self, tag: str) -> str:
        """An `<img>` whose source was refused, as its alt text and a visible note."""
        number = _MISSING_SRC.search(tag)
        if number is None:
            if "src=" in tag:
                return tag
            source, reason = "", "no image source"
        else:
            source, reason = self.failed[int(number[1])]
        alt = _ALT.search(tag)
        alt_text = alt[1] if alt and alt[1].strip() else html.escape(source or "image")  # alt is escaped already
        note = html.escape(f"image not embedded: {reason}" + (f" ({source})" if source else ""))
        return f'<span class="bmz-missing-image" role="img">{alt_text} <small class="bmz-note">[{note}]</small></span>'


class _NotEmbedded(Exception):
    """Why one image stays out of the page (its text is the reason)."""


def image_type(data: bytes) -> str | None:
    """The MIME type of PNG, JPEG, GIF or WebP bytes, from their signature; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    return None


# --- a picture of the page ------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; playwright never downloads a browser
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    # the browser's own services (sign-in, updates) must not reach out either: no proxy from the
    # environment, and no host name resolves (the pages need none; local test servers use 127.0.0.1)
    "--no-proxy-server",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)


def screenshot(page_html: str, *, width: int = 1440, height: int = 1100) -> bytes:
    """A PNG of the page's first screen in headless chromium, with every network request refused.

    Needs the `playwright` package (`pip install 'bmzcard[browser]'`) and Debian's
    chromium at `CHROMIUM`; raises `RuntimeError` naming what is missing.
    """
    if not CHROMIUM.is_file():
        raise RuntimeError(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise RuntimeError("the playwright package is missing (pip install 'bmzcard[browser]')") from None

    def take() -> bytes:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                 args=list(CHROMIUM_ARGS))
            try:
                context = browser.new_context(viewport={"width": width, "height": height})
                context.route("**/*", lambda route: route.abort("blockedbyclient"))
                page = context.new_page()
                page.set_content(page_html, wait_until="load")
                return page.screenshot(type="png")
            finally:
                browser.close()

    # playwright's sync API refuses to run where an asyncio loop runs (a notebook, an async
    # caller, a test session holding a browser): its own thread has none
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(take).result()


# --- the page around the card ---------------------------------------------------


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None and not isinstance(value, (dict, list)) else ""


def _header(fragment: RenderedFragment, metadata: dict) -> str:
    """Title and summary from the RDF, for a card that has no title heading of its own."""
    if fragment.title is not None:
        return ""
    parts = []
    name = _text(metadata.get("name"))
    if name:
        parts.append(f'<h1 class="bmz-title" id="bmz-title">{html.escape(name)}</h1>')
    description = _text(metadata.get("description"))
    if description:
        parts.append(f'<p class="bmz-summary">{html.escape(description)}</p>')
    return '<header class="bmz-header">' + "".join(parts) + "</header>" if parts else ""


def _cover(fragment: RenderedFragment, metadata: dict, package, rdf_name: str) -> tuple[str, list[Problem]]:
    """The RDF's first cover, unless the card already shows one of its covers."""
    covers = metadata.get("covers")
    sources = [c.get("source") if isinstance(c, dict) else c for c in covers] if isinstance(covers, list) else []
    # Covers are relative to the RDF.
    folder = posixpath.dirname(rdf_name)
    sources = [s for s in sources if isinstance(s, str) and s]
    if not sources or any(posixpath.normpath(posixpath.join(folder, s)) in fragment.images for s in sources):
        return "", []
    images = _ImageEmbedder(package, rdf_name)
    src = images.embed(sources[0])
    name = _text(metadata.get("name"))
    tag = f'<img src="{html.escape(src)}" alt="{html.escape(f"cover of {name}" if name else "cover")}">'
    shown = images.missing_html(tag) if src.startswith("#") else tag
    return f'<figure class="bmz-cover">{shown}</figure>', images.problems


def _toc_html(toc: list[TocEntry]) -> str:
    entries = [e for e in toc if e.level <= 3]
    if not entries:
        return ""
    items = "".join(
        f'<li class="bmz-toc-{e.level}"><a href="#{html.escape(e.id)}">{html.escape(e.title)}</a></li>'
        for e in entries
    )
    return f'<nav class="bmz-toc" id="bmz-toc" aria-label="Contents"><h2>Contents</h2><ul>{items}</ul></nav>'


def _people(value: Any) -> str:
    if not isinstance(value, list):
        return ""
    names = [_text(p.get("name")) if isinstance(p, dict) else _text(p) for p in value]
    return "; ".join(n for n in names if n)


def _formats(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    return ", ".join(weight_format_label(str(k)) for k in value if value[k] is not None)


def _safe_url(value: Any) -> str | None:
    text = _text(value)
    return text if _SAFE_LINK.match(text) and not text.lower().startswith("mailto:") else None


def _link_list(metadata: dict) -> list[str]:
    """External links of the RDF (git repository, documentation URL, citations' DOI/URL), as anchors."""
    found: list[tuple[str, str]] = []
    repository = _safe_url(metadata.get("git_repo"))
    if repository:
        found.append(("repository", repository))
    for cite in metadata.get("cite") or []:
        if not isinstance(cite, dict):
            continue
        doi = _text(cite.get("doi"))
        url = f"https://doi.org/{doi}" if doi else _safe_url(cite.get("url"))
        if url:
            found.append((textwrap.shorten(_text(cite.get("text")), 80, placeholder=" …") or url, url))
    for key in ("documentation", "source"):
        url = _safe_url(metadata.get(key))
        if url:
            found.append((key, url))
    for link in metadata.get("links") or []:
        url = _safe_url(link)
        if url:
            found.append((url, url))
    return [
        f'<a href="{html.escape(url)}" rel="noopener noreferrer">{html.escape(text)}</a>' for text, url in found
    ]


def _side_table(metadata: dict, score: float | None, cover: str) -> str:
    """The RDF's metadata as a table beside the card, with the completeness score."""
    bioimageio = bioimageio_config(metadata)
    rows: list[tuple[str, str]] = []

    def add(label: str, text: str) -> None:
        rows.append((label, html.escape(text) if text else '<mark class="bmz-todo">missing</mark>'))

    if metadata:
        add("id", _text(metadata.get("id")) or _text(bioimageio.get("nickname")))
        add("version", _text(metadata.get("version")))
        add("license", _text(metadata.get("license")))
        add("authors", _people(metadata.get("authors")))
        tags = metadata.get("tags")
        add("tags", ", ".join(_text(t) for t in tags) if isinstance(tags, list) else "")
        add("weight formats", _formats(metadata.get("weights")))
        add("format version", _text(metadata.get("format_version")))
        links = _link_list(metadata)
        rows.append(("links", "<br>".join(links) if links else '<mark class="bmz-todo">missing</mark>'))
    if score is not None:
        percent = f"{100 * score:.1f}%"
        rows.append(
            (
                "completeness",
                f'<meter min="0" max="1" value="{score:.4f}"></meter> {percent}'
                '<br><small>from <code>bmzcard check</code>; fields marked '
                '<mark class="bmz-todo">TODO</mark> are missing</small>',
            )
        )
    if not rows and not cover:
        return ""
    body = "".join(f'<tr><th scope="row">{label}</th><td>{value}</td></tr>' for label, value in rows)
    caption = "Package metadata (rdf.yaml)" if metadata else "Card"
    table = f"<table><caption>{caption}</caption>{body}</table>" if rows else ""
    return f'<aside class="bmz-meta" id="bmz-meta">{cover}{table}</aside>'


@lru_cache(maxsize=1)
def page_css() -> str:
    """The page's stylesheet (classes `bmz-*`), for a host that embeds `render_fragment`'s body."""
    return resources.files("bmzcard.outputs").joinpath("html_assets/page.css").read_text(encoding="utf-8")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="bmzcard {version}">
<meta name="bmzcard-card-sha256" content="{digest}">
<title>{title}</title>
<style>
{style}</style>
</head>
<body>
<div class="bmz-layout">
{toc}
<main class="bmz-card" id="bmz-main">
{header}
{body}
</main>
{side}
</div>
<footer class="bmz-footer">Rendered by bmzcard {version} from {card_name} (SHA-256 {digest}). Links open outside this page; images are embedded.</footer>
</body>
</html>
"""
