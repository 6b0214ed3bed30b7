"""Benchmark `bmzcard render` against its floor, side by side in one run.

The floor is what any safe renderer must do: markdown-it-py renders the same
card, nh3 cleans it, and the images it embeds are read and base64-encoded.
Measured:

1. the demo card (the bundled example, generated and evaluated here, so its
   cover, sample images and evaluation figures are embedded): `render_html`
   and the whole `render_card` (card and RDF read, completeness scored, page
   rendered) against the floor; target within 3x;
2. all cards in ../shared/bmz/cards rendered by `render_card` in one process:
   cards per second; target at least 50.

Run: `PYTHONPATH=src python bench/bench_render.py [--repeat N]`. Not a test:
timings depend on the machine; the median of interleaved runs is reported.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import tempfile
import time
from pathlib import Path

from common import SHARED, demo_package


def floor(card_text: str, images: list[Path]):
    """markdown-it-py render + nh3 clean of the card, and base64 of its images."""
    import nh3
    from markdown_it import MarkdownIt

    markdown = MarkdownIt("commonmark", {"html": True}).enable("table")

    def run() -> None:
        nh3.clean(markdown.render(card_text))
        for image in images:
            base64.b64encode(image.read_bytes())

    return run


def median_seconds(functions: dict, repeat: int) -> dict[str, float]:
    """Each function timed `repeat` times, interleaved so that machine noise hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for function in functions.values():  # warm-up: imports, caches
        function()
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    from bmzcard.cli.render import render_card
    from bmzcard.outputs.html import render_fragment, render_html
    from bmzcard.sources.rdf import read_raw
    from bmzcard.sources.package import open_package

    with tempfile.TemporaryDirectory(prefix="bmzcard-bench-") as folder:
        package = demo_package(Path(folder))
        card = package / "README.md"
        text = card.read_text(encoding="utf-8")
        rdf = read_raw(open_package(package))
        images = [package / p for p in render_fragment(text, package=package).images]
        kib = sum(p.stat().st_size for p in images) / 1024
        print(f"demo card: {len(text):,} characters, {len(images)} images embedded ({kib:.0f} KiB)")
        times = median_seconds(
            {
                "floor (markdown-it + nh3 + base64)": floor(text, images),
                "render_html": lambda: render_html(text, package=package, metadata=rdf, score=0.5),
                "render_card (read, score, render)": lambda: render_card(card),
            },
            args.repeat,
        )
        base = times["floor (markdown-it + nh3 + base64)"]
        for name, seconds in times.items():
            print(f"  {name:<38} {1000 * seconds:8.2f} ms   {seconds / base:5.2f}x floor")

    cards = sorted((SHARED / "bmz" / "cards").glob("*.md"))
    texts = {c: c.read_text(encoding="utf-8") for c in cards}
    rounds = max(1, args.repeat // 10)
    for c in cards:  # warm-up
        render_card(c)
    start = time.perf_counter()
    for _ in range(rounds):
        for c in cards:
            render_card(c)
    rate = rounds * len(cards) / (time.perf_counter() - start)
    floor_runs = [floor(texts[c], []) for c in cards]
    start = time.perf_counter()
    for _ in range(rounds):
        for run in floor_runs:
            run()
    floor_rate = rounds * len(cards) / (time.perf_counter() - start)
    print(f"{len(cards)} shared cards, {rounds} rounds in one process:")
    print(f"  render_card {rate:8.1f} cards/s (target >= 50)   floor {floor_rate:8.1f} cards/s   "
          f"{floor_rate / rate:.2f}x floor time")


if __name__ == "__main__":
    main()
