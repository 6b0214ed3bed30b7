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
) -> None:
    """Generate the card of bmzcard's own example model (a tiny 2D U-Net).

    The example package is copied into OUT (the installed copy is never
    modified) and its README.md card is generated there.
    """
    from bmzcard.cli.app import stdout
    from bmzcard.example import package_path
    from bmzcard.generate import generate_card

    source = package_path()
    target = out / source.name
    if target.exists():
        if not (target / "rdf.yaml").exists():
            raise BmzcardError("exists and is not a bmzcard demo package; choose another --out", path=target)
        shutil.rmtree(target)
    shutil.copytree(source, target)
    stdout.rule("bmzcard demo: generate")
    report = generate_card(target, force=True)
    stdout.print(f"Card written to [bold]{report.output}[/] ({len(report.written)} values filled, "
                 f"{len(report.todo)} fields left as TODO for the author)")
