"""`bmzcard generate`: fill a model card from a package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def generate(
    source: Annotated[
        Path,
        typer.Argument(
            help="A package folder, an rdf.yaml / bioimageio.yaml / *.bioimageio.yaml file, or a .zip package.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", help="Where to write the card ('-' for standard output). "
                     "Default: README.md beside the RDF; for a zip, <name>.README.md beside it."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Regenerate from scratch, discarding the existing card (a backup is kept).")
    ] = False,
    record: Annotated[
        Optional[list[Path]],
        typer.Option("--record", help="A JSON record of `bmzcard measure --json`, `track` or `carbon --json` "
                     "to fill Speeds, Sizes, Times and Environmental Impact (repeatable). A bmzcard-track.json "
                     "beside the RDF is used without asking."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every field and where its value came from.")] = False,
) -> None:
    """Write or complete a model card from everything the package knows.

    Reads the RDF with bioimageio.spec (format 0.3 to 0.5, upgraded to the latest
    where possible; no file downloads, no network) and fills every template field
    it can: people, license, citations, task, axes and resolution, pre- and
    postprocessing, weights and sizes, the card fields under `config.bioimageio`,
    and a runnable snippet. Fields it cannot know stay as visible `TODO` markers.

    With an existing card, only empty and placeholder fields are filled: your
    text is kept, and a backup is written before the card changes. The source of
    every value is recorded beside the card in `README.md.bmzcard.json`.

    Examples:

        bmzcard generate my_model/                  # writes my_model/README.md

        bmzcard generate my_model.zip -o card.md

        bmzcard generate rdf.yaml -o - | less

        bmzcard generate my_model/ --record measure.json --record carbon.json
    """
    from rich.markup import escape

    from bmzcard.api import generate as generate_card
    from bmzcard.cli.app import stderr, stdout

    to_stdout = output is not None and str(output) == "-"
    if to_stdout:  # a fresh card, written nowhere
        report = generate_card(source, force=True, records=record or (), write=False)
    else:
        report = generate_card(source, output, force=force, records=record or ())
    if to_stdout:
        typer.echo(report.text, nl=False)
        return
    filled = len(report.written)
    action = "Completed" if report.merged else "Wrote"
    stderr.print(
        f"{action} [bold]{escape(str(report.output))}[/]: {filled} values from the package, "
        f"{len(report.todo)} fields still TODO"
        + (f" (RDF upgraded from format {report.upgraded_from})" if report.upgraded_from else ""),
        highlight=False,
    )
    kept = [c for c in report.changes if c.action == "kept"]
    if kept:
        stderr.print(f"Kept {len(kept)} human-written values: " + ", ".join(c.key for c in kept), highlight=False,
                     markup=False)
    if report.backup:
        stderr.print(f"Backup of the previous card: {report.backup}", highlight=False, markup=False)
    if report.images:
        stderr.print("Wrote images of the test tensors: " + ", ".join(p.name for p in report.images),
                     highlight=False, markup=False)
    for note in report.notes:
        stderr.print(note, highlight=False, markup=False)
    if verbose:
        for key in sorted(report.written):
            where = ", ".join(f"{s.kind}:{s.where}" for s in report.written[key].sources)
            stdout.print(f"  [green]filled[/] {key:<52} from {escape(where)}", soft_wrap=True, highlight=False)
        for key in report.todo:
            reason = f" ({report.todo_reasons[key]})" if key in report.todo_reasons else ""
            stdout.print(f"  [yellow]TODO[/]   {key}{reason}", soft_wrap=True, highlight=False)
