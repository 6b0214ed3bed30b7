"""Links and media rules: links that do not parse, files that are not there, images without alt text."""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import unquote, urlsplit

from bmzcard.lint.findings import Severity, Violation
from bmzcard.lint.rule import CardContext, Rule

# `[text](target)` as written; the parser decides whether it is really a link.
_LINK_SYNTAX = re.compile(r"(?<!\\)\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\n]*)\)?")
_SPACED = re.compile(r"(?<!\\)\[[^\]\n]+\]\s+\((?:https?://|\./|\.\./|[\w\-/]+\.\w{2,4}\b)")


def is_local(target: str) -> bool:
    """A relative path into the package (not a URL, an anchor, mail or data)."""
    if not target or target.startswith(("#", "/", "//")):
        return False
    return not urlsplit(target).scheme


class MalformedLink(Rule):
    """What it does
    ------------
    Reports link syntax that Markdown does not read as a link: a space between
    `]` and `(`, a missing `)`, a target with spaces, or an empty target `()`.

    Why is this bad?
    ----------------
    The link shows as raw brackets and parentheses, and the paper, dataset or
    image it points to is lost to readers.

    Example
    -------
    ```markdown
    See the [paper] (https://doi.org/10.1038/s41592-020-01018-x) and
    the [training data](https://zenodo.org/records/1234
    ```

    Use instead
    -----------
    ```markdown
    See the [paper](https://doi.org/10.1038/s41592-020-01018-x) and
    the [training data](https://zenodo.org/records/1234).
    ```
    Write a target with spaces as `<my file.png>` or with `%20`.
    """

    name = "malformed-link"
    family = "links"
    severity = Severity.WARNING
    summary = "Link syntax that Markdown does not read as a link."

    def check(self, card: CardContext) -> Iterator[Violation]:
        parsed: dict[int, list[str]] = {}
        for link in card.document.links:
            parsed.setdefault(link.line, []).append(unquote(link.target))
        for index, line in card.prose_lines():
            for match in _SPACED.finditer(line):
                yield Violation(index, "space between ']' and '(' breaks this link", match.start())
            for match in _LINK_SYNTAX.finditer(line):
                target = match["target"].strip()
                if not match.group(0).endswith(")"):
                    yield Violation(index, f"link {match.group(0)[:50]!r} has no closing ')'", match.start())
                elif not target:
                    yield Violation(index, f"link {match['text'][:40]!r} has an empty target", match.start())
                elif not _parsed(parsed.get(index, []), target):
                    yield Violation(index, f"link target {target[:50]!r} is not a valid link", match.start())


def _parsed(targets: list[str], written: str) -> bool:
    """Whether the parser read a link with this target on the line.

    The written target may carry a title (`url "title"`), angle brackets, or stop
    short at a `)` that belongs to the URL (`.../U-Net_(network)`).
    """
    first = unquote(written.split()[0].strip("<>")) if written.split() else ""
    return any(t == first or t.startswith(first) for t in targets) if first else False


class MissingLocalFile(Rule):
    """What it does
    ------------
    Reports a link or image whose target is a relative path to a file that is
    not in the package (or beside the card). Images are errors, links warnings.

    Why is this bad?
    ----------------
    The zoo renders the card from the package: a figure that is not in it
    shows as a broken image, a linked notebook as a 404.

    Example
    -------
    ```markdown
    ![Architecture](figs/architecture.png)
    ```
    with no `figs/architecture.png` in the package.

    Use instead
    -----------
    Add the file to the package (and list it in the RDF's `attachments`), or
    link it by URL.
    """

    name = "missing-local-file"
    family = "links"
    severity = Severity.WARNING
    summary = "A linked or embedded local file does not exist."

    def check(self, card: CardContext) -> Iterator[Violation]:
        for link in card.document.links:
            target = link.target.strip()
            if not is_local(target):
                continue
            path = unquote(urlsplit(target).path)
            if not path or card.local_file_exists(path) is not False:
                continue
            kind = "image" if link.kind == "image" else "linked file"
            severity = Severity.ERROR if link.kind == "image" else Severity.WARNING
            yield Violation(link.line, f"{kind} {path!r} does not exist", severity=severity)


