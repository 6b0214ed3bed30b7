"""A model's card in another home's format: `export hf` writes a Hugging Face model repository's card."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def hf(
    source: Annotated[
        Path,
        typer.Argument(help="A package folder, an rdf.yaml / bioimageio.yaml file, or a .zip package.",
                       show_default=False),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The Hugging Face repository folder to write README.md and "
                           "its images into (created if missing; its parent folder must exist).", show_default=False),
    ],
    card: Annotated[
        Optional[Path], typer.Option("--card", help="The card to export. Default: the package's card "
                                     "(README.md beside the RDF, or the RDF's documentation); generated "
                                     "in memory when there is none."),
    ] = None,
    license_link: Annotated[
        Optional[str], typer.Option("--license-link", help="URL of the license text, for a license that is "
                                    "neither on the Hub's list nor SPDX (`license: other`)."),
    ] = None,
    report: Annotated[
        bool, typer.Option("--report", help="List every RDF field the Hub header has no place for.")
    ] = False,
    push: Annotated[
        Optional[str], typer.Option("--push", metavar="REPO_ID", help="Upload the folder to this Hub model "
                                    "repository with huggingface_hub (needs --online and a Hub token)."),
    ] = None,
    online: Annotated[bool, typer.Option("--online", help="Allow network access (only --push uses it).")] = False,
) -> None:
    """Write a Hugging Face model card: the Hub's YAML header above the model card.

    The header is written by huggingface_hub (ModelCardData, EvalResult):
    license (Hub id, or `other` + license_name + license_link), tags (sorted,
    plus biology and bioimage-io), library_name, pipeline_tag from the task,
    datasets and base_model when they are Hub ids, `model-index` from
    config.bioimageio.evaluations (one result per metric and factor level,
    the mean), `co2_eq_emissions` in grams, and a `bioimageio:` key with the
    zoo id, version, format version and the RDF's sha256. Images the card shows
    are copied beside it. Nothing is written outside the output folder, and
    nothing touches the network unless you pass --push with --online.

    Examples:

        bmzcard export hf my_model/ -o hf-repo/

        bmzcard export hf my_model.zip -o hf-repo/ --report

        bmzcard export hf my_model/ -o hf-repo/ --push my-org/my-model --online
    """
    from rich.markup import escape

    from bmzcard.cli.app import stderr, stdout
    from bmzcard.errors import BmzcardError
    from bmzcard.publish.huggingface import export_hf

    if push is not None and not online:
        raise BmzcardError("uploads to the Hugging Face Hub; add --online to allow the network", field="--push")
    result = export_hf(source, output, card=card, license_link=license_link)
    if result.hub is not None and result.hub.rejected:
        stderr.print("[yellow]warning:[/] bioimageio.spec rejects this RDF, so the Hub card shows the RDF as "
                     f"written: {escape(result.hub.rejected)}", soft_wrap=True, highlight=False)
    images = len(result.written) - 1
    stderr.print(f"Wrote [bold]{output / 'README.md'}[/]" + (f" and {images} image(s)" if images else "")
                 + f" from {result.card_source}", highlight=False)
    for note in result.notes:
        stderr.print(f"note: {note}", highlight=False)
    if report:
        for line in result.unmapped:
            stdout.print(f"  [yellow]not mapped[/] {escape(line)}", soft_wrap=True, highlight=False)
    elif result.unmapped:
        stderr.print(f"{len(result.unmapped)} RDF fields have no place in the Hub header (--report lists them)",
                     highlight=False)
    if push is not None:
        from bmzcard.publish.huggingface import push_folder

        url = push_folder(output, push)
        stderr.print(f"Uploaded to {url}", highlight=False)
