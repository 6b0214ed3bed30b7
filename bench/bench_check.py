"""Benchmark `bmzcard check`: cards per second over the shared real cards with their RDFs.

Run: `PYTHONPATH=src python bench/bench_check.py [--repeat N]`. Reports the warm
rate (rules and parsing only, after a first pass has imported everything) and
the wall time of one `bmzcard check` CLI run on one card, start-up included.
Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BMZCARD_SHARED", REPO.parent / "shared"))


def card_rdf_pairs(shared: Path) -> list[tuple[Path, Path | None]]:
    """Each real card with the RDF of the same model where the shared RDFs have one.

    Cards and RDFs share the source's id prefix (`dij__usiigaci` and
    `dij__usiigaci__model`); the first RDF in name order is taken.
    """
    cards = shared / "bmz" / "cards"
    rdfs = sorted((shared / "bmz" / "rdfs").glob("*.yaml"))
    pairs = []
    with open(cards / "manifest.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            card = next(cards.glob(f"{row['id']}.*"))
            rdf = next((r for r in rdfs if r.stem.startswith(row["id"] + "__")), None)
            pairs.append((card, rdf))
    return pairs


def warm_rate(pairs, repeat: int) -> tuple[float, float, int]:
    """Cards per second by wall clock and by CPU time (the latter robust to a busy machine)."""
    from bmzcard.lint.engine import check_target
    from bmzcard.lint.inputs import Target
    from bmzcard.lint.registry import selected

    codes = tuple(e.code for e in selected(None, None))
    targets = [Target(str(card), "card", str(rdf) if rdf else None) for card, rdf in pairs]
    for target in targets:  # warm-up: imports, regex compilation, caches
        check_target(target, codes)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        for target in targets:
            check_target(target, codes)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    done = len(targets) * repeat
    return done / elapsed, done / cpu, len(targets)


def cli_time(card: Path, runs: int = 5) -> tuple[float, float]:
    """Best wall time and best CPU time of `python -m bmzcard check CARD`, start-up included."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    best_wall = best_cpu = float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bmzcard", "check", str(card)], env=env, capture_output=True,
                       check=False)  # exit 1 (findings) is expected
        best_wall = min(best_wall, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best_cpu = min(best_cpu, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return best_wall, best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="passes over all cards for the warm rate")
    args = parser.parse_args()
    pairs = card_rdf_pairs(SHARED)
    rate, cpu_rate, count = warm_rate(pairs, args.repeat)
    with_rdf = sum(1 for _, rdf in pairs if rdf is not None)
    print(f"cards: {count} ({with_rdf} with an RDF); load average {os.getloadavg()[0]:.1f}")
    print(f"warm: {rate:.0f} cards/s wall, {cpu_rate:.0f} cards/s of CPU time "
          f"(card and RDF read, parsed and checked; {args.repeat} passes, one process)")
    template = SHARED / "bmz" / "cards" / "bioimageio__model-card-template.md"
    wall, cpu = cli_time(template)
    print(f"CLI, one card (the template), start-up included: {wall:.2f} s wall, {cpu:.2f} s CPU (best of 5)")


if __name__ == "__main__":
    main()
