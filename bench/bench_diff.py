"""Benchmark `bmzcard diff` against what dominates it: bioimageio.spec loading both RDFs plus `check` on both cards.

Run: `PYTHONPATH=src python bench/bench_diff.py [--models N]`. Builds, for N
shared model RDFs the spec accepts, a package (the RDF and the card
`bmzcard generate` writes for it) and four changed copies, one change each
(re-serialized YAML, a new version, a renamed first input, a removed weight
format or else a new description). Then, side by side on the same pairs:

- reference: `bioimageio.spec.build_description` of both RDFs (io checks off,
  upgraded to the latest format, as a comparison on 0.5 terms needs) plus
  `bmzcard check` of both cards;
- bmzcard: `bmzcard.diff(old, new)` (reading, comparing, linting both cards).

Reports seconds per pair and the ratio (the issue asks for at most 2x). Not
a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BMZCARD_SHARED", REPO.parent / "shared"))


def _write(folder: Path, data: dict, flow: bool = False) -> None:
    yaml = YAML(typ="safe")
    yaml.default_flow_style = flow
    folder.mkdir(parents=True)
    with open(folder / "rdf.yaml", "w", encoding="utf-8") as stream:
        yaml.dump(data, stream)


def _variants(data: dict) -> dict[str, dict]:
    """One change of each kind; the RDF stays valid where the change allows."""
    versioned = copy.deepcopy(data)
    versioned["version"] = "99.0.0"
    renamed = copy.deepcopy(data)
    first = (renamed.get("inputs") or [{}])[0]
    first["id" if "id" in first else "name"] = "renamed_input"
    third = copy.deepcopy(data)
    weights = third.get("weights") or {}
    if len(weights) > 1:
        weights.pop(sorted(weights)[0])
    else:
        third["description"] = "A new description."
    return {"reformatted": data, "version": versioned, "renamed": renamed, "weights": third}


def build_pairs(root: Path, models: int) -> list[tuple[Path, Path]]:
    from bmzcard.errors import BmzcardError
    from bmzcard.outputs.card import generate_card

    reader = YAML(typ="safe")
    pairs = []
    for path in sorted((SHARED / "bmz" / "rdfs").glob("*.yaml")):
        if len(pairs) >= models * 4:
            break
        data = reader.load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("type") != "model":
            continue
        old = root / path.stem / "old"
        _write(old, data)
        try:
            generate_card(old)
        except BmzcardError:
            shutil.rmtree(old.parent)
            continue
        for name, variant in _variants(data).items():
            new = root / path.stem / name
            _write(new, variant, flow=name == "reformatted")
            shutil.copy(old / "README.md", new / "README.md")
            pairs.append((old, new))
    return pairs


def reference(pairs: list[tuple[Path, Path]]) -> float:
    from bioimageio.spec import ValidationContext, build_description

    from bmzcard.lint.engine import check_target
    from bmzcard.lint.inputs import Target
    from bmzcard.lint.registry import selected

    codes = tuple(e.code for e in selected(None, None))
    reader = YAML(typ="safe")
    start = time.perf_counter()
    for pair in pairs:
        for folder in pair:
            raw = reader.load((folder / "rdf.yaml").read_text(encoding="utf-8"))
            context = ValidationContext(root=folder, file_name="rdf.yaml", perform_io_checks=False, log_warnings=False)
            build_description(raw, context=context, format_version="latest")
            check_target(Target(str(folder), "package"), codes)
    return time.perf_counter() - start


def ours(pairs: list[tuple[Path, Path]]) -> float:
    import bmzcard

    start = time.perf_counter()
    for old, new in pairs:
        bmzcard.diff(old, new)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=12, help="shared model RDFs to build pairs from")
    parser.add_argument("--repeat", type=int, default=2, help="timed rounds (the best is reported)")
    args = parser.parse_args()
    import warnings

    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory(prefix="bmzcard-bench-diff-") as folder:
        pairs = build_pairs(Path(folder), args.models)
        reference(pairs[:2]), ours(pairs[:2])  # warm-up: imports and caches
        ref = min(reference(pairs) for _ in range(args.repeat))
        own = min(ours(pairs) for _ in range(args.repeat))
    n = len(pairs)
    print(f"{n} pairs from {n // 4} shared model RDFs (4 one-change variants each)")
    print(f"reference (bioimageio.spec loads both + check both cards): {ref:.2f} s, {ref / n * 1000:.1f} ms/pair")
    print(f"bmzcard diff:                                             {own:.2f} s, {own / n * 1000:.1f} ms/pair")
    print(f"ratio diff/reference: {own / ref:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()
