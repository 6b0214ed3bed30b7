"""Benchmark: `export hf` beside `generate`, and `package` beside bioimageio.spec's packaging alone.

Timed in one run, after imports and one warm-up, as medians of --repeat passes:

- generate: bmzcard's whole card from each RDF of shared/bmz/rdfs, rendered to a string;
- export hf: the Hub card of the same RDFs (the card generated in memory, as
  the RDFs have none beside them, plus the huggingface_hub header), built in memory;
- save_bioimageio_package: bioimageio.spec packs the demo package (the example
  package with its generated card) from its rdf.yaml into a zip;
- package: bmzcard's whole `package` on the same folder (check the card, complete
  and validate the RDF, the same save_bioimageio_package call).

Run: .venv/bin/python bench/bench_export.py [--repeat 3]
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from pathlib import Path

from common import REPO, card_text, real_rdfs, seconds_per_item


def main() -> None:
    args, paths = real_rdfs(__doc__)
    from bioimageio.spec import save_bioimageio_package

    from bmzcard.errors import BmzcardError
    from bmzcard.outputs.card import generate_card
    from bmzcard.publish.huggingface import build_hub_card
    from bmzcard.publish.package import package_model

    def export(path):
        try:
            build_hub_card(path)
        except BmzcardError:
            pass

    with tempfile.TemporaryDirectory() as folder:
        demo = Path(folder) / "demo"
        shutil.copytree(REPO / "src" / "bmzcard" / "example" / "package", demo)
        generate_card(demo)
        zips = Path(folder) / "zips"

        def spec_package(_):
            save_bioimageio_package(demo / "rdf.yaml", output_path=zips / "spec.zip")

        def bmzcard_package(_):
            package_model(demo, zips / "bmzcard.zip", allow_errors=True)

        for function in (card_text, export):
            function(paths[5])
        for function in (spec_package, bmzcard_package):
            function(None)
        times: dict[str, list[float]] = {name: [] for name in ("generate", "export", "spec", "package")}
        for _ in range(args.repeat):
            times["generate"].append(seconds_per_item(card_text, paths))
            times["export"].append(seconds_per_item(export, paths))
            times["spec"].append(seconds_per_item(spec_package, range(5)))
            times["package"].append(seconds_per_item(bmzcard_package, range(5)))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"RDFs: {len(paths)}, passes: {args.repeat} (median); demo package: 5 runs per pass")
    print(f"{'bmzcard generate (whole card)':<40} {median['generate'] * 1000:8.1f} ms/RDF")
    print(f"{'bmzcard export hf (in memory)':<40} {median['export'] * 1000:8.1f} ms/RDF")
    print(f"{'ratio export hf / generate':<40} {median['export'] / median['generate']:8.2f}x   (target <= 2x)")
    print(f"{'bioimageio.spec save_bioimageio_package':<40} {median['spec'] * 1000:8.1f} ms")
    print(f"{'bmzcard package':<40} {median['package'] * 1000:8.1f} ms")
    print(f"{'ratio package / save_bioimageio_package':<40} {median['package'] / median['spec']:8.2f}x   (target <= 1.5x)")


if __name__ == "__main__":
    main()
