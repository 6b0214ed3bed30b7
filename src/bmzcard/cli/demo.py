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
    """Run bmzcard on its own example model (a tiny 2D U-Net): generate, evaluate, measure, check, render.

    The example package is copied into OUT (the installed copy is never
    modified); its README.md card is generated there, evaluated on the bundled
    data (two SNR levels), measured on this machine, and checked; finally rendered
    as README.html, with a screenshot README.png when playwright and Debian's
    chromium are installed (`make demo` installs both).
    """
    from bmzcard.cli.app import stdout
    from bmzcard.evaluate import evaluate_example
    from bmzcard.example import package_path
    from bmzcard.generate import generate_card, write_measurements
    from bmzcard.measure import measure_package

    source = package_path()
    target = out / source.name
    if target.exists():
        if not (target / "rdf.yaml").exists():
            raise BmzcardError("exists and is not a bmzcard demo package; choose another --out", path=target)
        shutil.rmtree(target)
    shutil.copytree(source, target)

    stdout.rule("1/5 generate: the card from rdf.yaml")
    report = generate_card(target, force=True)
    stdout.print(f"{len(report.written)} values filled from the package, {len(report.todo)} fields left as TODO")

    stdout.rule("2/5 evaluate: the model on 8 labelled images at two SNR levels")
    evaluation = evaluate_example(target)
    stdout.print(f"Evaluation section, figures and config.bioimageio.evaluations written "
                 f"({len(evaluation.results)} images, task {evaluation.task})")

    stdout.rule("3/5 measure: parameters, sizes, inference time and memory")
    measurement = measure_package(target, timing=timing, threads=1)
    write_measurements(target, measurement.to_json())
    stdout.print("Speeds, Sizes, Times and Hardware Requirements filled from measurements")
    stdout.print("Environmental Impact: hardware and hours come from the RDF; Compute Region and Carbon Emitted "
                 "stay TODO, because bmzcard never guesses where a model was trained. With a region: "
                 "`bmzcard carbon -H HARDWARE --hours H --provider P --region R --json carbon.json`, then "
                 "`bmzcard generate PACKAGE --record carbon.json`.", highlight=False)

    # Each step backs up what it changes; in a fresh demo copy those are only our own earlier steps.
    for leftover in [*target.glob("*.bak"), *target.glob("*.bak[0-9]*")]:
        leftover.unlink()

    stdout.rule("4/5 check: what a reviewer would see")
    card = report.output
    _check(card)

    stdout.rule("5/5 render: the card as one HTML page, and its screenshot")
    page = _render(card)
    stdout.print(f"\nThe card: [bold]{card}[/] (provenance: {card.name}.bmzcard.json); its page: [bold]{page}[/]")


def _check(card: Path) -> None:
    """Print the linter's text report for the card (findings and score); findings are not a failure here."""
    from bmzcard.cli.app import stdout
    from bmzcard.lint.engine import check_targets
    from bmzcard.lint.formats import OutputFormat, render
    from bmzcard.lint.inputs import discover
    from bmzcard.lint.registry import active_entries

    entries = active_entries()
    reports = check_targets(discover([card]), entries)
    stdout.print(render(OutputFormat.TEXT, reports, entries), highlight=False, markup=False, soft_wrap=True)


def _render(card: Path) -> Path:
    """Write README.html beside the card and, where a browser is installed, its screenshot README.png."""
    from bmzcard.cli.app import stdout
    from bmzcard.cli.render import render_card
    from bmzcard.outputs.files import atomic_write
    from bmzcard.outputs.html import screenshot

    rendered = render_card(card)
    atomic_write(rendered.default_output, rendered.page.html)
    for problem in rendered.page.problems:
        stdout.print(f"warning: {problem}", highlight=False)
    picture = rendered.default_output.with_suffix(".png")
    try:
        picture.write_bytes(screenshot(rendered.page.html))
    except RuntimeError as missing:
        stdout.print(f"No screenshot: {missing}", highlight=False)
    else:
        stdout.print(f"Screenshot of the page: {picture}", highlight=False)
    return rendered.default_output
