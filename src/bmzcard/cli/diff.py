"""`bmzcard diff`: what changed between two versions of a model, and does it break its users."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from bmzcard.diff.formats import DiffFormat
from bmzcard.errors import EXIT_FINDINGS, BmzcardError


def diff(
    old: Annotated[
        Optional[Path],
        typer.Argument(help="The old version: package folder, .zip, RDF file or card.", show_default=False),
    ] = None,
    new: Annotated[
        Optional[Path],
        typer.Argument(help="The new version: package folder, .zip, RDF file or card.", show_default=False),
    ] = None,
    output_format: Annotated[
        DiffFormat,
        typer.Option("--format", "-f", help="Output: text, markdown (a pull-request comment) or json."),
    ] = DiffFormat.TEXT,
    breaking_only: Annotated[
        bool,
        typer.Option("--breaking-only", help="Show breaking changes only; exit 1 only when there are some."),
    ] = False,
    numeric: Annotated[
        bool,
        typer.Option("--numeric", help="Load the test tensors (.npy) and report the largest absolute difference."),
    ] = False,
    lint: Annotated[
        bool, typer.Option("--lint/--no-lint", help="Compare the cards' lint findings and completeness score.")
    ] = True,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Write the report to this file instead of stdout.")
    ] = None,
    list_rules: Annotated[
        bool, typer.Option("--rules", help="List the rules that classify changes, and exit.")
    ] = False,
) -> None:
    """Compare two versions of a model by meaning, and say which changes break its users.

    Both RDFs are read with bioimageio.spec and compared on the same 0.5
    terms (a 0.4 RDF and its upgrade to 0.5 are equal): key order, comments,
    quoting, line wrapping and DOI/ORCID spellings do not count. Reported:
    identity (id, version, license, authors, citations), the interface
    (tensors, axes, sizes, halo, dtype, data range, pre-/postprocessing), weight
    formats and file hashes, test tensors, measurements, every card section
    after Markdown normalization (with a word diff), evaluation numbers (old,
    new, change, outside the old 95% interval), and lint findings new and
    fixed. Each change is classified by a named rule (`--rules`) as breaking
    or not.

    Exit status: 0 no changes, 1 changes (with --breaking-only: breaking
    changes), 2 an input could not be read.

    Examples:

    - `bmzcard diff old_model/ new_model/`
    - `bmzcard diff v1.zip v2.zip --format markdown > comment.md`
    - `bmzcard diff rdf_v1.yaml rdf_v2.yaml --breaking-only`
    - `bmzcard diff old/README.md new/README.md --format json --numeric`
    """
    from bmzcard.diff import compare
    from bmzcard.diff.formats import render

    if list_rules:
        typer.echo(_rules_table())
        return
    if old is None or new is None:
        raise BmzcardError("give two versions to compare: bmzcard diff OLD NEW")
    report = compare.compare_versions(old, new, numeric=numeric, lint=lint and not breaking_only)
    shown = report.only_breaking() if breaking_only else report
    text = render(shown, output_format)
    if output is not None:
        from bmzcard.outputs.files import atomic_write

        atomic_write(output, text if text.endswith("\n") else text + "\n")
    else:
        typer.echo(text.rstrip("\n"))
    if shown.breaking if breaking_only else shown.has_changes:
        raise typer.Exit(EXIT_FINDINGS)


def _rules_table() -> str:
    from bmzcard.diff.rules import RULES, WARNINGS

    lines = []
    for title, rules in (("Changes", RULES), ("Warnings", WARNINGS)):
        lines.append(f"{title}:")
        for rule in rules:
            flag = "breaking" if rule.breaking else "        "
            lines.append(f"  {rule.id:<26} {flag} {rule.section:<13} {rule.description}")
    return "\n".join(lines)
