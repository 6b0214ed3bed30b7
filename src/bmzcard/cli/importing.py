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

    Examples:

        bmzcard import hf hf-repo/README.md -o my_model_card/

        bmzcard import hf README.md --report
    """
    from bmzcard.cli.app import stderr, stdout
    from bmzcard.publish.huggingface import import_hf

    result = import_hf(card, output)
    stderr.print(f"Wrote [bold]{result.out_dir}[/]: " + ", ".join(p.name for p in result.written), highlight=False)
    if result.source_sha256:
        stderr.print(f"The card says it was exported from an RDF with sha256 {result.source_sha256}", highlight=False)
    if report:
        for line in result.lossy:
            stdout.print(f"  [yellow]lossy[/] {line}", soft_wrap=True, highlight=False)
    elif result.lossy:
        stderr.print(f"{len(result.lossy)} fields could not be carried over (--report lists them)", highlight=False)
