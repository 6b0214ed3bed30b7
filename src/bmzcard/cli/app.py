"""The `bmzcard` application: global options, command registration, error handling.

Each command lives in its own module of this package and exposes one function,
registered here. Heavy libraries (bioimageio.spec, onnx) are imported inside the
commands so that `bmzcard --help` and `bmzcard check` start fast.
"""

from __future__ import annotations

import functools
import sys
from typing import Annotated, Callable, TypeVar

import click
import typer
from rich.console import Console
from rich.markup import escape

from bmzcard.errors import EXIT_BAD_INPUT, BmzcardError

app = typer.Typer(
    name="bmzcard",
    help=(
        "Complete, true and checked model cards for BioImage Model Zoo packages.\n\n"
        "Start with `bmzcard generate PACKAGE` to write a README.md model card from a "
        "package's rdf.yaml, or `bmzcard init` for a blank card."
    ),
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)

stderr = Console(stderr=True)
stdout = Console()

_state = {"debug": False}

F = TypeVar("F", bound=Callable)


def reports_errors(command: F) -> F:
    """Turn a `BmzcardError` into one red line on stderr and its exit code.

    Anything else is a bug: one line too, with exit code 2 (1 means "findings"),
    and the traceback only with `--debug`.
    """

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, click.exceptions.ClickException):
            raise
        except BmzcardError as error:
            if _state["debug"]:
                raise
            stderr.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
            raise typer.Exit(error.exit_code) from None
        except Exception as error:  # noqa: BLE001 - the last line of defence
            if _state["debug"]:
                raise
            message = " ".join(f"{type(error).__name__}: {error}".split())
            stderr.print(f"[bold red]internal error:[/] {escape(message)}; run with --debug for the traceback",
                         highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def _global_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show full tracebacks instead of one-line errors.")
    ] = False,
) -> None:
    _state["debug"] = debug


def _register() -> None:
    from bmzcard.cli import demo, generate, init

    app.command("init")(reports_errors(init.init))
    app.command("generate")(reports_errors(generate.generate))
    app.command("demo")(reports_errors(demo.demo))

    from bmzcard.cli import carbon, measure, track

    app.command("carbon")(reports_errors(carbon.carbon))
    app.command("measure")(reports_errors(measure.measure))
    app.command("track")(reports_errors(track.track))

    from bmzcard.cli import check, rules

    app.command("check")(reports_errors(check.check))
    app.command("rules")(reports_errors(rules.rules))

    from bmzcard.cli import evaluate

    app.command("evaluate")(reports_errors(evaluate.evaluate))

    from bmzcard.cli import render

    app.command("render")(reports_errors(render.render))

    from bmzcard.cli import diff

    app.command("diff")(reports_errors(diff.diff))

    from bmzcard.cli import export, importing, package

    for name, module in (("export", export), ("import", importing)):
        group = typer.Typer(help=module.__doc__, no_args_is_help=True, rich_markup_mode="markdown",
                            context_settings={"help_option_names": ["-h", "--help"]})
        group.command("hf")(reports_errors(module.hf))
        app.add_typer(group, name=name)
    app.command("package")(reports_errors(package.package))

    from bmzcard.cli import edit

    app.command("edit")(reports_errors(edit.edit))


_register()


def main() -> None:
    app(prog_name="bmzcard")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