class ImageAltText(Rule):
    """What it does
    ------------
    Reports an image without alternative text: `![](cover.png)`, or an HTML
    `<img>` without an `alt` attribute.

    Why is this bad?
    ----------------
    Alt text is what screen readers announce and what shows when the image
    fails to load; for a figure of results it is the only accessible account.

    Example
    -------
    ```markdown
    ![](cover.png)
    ```

    Use instead
    -----------
    ```markdown
    ![Input nuclei image and the predicted probability map](cover.png)
    ```
    """

    name = "image-alt-text"
    family = "links"
    severity = Severity.WARNING
    summary = "An image has no alt text."

    def check(self, card: CardContext) -> Iterator[Violation]:
        for link in card.document.links:
            if link.kind == "image" and not link.text.strip():
                yield Violation(link.line, f"image {link.target[:60]!r} has no alt text")


def heading_anchor(title: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


class BrokenAnchor(Rule):
    """What it does
    ------------
    Reports a link to `#anchor` in the same card when no heading has that
    anchor (GitHub's rule: lower case, punctuation dropped, spaces as hyphens;
    repeated headings get `-1`, `-2`).

    Why is this bad?
    ----------------
    A table of contents entry that leads nowhere; typically a heading was
    renamed and its links were not.

    Example
    -------
    ```markdown
    - [Training](#training-details)
    ...
    # Training
    ```

    Use instead
    -----------
    ```markdown
    - [Training Details](#training-details)
    ...
    # Training Details
    ```
    """

    name = "broken-anchor"
    family = "links"
    severity = Severity.WARNING
    summary = "A `#anchor` link names no heading of the card."

    def check(self, card: CardContext) -> Iterator[Violation]:
        anchors: set[str] = set()
        counts: dict[str, int] = {}
        for heading in card.document.headings:
            anchor = heading_anchor(heading.title)
            anchors.add(anchor if anchor not in counts else f"{anchor}-{counts[anchor]}")
            counts[anchor] = counts.get(anchor, 0) + 1
        anchors |= set(re.findall(r"""(?:id|name)=["']([^"']+)["']""", card.text))
        for link in card.document.links:
            if link.kind == "link" and link.target.startswith("#") and len(link.target) > 1:
                if unquote(link.target[1:]).lower() not in {a.lower() for a in anchors}:
                    yield Violation(link.line, f"anchor {link.target!r} names no heading of the card")


class UnreachableLink(Rule):
    """What it does
    ------------
    With `--online` only: requests every `http(s)` link and image of the card
    (HEAD, then GET where HEAD is refused) and reports those that fail or
    answer with an error status.

    Why is this bad?
    ----------------
    Papers move, datasets are withdrawn, repositories are renamed: a dead link
    is a reference readers cannot follow.

    Example
    -------
    `[data](https://example.org/removed-dataset)` answering 404.

    Use instead
    -----------
    Link the current location, a DOI, or an archived copy.
    """

    name = "unreachable-link"
    family = "links"
    severity = Severity.WARNING
    summary = "A link does not resolve (with --online)."
    needs_network = True

    def check(self, card: CardContext) -> Iterator[Violation]:
        from concurrent.futures import ThreadPoolExecutor

        urls: dict[str, int] = {}
        for link in card.document.links:
            if urlsplit(link.target).scheme in ("http", "https"):
                urls.setdefault(link.target, link.line)
        with ThreadPoolExecutor(max_workers=8) as pool:
            problems = dict(zip(urls, pool.map(url_problem, urls)))
        for url, line in urls.items():
            if problems[url]:
                yield Violation(line, f"{url[:80]} does not resolve: {problems[url]}")


def url_problem(url: str, timeout: float = 10.0) -> str | None:
    """Why a URL does not resolve, or None when it does."""
    import urllib.error
    import urllib.request

    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": "bmzcard-check"})
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                return None
        except urllib.error.HTTPError as error:
            if method == "HEAD" and error.code in (403, 405, 501):
                continue  # some servers refuse HEAD only
            return f"HTTP {error.code}"
        except (urllib.error.URLError, OSError, ValueError) as error:
            return str(getattr(error, "reason", error))
    return None
