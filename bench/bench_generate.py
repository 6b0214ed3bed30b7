"""Benchmark: `generate` over all real RDFs, beside bioimageio.spec loading the same RDFs.

Both are timed in one run, after imports and one warm-up, as medians of
--repeat passes over all RDFs in shared/bmz/rdfs:

- spec load: `bioimageio.spec.load_description(path, perform_io_checks=False)`,
  the reference cost of reading an RDF;
- generate: bmzcard's whole card (safe YAML, spec validation and upgrade,
  facts, filling the template) rendered to a string, nothing written.

Run: .venv/bin/python bench/bench_generate.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _time_all(function, paths) -> float:
    started = time.perf_counter()
    for path in paths:
        function(path)
    return (time.perf_counter() - started) / len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("BMZCARD_SHARED", REPO.parent / "shared")))
    args = parser.parse_args()

    from bioimageio.spec import load_description
    from loguru import logger

    from bmzcard.errors import BmzcardError
    from bmzcard.outputs.card import generate_card

    logger.disable("bioimageio")
    logger.disable("pydantic")
    warnings.simplefilter("ignore")
    paths = sorted((args.shared / "bmz" / "rdfs").glob("*.yaml"))

    def spec_load(path):
        load_description(path, perform_io_checks=False)

    def generate(path):
        try:
            generate_card(path, to_stdout=True)
        except BmzcardError:
            pass  # invalid RDFs: the error is the result

    for function in (spec_load, generate):
        function(paths[5])
    spec_times, generate_times = [], []
    for _ in range(args.repeat):
        spec_times.append(_time_all(spec_load, paths))
        generate_times.append(_time_all(generate, paths))
    spec, card = statistics.median(spec_times), statistics.median(generate_times)
    print(f"RDFs: {len(paths)}, passes: {args.repeat} (median)")
    print(f"{'bioimageio.spec load_description':<36} {spec * 1000:8.1f} ms/RDF")
    print(f"{'bmzcard generate (whole card)':<36} {card * 1000:8.1f} ms/RDF")
    print(f"{'ratio generate / spec load':<36} {card / spec:8.2f}x   (target <= 3x)")


if __name__ == "__main__":
    main()
