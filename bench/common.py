"""What several benchmarks share: the repository and the shared material, quiet library logs,
per-item timing, the demo package and `generate`'s card of one RDF.

The benchmarks run as scripts (`python bench/bench_x.py`), so this folder is
first on `sys.path` and `from common import ...` finds this module.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BMZCARD_SHARED", REPO.parent / "shared"))


def real_rdfs(doc: str) -> tuple[argparse.Namespace, list[Path]]:
    """The options of a benchmark over shared/bmz/rdfs (--repeat, --shared) and those RDFs; library logs off."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shared", type=Path, default=SHARED)
    args = parser.parse_args()
    quiet_libraries()
    return args, sorted((args.shared / "bmz" / "rdfs").glob("*.yaml"))


def quiet_libraries() -> None:
    """bioimageio.spec's and pydantic's logs and warnings off: they would be timed and flood the output."""
    from loguru import logger

    logger.disable("bioimageio")
    logger.disable("pydantic")
    warnings.simplefilter("ignore")


def seconds_per_item(function, items) -> float:
    """Mean seconds of `function(item)` over `items`, timed as one run."""
    started = time.perf_counter()
    for item in items:
        function(item)
    return (time.perf_counter() - started) / len(items)


def card_text(rdf: Path) -> str | None:
    """`generate`'s whole card of an RDF, rendered to a string; None for an invalid RDF (its error is the result)."""
    from bmzcard.errors import BmzcardError
    from bmzcard.outputs.card import generate_card

    try:
        return generate_card(rdf, to_stdout=True).text
    except BmzcardError:
        return None


def demo_package(folder: Path) -> Path:
    """The demo card's package: the bundled example generated and evaluated, as `bmzcard demo` does (untimed)."""
    from bmzcard.demo import evaluate_example
    from bmzcard.example import package_path
    from bmzcard.outputs.card import generate_card

    target = folder / "package"
    shutil.copytree(package_path(), target)
    generate_card(target, force=True)
    evaluate_example(target)
    return target
