"""Measure a model package: parameter counts, file sizes, inference time and memory.

Parameter counts are read from the weight files without running package code
(`params`); timings run the model in a fresh process with a fixed thread count
(`timing`). `measure_package` does both; `measurement_facts` makes card facts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from bmzcard.sources.rdf_facts.tables import MEASURED_FORMATS, WEIGHT_FORMATS
from bmzcard.sources.records.measurement import measurement_facts
from bmzcard.sources.weights import ParameterCount, count_parameters
from bmzcard.measure.timing import Timing, time_inference

__all__ = [
    "Measurement",
    "ParameterCount",
    "Timing",
    "count_parameters",
    "measure_package",
    "measurement_facts",
    "time_inference",
]


@dataclass
class Measurement:
    """Everything `bmzcard measure` found for one package."""

    package: str
    model_name: str
    weights: list[ParameterCount]
    inference: list[Timing] = field(default_factory=list)
    measured_at: str = ""
    card: Path | None = None  # the card the output stage filled with it, if any

    def to_json(self) -> dict:
        return {
            "package": self.package,
            "model_name": self.model_name,
            "measured_at": self.measured_at,
            "weights": [w.to_json() for w in self.weights],
            "inference": [t.to_json() for t in self.inference],
        }


def _timing_format(available: list[str], wanted: str | None) -> str:
    from bmzcard.errors import BmzcardError

    if wanted is not None:
        if wanted not in available:
            raise BmzcardError(
                f"no {wanted} weights in this package (it has: {', '.join(available) or 'none local'})",
                field="--weights",
            )
        return wanted
    for weight_format in MEASURED_FORMATS:
        if weight_format in available:
            return weight_format
    raise BmzcardError(
        f"no weights bmzcard can run (it has: {', '.join(available) or 'none local'})", field="--weights"
    )


def _check_runtime(weight_format: str) -> None:
    import importlib.util

    from bmzcard.errors import BmzcardError

    if weight_format not in MEASURED_FORMATS:
        raise BmzcardError(f"bmzcard cannot time {weight_format} weights", field="--weights")
    if WEIGHT_FORMATS[weight_format].framework == "pytorch" and importlib.util.find_spec("torch") is None:
        raise BmzcardError(
            f"timing {weight_format} weights needs torch: pip install 'bmzcard[torch]' "
            "(or time other weights with --weights onnx, or skip timing with --no-timing)",
            field="--weights",
        )


def _check_consent(descr, weight_format: str, allow_code: bool, package) -> None:
    from bmzcard.errors import BmzcardError
    from bmzcard.sources.rdf import CODE_CONSENT, package_code

    code = package_code(descr, weight_format)
    if code is not None and not allow_code:
        raise BmzcardError(f"timing these weights imports the package's Python file {code}; {CODE_CONSENT} "
                           "(or time other weights with --weights, or skip timing with --no-timing)",
                           path=package.display(), field=f"weights.{weight_format}.architecture")


def _check_local_test_inputs(descr, package) -> None:
    """The test inputs timed by default must be package files: a URL would be downloaded."""
    from bmzcard.errors import BmzcardError

    sources = [getattr(getattr(t, "test_tensor", None), "source", None) for t in descr.inputs]
    sources += list(getattr(descr, "test_inputs", None) or [])  # format 0.4
    remote = [str(s) for s in sources if str(s).startswith(("http://", "https://"))]
    if remote:
        raise BmzcardError(f"the test input is a web address ({remote[0]}) and bmzcard uses no network; "
                           "time random input with --shape, or download the package first",
                           path=package.display(), field="inputs")


def measure_package(
    package: Path,
    *,
    weight_format: str | None = None,
    shapes: dict[str, list[int]] | None = None,
    threads: int = 1,
    repeats: int = 20,
    timing: bool = True,
    allow_code: bool = False,
) -> Measurement:
    """Count parameters of every weight format and time one of them.

    Parameters
    ----------
    package
        A package folder or its description file.
    weight_format
        The weights to time (default: ONNX, else TorchScript, else state dict);
        parameters are counted for all formats.
    shapes
        Input name -> shape of random input data; default the test input.
    threads
        Threads for the model's runtime.
    repeats
        Timed calls.
    timing
        False to only count parameters and sizes.
    allow_code
        Allow timing weights whose architecture is a Python file of the package
        (the user's consent, given on the command line); refused otherwise.

    Returns
    -------
    Measurement
    """
    from bmzcard.measure.package import load_model, weight_files
    from bmzcard.sources.package import open_package, unpacked

    with unpacked(open_package(package)) as folder:
        rdf = folder.rdf_path
        descr = load_model(rdf)
        files = weight_files(descr)
        measurement = Measurement(
            package=str(package),
            model_name=str(descr.name),
            weights=[count_parameters(fmt, path) for fmt, path in files.items()],
            measured_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        )
        if timing:
            chosen = _timing_format(list(files), weight_format)
            _check_runtime(chosen)
            _check_consent(descr, chosen, allow_code, folder)
            if not shapes:
                _check_local_test_inputs(descr, folder)
            measurement.inference.append(
                time_inference(rdf, chosen, threads=threads, repeats=repeats, shapes=shapes)
            )
    return measurement
