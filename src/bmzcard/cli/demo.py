"""`bmzcard demo`: the whole job on the bundled example package."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from bmzcard.errors import BmzcardError


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder to copy the example package into and write its card.")] = Path(
        "bmzcard-demo"
    ),
    timing: Annotated[bool, typer.Option("--timing/--no-timing", help="Time inference (about 20 s).")] = True,
) -> None:
    """Run bmzcard on its own example model (a tiny 2D U-Net): generate, evaluate, measure, check.

    The example package is copied into OUT (the installed copy is never
    modified); its README.md card is generated there, evaluated on the bundled
    data (two SNR levels), measured on this machine, and finally checked.
    """
    from bmzcard.api import generate, measure
    from bmzcard.cli.app import stdout
    from bmzcard.demo import evaluate_example
    from bmzcard.example import package_path

    source = package_path()
    target = out / source.name
    if target.exists():
        if not (target / "rdf.yaml").exists():
            raise BmzcardError("exists and is not a bmzcard demo package; choose another --out", path=target)
        shutil.rmtree(target)
    shutil.copytree(source, target)

    stdout.rule("1/4 generate: the card from rdf.yaml")
    report = generate(target, force=True)
    stdout.print(f"{len(report.written)} values filled from the package, {len(report.todo)} fields left as TODO")

    stdout.rule("2/4 evaluate: the model on 8 labelled images at two SNR levels")
    evaluation = evaluate_example(target)
    stdout.print(f"Evaluation section, figures and config.bioimageio.evaluations written "
                 f"({len(evaluation.results)} images, task {evaluation.task})")

    stdout.rule("3/4 measure: parameters, sizes, inference time and memory")
    measure(target, timing=timing, threads=1, write_card=True)
    stdout.print("Speeds, Sizes, Times and Hardware Requirements filled from measurements")
    stdout.print("Environmental Impact: hardware and hours come from the RDF; Compute Region and Carbon Emitted "
                 "stay TODO, because bmzcard never guesses where a model was trained. With a region: "
                 "`bmzcard carbon -H HARDWARE --hours H --provider P --region R --json carbon.json`, then "
                 "`bmzcard generate PACKAGE --record carbon.json`.", highlight=False)

    # Each step backs up what it changes; in a fresh demo copy those are only our own earlier steps.
    for leftover in [*target.glob("*.bak"), *target.glob("*.bak[0-9]*")]:
        leftover.unlink()

    stdout.rule("4/4 check: what a reviewer would see")
    card = report.output
    _check(card)
    stdout.print(f"\nThe card: [bold]{card}[/] (provenance: {card.name}.bmzcard.json)")


def _check(card: Path) -> None:
    """Print the linter's text report for the card (findings and score); findings are not a failure here."""
    from bmzcard.api import check_reports
    from bmzcard.cli.app import stdout
    from bmzcard.lint.formats import OutputFormat, render
    from bmzcard.lint.registry import active_entries

    entries = active_entries()
    reports = check_reports([card], entries)
    stdout.print(render(OutputFormat.TEXT, reports, entries), highlight=False, markup=False, soft_wrap=True)
