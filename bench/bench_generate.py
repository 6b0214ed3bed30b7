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

import statistics

from common import card_text, real_rdfs, seconds_per_item


def main() -> None:
    args, paths = real_rdfs(__doc__)
    from bioimageio.spec import load_description

    def spec_load(path):
        load_description(path, perform_io_checks=False)

    for function in (spec_load, card_text):
        function(paths[5])
    spec_times, generate_times = [], []
    for _ in range(args.repeat):
        spec_times.append(seconds_per_item(spec_load, paths))
        generate_times.append(seconds_per_item(card_text, paths))
    spec, card = statistics.median(spec_times), statistics.median(generate_times)
    print(f"RDFs: {len(paths)}, passes: {args.repeat} (median)")
    print(f"{'bioimageio.spec load_description':<36} {spec * 1000:8.1f} ms/RDF")
    print(f"{'bmzcard generate (whole card)':<36} {card * 1000:8.1f} ms/RDF")
    print(f"{'ratio generate / spec load':<36} {card / spec:8.2f}x   (target <= 3x)")


if __name__ == "__main__":
    main()
