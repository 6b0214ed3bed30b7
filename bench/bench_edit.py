"""Benchmark `bmzcard edit`: one live update against `check` plus `render` run separately, and start-up.

Run: `PYTHONPATH=src python bench/bench_edit.py [--repeat N]`. On the demo card
(the bundled example after `generate` and `evaluate`, as `make demo` writes it):

- live update: the server's work for one keystroke burst (`EditorSession.update`:
  apply the edit, parse, run every check rule, render the preview, keep the draft),
  and the same through the app in process (HTTP handling and templates included);
- reference: `check` (`lint.engine.check_target`) plus `render` (`cli.render.render_card`)
  of the same card, each run separately as the commands do;
- start-up: `bmzcard edit --no-browser` spawned until its first page is served.

Medians of N runs (wall clock; CPU time beside it, robust to a busy machine).
Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import demo_package


def timed(function, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `repeat` calls (after one warm-up call)."""
    function(0)
    walls, cpus = [], []
    for index in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        function(index + 1)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def startup(package: Path, runs: int) -> float:
    """Median seconds from spawning `bmzcard edit` to its first page served."""
    import httpx

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "bmzcard", "edit", str(package), "--no-browser"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            url = process.stdout.readline().strip()
            response = httpx.get(url, follow_redirects=True, timeout=30)
            assert response.status_code == 200
            times.append(time.perf_counter() - start)
        finally:
            process.terminate()
            process.wait()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per measurement")
    parser.add_argument("--startups", type=int, default=3, help="editor start-ups to time")
    args = parser.parse_args()

    from starlette.testclient import TestClient

    from bmzcard.cli.render import render_card
    from bmzcard.edit import open_session
    from bmzcard.edit.app import create_app
    from bmzcard.lint.engine import check_target
    from bmzcard.lint.inputs import Target
    from bmzcard.lint.registry import selected

    with tempfile.TemporaryDirectory() as folder:
        package = demo_package(Path(folder))
        card = package / "README.md"
        size = len(card.read_bytes())
        session = open_session(package)
        tab = session.new_tab()
        control = "f:model_description.funded_by"

        live_wall, live_cpu = timed(lambda i: session.update(tab, control, f"Grant {i}"), args.repeat)

        client = TestClient(create_app(session, token="t", port=1), base_url="http://127.0.0.1:1")
        page = client.get("/?token=t")
        http_tab = page.text.split('"tab": "')[1].split('"')[0]
        headers = {"X-CSRF-Token": session.csrf}
        http_wall, http_cpu = timed(lambda i: client.post(
            "/update", data={"tab": http_tab, "control": control, "value": f"Grant {i}"}, headers=headers),
            args.repeat)

        codes = tuple(e.code for e in selected(None, None))
        check_wall, check_cpu = timed(lambda i: check_target(Target(str(package), "package"), codes), args.repeat)
        render_wall, render_cpu = timed(lambda i: render_card(package), args.repeat)
        reference_wall, reference_cpu = check_wall + render_wall, check_cpu + render_cpu
        start = startup(package, args.startups)

    print(f"demo card: {size:,} bytes; medians of {args.repeat} runs (wall / CPU)")
    print(f"{'live update (server work)':38s} {live_wall * 1e3:7.1f} ms / {live_cpu * 1e3:7.1f} ms")
    print(f"{'live update (in-process HTTP)':38s} {http_wall * 1e3:7.1f} ms / {http_cpu * 1e3:7.1f} ms")
    print(f"{'check':38s} {check_wall * 1e3:7.1f} ms / {check_cpu * 1e3:7.1f} ms")
    print(f"{'render':38s} {render_wall * 1e3:7.1f} ms / {render_cpu * 1e3:7.1f} ms")
    print(f"{'check + render, run separately':38s} {reference_wall * 1e3:7.1f} ms / {reference_cpu * 1e3:7.1f} ms")
    print(f"ratio live / (check + render): {live_wall / reference_wall:.2f}x wall, {live_cpu / reference_cpu:.2f}x CPU"
          f" (target <= 2x; live target <= 150 ms)")
    print(f"start-up to first page served: {start:.2f} s (median of {args.startups}; target < 2 s)")


if __name__ == "__main__":
    main()
