"""`bmzcard check`: lint model cards the way a zoo reviewer reads them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from bmzcard.errors import EXIT_BAD_INPUT, EXIT_FINDINGS
from bmzcard.lint.formats import OutputFormat


def _codes(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [code.strip() for code in text.split(",") if code.strip()]


def check(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Cards (README.md), packages (folder, zip or RDF file: the card `generate` writes and the file the "
                 "RDF names as documentation, each reported) or folders of many.",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        Optional[OutputFormat],
        typer.Option("--format", "-f", help="Output: text, json, sarif or github annotations.", show_default=False),
    ] = None,
    select: Annotated[
        Optional[str], typer.Option(help="Rules to run: codes or prefixes, comma-separated (`S,P001`).")
    ] = None,
    ignore: Annotated[Optional[str], typer.Option(help="Rules to skip: codes or prefixes, comma-separated.")] = None,
    rdf: Annotated[
        Optional[Path], typer.Option(help="The RDF to compare a single card with (found beside it otherwise).")
    ] = None,
    fix: Annotated[
        bool, typer.Option("--fix", help="Fix heading levels and order, tables and whitespace; keeps a .bak copy.")
    ] = False,
    online: Annotated[
        bool, typer.Option("--online/--offline", help="Also check that links resolve (network). Only this option "
                           "turns the network on; a settings file cannot.")
    ] = False,
    verify: Annotated[
        bool, typer.Option("--verify", help="Re-compute recorded evaluations and compare the card's numbers.")
    ] = False,
    allow_code: Annotated[
        bool,
        typer.Option("--allow-code", help="With --verify: allow running a pytorch_state_dict architecture that is "
                     "a Python file of the package. Only this option grants it, never a file of the package."),
    ] = False,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Write the report to this file instead of stdout.")
    ] = None,
    jobs: Annotated[
        Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes for many cards.")
    ] = None,
) -> None:
    """Check model cards against the BioImage Model Zoo template and their RDF.

    Reports template sections missing or out of order, guidance and placeholders
    left in, disagreements with the package's rdf.yaml, implausible evaluation
    numbers, broken links and images, and the environmental impact section, with
    a completeness score per card. `bmzcard rules` lists every rule.

    Exit status: 0 when no errors were found, 1 when some were, 2 when an input
    could not be read.

    Examples:

    - `bmzcard check README.md`
    - `bmzcard check path/to/package/ --format json`
    - `bmzcard check models/ --format sarif -o bmzcard.sarif`
    - `bmzcard check README.md --select P --ignore P005 --fix`
    """
    from bmzcard.api import check_reports, select_rules
    from bmzcard.lint.config import load_config
    from bmzcard.lint.formats import render
    from bmzcard.lint.inputs import checked_targets

    config = load_config()
    if config.ignored:
        from bmzcard.cli.app import stderr

        for note in config.ignored:
            stderr.print(f"warning: {note}", highlight=False, markup=False, soft_wrap=True)
    fmt = output_format or OutputFormat(config.format or "text")
    entries = select_rules(_codes(select) or config.select, (_codes(ignore) or []) + list(config.ignore),
                           verify=verify)
    targets = checked_targets(paths, rdf)
    if fix:
        from bmzcard.lint.fix import fix_targets

        # The diff joins a text report on stdout; beside a machine-read report it goes to stderr.
        fix_targets(targets, show=sys.stdout if fmt is OutputFormat.TEXT and output is None else sys.stderr)
    with _Progress(len(targets)) as advance:
        reports = check_reports(paths, entries, rdf=rdf, online=online, allow_code=allow_code,
                                jobs=jobs, progress=advance)
    text = render(fmt, reports, entries)
    if output is not None:
        from bmzcard.outputs.files import atomic_write

        atomic_write(output, text + "\n")
    else:
        typer.echo(text)
    if any(r.error is not None for r in reports):
        raise typer.Exit(EXIT_BAD_INPUT)
    if any(r.has_errors for r in reports):
        raise typer.Exit(EXIT_FINDINGS)


class _Progress:
    """A progress bar on stderr while many cards are checked at a terminal; silent otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar = None

    def __enter__(self):
        if self.total < 20 or not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import Progress

        self.bar = Progress(transient=True, console=Console(stderr=True))
        self.bar.start()
        task = self.bar.add_task("checking cards", total=self.total)
        return lambda _report: self.bar.advance(task)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
