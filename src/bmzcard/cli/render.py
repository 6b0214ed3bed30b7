"""`bmzcard render`: the card as one safe, self-contained HTML page."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import typer

from bmzcard.errors import BmzcardError
from bmzcard.outputs.html import RenderedPage


@dataclass
class RenderedCard:
    """A card's page, where the card was read from, and where the page goes by default."""

    page: RenderedPage
    card: str  # the card as shown to the user (`package.zip!/README.md` inside a zip)
    default_output: Path
    score: float


def render_card(source: Path) -> RenderedCard:
    """Read a card (or a package's card) with its RDF, score it as `check` does, and render its page.

    Parameters
    ----------
    source
        A Markdown card (its package is the folder it lies in, with the RDF
        beside it if any), a package folder, an RDF file or a .zip package.

    Raises
    ------
    BmzcardError
        When the source, its card or its RDF cannot be read.
    """
    from bmzcard.lint.inputs import card_name, discover, load
    from bmzcard.lint.score import completeness
    from bmzcard.outputs.html import render_html
    from bmzcard.sources.package import open_package

    targets = discover([source])
    if len(targets) != 1:
        raise BmzcardError(f"holds {len(targets)} cards or packages; render one at a time", path=source)
    target = targets[0]
    card = load(target)
    if target.kind == "card":
        path = Path(target.path)
        package, name, default = path.parent, path.name, path.with_suffix(".html")
    else:
        package = open_package(target.path)
        name = card_name(package, card.rdf or {})
        default = package.source.with_suffix(".html") if package.is_zip else (package.root / name).with_suffix(".html")
    score = completeness(card).overall
    page = render_html(card.document.text, package=package, card_name=name, metadata=card.rdf, score=score)
    return RenderedCard(page, card.path, default, score)


def render(
    source: Annotated[
        Path,
        typer.Argument(
            help="A card (README.md), a package folder, an rdf.yaml / bioimageio.yaml file, or a .zip package.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Optional[str],
        typer.Option(
            "--output",
            "-o",
            help="Where to write the page ('-' for standard output). Default: the card's name with .html "
            "beside it (README.html); for a zip, <name>.html beside the zip.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Render a model card as one HTML page that is safe to open and needs nothing else.

    The page embeds the card's images from inside the package (PNG, JPEG, GIF,
    WebP, checked by their content), shows the RDF's metadata beside the card with
    the completeness score of `bmzcard check`, marks TODO fields, and prints well.
    It holds no script and loads nothing from the network: the card's HTML is
    sanitized against an allow-list, and a Content-Security-Policy forbids the rest.
    Images outside the package, missing, too large or not images are shown as their
    alt text with a note, and listed here as warnings. The same card always gives
    the same bytes.

    Exit status: 0 when the page was written, 2 when the input could not be read.

    Examples:

        bmzcard render my_model/                 # writes my_model/README.html

        bmzcard render README.md -o card.html

        bmzcard render my_model.zip -o - > page.html
    """
    from bmzcard.cli.app import stderr
    from bmzcard.outputs.files import atomic_write

    rendered = render_card(source)
    for problem in rendered.page.problems:
        stderr.print(f"[yellow]warning:[/] {rendered.card}: {problem}", highlight=False, soft_wrap=True)
    if output == "-":
        sys.stdout.write(rendered.page.html)
        sys.stdout.flush()
        return
    target = Path(output) if output else rendered.default_output
    if target.exists() and target.resolve() in (source.resolve(), Path(rendered.card).resolve()):
        raise BmzcardError("is the input itself; choose another --output", path=target)
    atomic_write(target, rendered.page.html)
    stderr.print(
        f"Wrote [bold]{target}[/] (completeness {100 * rendered.score:.1f}%, "
        f"{len(rendered.page.problems)} problem{'s' if len(rendered.page.problems) != 1 else ''})",
        highlight=False,
        soft_wrap=True,
    )
