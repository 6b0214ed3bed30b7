"""`bmzcard measure`: parameter counts, sizes, inference time and memory of a package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from bmzcard.api import DEFAULT_THREADS


def parse_shapes(values: list[str], input_ids: list[str]) -> dict[str, list[int]]:
    """Read ``--shape`` values: ``1,1,256,256`` or ``NAME=1,1,256,256`` (also ``1x1x256x256``).

    Parameters
    ----------
    values
        The option's values, one per input.
    input_ids
        The model's input names; a value without a name is for the only input.

    Returns
    -------
    dict[str, list[int]]
        Input name -> shape.
    """
    from bmzcard.errors import BmzcardError

    shapes: dict[str, list[int]] = {}
    for value in values:
        name, _, dims = value.rpartition("=")
        if not name:
            if len(input_ids) != 1:
                raise BmzcardError(
                    f"the model has inputs {', '.join(input_ids)}: write NAME=SHAPE", field="--shape"
                )
            name = input_ids[0]
        if name not in input_ids:
            raise BmzcardError(f"no input {name!r}; the model's inputs: {', '.join(input_ids)}", field="--shape")
        try:
            shape = [int(d) for d in dims.replace("x", ",").split(",")]
        except ValueError:
            raise BmzcardError(f"{value!r} is not a shape like 1,1,256,256", field="--shape") from None
        if not shape or min(shape) < 1:
            raise BmzcardError(f"{value!r}: every size must be at least 1", field="--shape")
        shapes[name] = shape
    return shapes


def _print(measurement) -> None:
    from rich.markup import escape
    from rich.table import Table

    from bmzcard.cli.app import stdout
    from bmzcard.units import format_bytes

    sizes = Table("weights", "file", "size", "parameters", "buffers", title=f"{escape(measurement.model_name)}: sizes")
    for w in measurement.weights:
        sizes.add_row(
            w.weight_format,
            escape(w.file),
            format_bytes(w.file_bytes),
            "—" if w.parameters is None else f"{w.parameters:,}",
            "—" if w.buffers is None else f"{w.buffers:,}",
        )
    stdout.print(sizes)
    for t in measurement.inference:
        table = Table(show_header=False, box=None, title=f"inference ({t.weight_format})", title_justify="left")
        table.add_column(style="bold")
        table.add_column()
        shapes = "; ".join(f"{k} {'×'.join(map(str, v))}" for k, v in t.input_shapes.items())
        table.add_row("input", f"{shapes} ({t.input_source}), batch size {t.batch_size}")
        spread = f"p10 {t.p10_s * 1000:.1f}, p90 {t.p90_s * 1000:.1f}; {len(t.times_s)} calls"
        table.add_row("median", f"{t.median_s * 1000:.1f} ms ({spread})")
        table.add_row("first call", f"{t.cold_s * 1000:.1f} ms (loading {t.load_s * 1000:.0f} ms)")
        table.add_row("memory", f"{format_bytes(t.peak_memory_bytes)} RAM above the loaded model")
        table.add_row("ran on", f"{t.device}; {t.cpu}; {t.threads} thread(s)" + (f"; GPU {t.gpu}" if t.gpu else ""))
        table.add_row("runner", t.runner)
        table.add_row("versions", ", ".join(f"{k} {v}" for k, v in t.versions.items()))
        stdout.print(table)


def measure(
    package: Annotated[Path, typer.Argument(help="Package folder or its bioimageio.yaml / rdf.yaml.")],
    weights: Annotated[
        Optional[str],
        typer.Option(
            "--weights",
            metavar="FORMAT",
            help="Weights to time: onnx, torchscript, pytorch_state_dict. Default: onnx if present.",
        ),
    ] = None,
    shape: Annotated[
        Optional[list[str]],
        typer.Option(
            "--shape",
            metavar="[NAME=]SHAPE",
            help="Time random input of this shape instead of the test input, e.g. 1,1,256,256. Repeat per input.",
        ),
    ] = None,
    threads: Annotated[
        Optional[int],
        typer.Option("--threads", min=1, help=f"Runtime threads (default {DEFAULT_THREADS}, at most the CPU count)."),
    ] = None,
    repeats: Annotated[int, typer.Option("--repeats", min=20, help="Timed calls.")] = 20,
    no_timing: Annotated[bool, typer.Option("--no-timing", help="Only count parameters and file sizes.")] = False,
    json_out: Annotated[
        Optional[Path], typer.Option("--json", metavar="OUT", help="Also write the measurement as JSON to OUT.")
    ] = None,
    write_card: Annotated[
        bool,
        typer.Option("--write-card", help="Fill the card's Speeds, Sizes, Times and Hardware Requirements, "
                     "and the RDF's config.bioimageio, with the measured values (backups kept)."),
    ] = False,
    card: Annotated[
        Optional[Path], typer.Option("--card", help="The card to fill (default: README.md beside the RDF).")
    ] = None,
    allow_code: Annotated[
        bool,
        typer.Option("--allow-code", help="Allow timing pytorch_state_dict weights whose architecture is a Python "
                     "file of the package: that file runs with your rights. Only for packages you trust."),
    ] = False,
) -> None:
    """Measure a model package: parameters, file sizes, inference time and memory.

    Parameters are counted in every weight file without running package code;
    weights whose architecture is a Python file of the package are timed only
    with `--allow-code`.
    Inference runs in a fresh process through bioimageio.core's prediction
    pipeline, as users run the model (pre- and postprocessing included), with a
    fixed thread count: one cold call timed alone, 3 warm-up calls, then
    `--repeats` timed calls (median, p10, p90). Memory is the peak resident
    memory above the loaded model.

    **Examples**

    - `bmzcard measure path/to/package`

    - `bmzcard measure path/to/package --weights onnx --shape 1,1,1024,1024 --json measure.json`

    - `bmzcard measure path/to/rdf.yaml --no-timing`

    - `bmzcard measure path/to/package --write-card`
    """
    from bmzcard.api import measure as measure_package

    shapes = None
    if shape:
        from bmzcard.measure.package import load_model

        descr = load_model(package)
        ids = [str(getattr(d, "id", None) or d.name) for d in descr.inputs]
        shapes = parse_shapes(shape, ids)
    result = measure_package(package, weights=weights, shapes=shapes, threads=threads, repeats=repeats,
                             timing=not no_timing, json_path=json_out, write_card=write_card, card_path=card,
                             allow_code=allow_code)
    _print(result)
    if result.card is not None:
        from bmzcard.cli.app import stderr

        stderr.print(f"Filled {result.card} with the measured values", highlight=False)
