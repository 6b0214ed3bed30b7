"""A card from another home back into bmzcard: `import hf` reads a Hugging Face model card."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def hf(
    card: Annotated[Path, typer.Argument(help="A Hugging Face model card (README.md with a YAML header).",
                                         show_default=False)],
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Folder for the card (README.md) and the RDF "
                                     "fields (rdf-fragment.yaml). Default: bioimageio/ beside the card."),
    ] = None,
    into: Annotated[
        Optional[Path], typer.Option("--into", help="An existing package folder: patch its RDF with the card's "
                                     "fields and write the card beside it (instead of -o).", show_default=False),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="With --into: replace a card the package has with "
                                        "other text (a backup is kept).")] = False,
    report: Annotated[bool, typer.Option("--report", help="List every field that could not be carried over.")] = False,
) -> None:
    """Read a Hugging Face model card into a model card and RDF fields.

    The Markdown below the header becomes the card; the header becomes RDF
    fields: license (SPDX), tags, id and version (from the `bioimageio:` key
    `export hf` writes), parent and training data from base_model and
    datasets, and under config.bioimageio the task, evaluations (from
    `model-index`, one entry per dataset and split) and environmental impact
    (emissions in kg). What an RDF has no place for, and what the Hub never
    had (dataset sources, sample counts, long metric names), is reported.
    The header is read defensively: YAML aliases that expand past a bound,
    lists over 1,000 entries and headers over 1 MB are refused; malformed
    entries are reported; nothing in it is ever run.

    With --into PACKAGE the fields go into the package's RDF instead, keeping
    its comments, key order and other fields byte for byte, validated with
    bioimageio.spec before anything is written (the old RDF is backed up):
    license, new tags, the task, emissions, and a parent or training data the
    package lacks. Its id, version and format never change; results it holds
    are kept (the Hub has the means only) and differences reported. The card
    goes to the package's card file; when that has other text, it is a
    conflict: left as it is, exit code 1, unless --force (backup kept).

    Examples:

        bmzcard import hf hf-repo/README.md -o my_model_card/

        bmzcard import hf README.md --report

        bmzcard import hf hf-repo/README.md --into my_model/ --report
    """
    from rich.markup import escape

    from bmzcard.cli.app import stderr, stdout
    from bmzcard.errors import EXIT_FINDINGS, BmzcardError
    from bmzcard.publish.huggingface import import_hf, import_hf_into

    if into is not None:
        if output is not None:
            raise BmzcardError("give either -o (a new folder) or --into (an existing package), not both",
                               field="--into")
        patched = import_hf_into(card, into, force=force)
        for change in patched.rdf_changes:
            stderr.print(f"set {escape(change)}", soft_wrap=True, highlight=False)
        stderr.print(f"Patched [bold]{escape(patched.rdf)}[/] (backup kept)" if patched.rdf_changes else
                     f"{escape(patched.rdf)}: nothing to change", highlight=False)
        names = [str(path) for path in patched.written if path.name != Path(patched.rdf).name]
        if names:
            stderr.print("Wrote " + ", ".join(escape(n) for n in names), highlight=False)
        _lossy(patched.lossy, report, stdout, stderr)
        if patched.conflict:
            stderr.print(f"[bold yellow]conflict:[/] {escape(patched.conflict)}", soft_wrap=True, highlight=False)
            raise typer.Exit(EXIT_FINDINGS)
        return
    if force:
        raise BmzcardError("--force only applies with --into", field="--force")
    result = import_hf(card, output)
    stderr.print(f"Wrote [bold]{result.out_dir}[/]: " + ", ".join(p.name for p in result.written), highlight=False)
    if result.source_sha256:
        stderr.print(f"The card says it was exported from an RDF with sha256 {result.source_sha256}", highlight=False)
    _lossy(result.lossy, report, stdout, stderr)


def _lossy(lines: list[str], report: bool, stdout, stderr) -> None:
    from rich.markup import escape

    if report:
        for line in lines:
            stdout.print(f"  [yellow]lossy[/] {escape(line)}", soft_wrap=True, highlight=False)
    elif lines:
        stderr.print(f"{len(lines)} fields could not be carried over (--report lists them)", highlight=False)
