"""`bmzcard package`: the zip a contributor uploads to bioimage.io, with the checked card in it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def package(
    source: Annotated[
        Path, typer.Argument(help="A package folder, an rdf.yaml / bioimageio.yaml file, or a .zip package.",
                             show_default=False),
    ],
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="The zip to write. Default: <folder>.zip beside "
                                     "the package folder."),
    ] = None,
    card: Annotated[
        Optional[str], typer.Option("--card", help="The card's path inside the package. Default: the RDF's "
                                    "documentation, else README.md."),
    ] = None,
    allow_errors: Annotated[
        bool, typer.Option("--allow-errors", help="Package even when `bmzcard check` finds errors in the card.")
    ] = False,
    online: Annotated[
        bool, typer.Option("--online", help="Validate with bioimageio.spec's io checks (hashes, URLs) and "
                           "pack remote files; needs the network."),
    ] = False,
) -> None:
    """Check the card, complete the RDF and write the zoo zip with bioimageio.spec.

    The RDF's documentation is set to the card (with its sha256), the images
    the card shows become attachments (packed at the top of the zip, the
    zip's card linking to them there), the card's own text for out-of-scope
    use, biases, risks, limitations, recommendations and funding is written
    into config.bioimageio, and
    bioimageio.spec validates and writes the zip (`save_bioimageio_package`),
    checking the zip again before it gets its name: a package that does not
    validate is never written. The package folder itself is not modified.
    Refused (exit 2) when the card has `check` errors, unless --allow-errors.

    Examples:

        bmzcard package my_model/                 # writes my_model.zip beside the folder

        bmzcard package my_model/ -o upload/my_model.zip --online

        bmzcard package my_model/ --allow-errors  # package a draft anyway
    """
    from bmzcard.cli.app import stderr
    from bmzcard.publish.package import package_model

    result = package_model(source, output, online=online, allow_errors=allow_errors, card=card)
    stderr.print(f"Wrote [bold]{result.output}[/] (validated by bioimageio.spec"
                 + (", io checks on" if online else ", format checks; --online adds io checks") + ")",
                 highlight=False)
    stderr.print(f"Card {result.card}: {result.errors} check errors, {result.warnings} warnings", highlight=False)
    if result.config_written:
        stderr.print("From the card into config.bioimageio: " + ", ".join(result.config_written), highlight=False)
    for note in result.notes:
        stderr.print(f"note: {note}", highlight=False)
