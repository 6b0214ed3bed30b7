"""The measuring process, started by `timing.child_command` with ``REQUEST.json RESULT.json``.

Started fresh by `bmzcard.measure.timing` so that nothing loaded before (other
models, caches, thread pools) changes the figures, and with the thread count
fixed through the environment before any numeric library is imported. It runs
the model as users run it: a bioimageio.core prediction pipeline, pre- and
postprocessing included. The first call is timed alone (cold), then warm-up
calls, then the timed calls; nothing else runs meanwhile (no sampling thread).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

# Linux lets a process reset its peak RSS (VmHWM) by writing "5" to clear_refs.
_CLEAR_REFS = Path("/proc/self/clear_refs")
_STATUS = Path("/proc/self/status")


def _rss_bytes(field: str) -> int | None:
    """A ``Vm*`` line of /proc/self/status in bytes (None off Linux)."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def _pin_onnxruntime(threads: int, providers_used: list[str]) -> None:
    """Make sessions created by bioimageio.core use `threads` intra-op threads.

    bioimageio.core creates its `InferenceSession` without session options, so
    onnxruntime would pick a thread count by itself; this wraps the class in
    this process only, and records which execution providers the session uses.
    """
    import onnxruntime

    original = onnxruntime.InferenceSession

    def pinned_session(*args: Any, **kwargs: Any):
        options = kwargs.get("sess_options") or onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        kwargs["sess_options"] = options
        session = original(*args, **kwargs)
        providers_used.extend(session.get_providers())
        return session

    onnxruntime.InferenceSession = pinned_session


def _input_sample(descr: Any, shapes: dict[str, list[int]] | None):
    """The package's test input, or random data of the user's shapes."""
    import numpy as np
    from bioimageio.core.digest_spec import create_sample_for_model, get_test_input_sample

    if not shapes:
        return get_test_input_sample(descr)
    rng = np.random.default_rng(0)
    arrays = {name: rng.standard_normal(shape).astype("float32") for name, shape in shapes.items()}
    return create_sample_for_model(descr, inputs=arrays, extra_dims="raise")


def _versions(weight_format: str) -> dict[str, str]:
    from importlib import metadata

    names = ["bioimageio.core", "bioimageio.spec", "numpy"]
    names.append("onnxruntime" if weight_format == "onnx" else "torch")
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def measure(request: dict) -> dict:
    """Load the model, time its calls and measure its memory, as `request` says."""
    from bioimageio.core import Sample, create_prediction_pipeline

    from bmzcard.measure.package import load_model
    from bmzcard.sources.rdf_facts.tables import WEIGHT_FORMATS

    threads = request["threads"]
    weight_format = request["weight_format"]
    runs_on_torch = getattr(WEIGHT_FORMATS.get(weight_format), "framework", None) == "pytorch"
    providers_used: list[str] = []
    if weight_format == "onnx":
        _pin_onnxruntime(threads, providers_used)
    elif runs_on_torch:
        import torch

        torch.set_num_threads(threads)

    descr = load_model(Path(request["package"]))
    start = time.perf_counter()
    pipeline = create_prediction_pipeline(descr, weights_format=weight_format)
    load_s = time.perf_counter() - start
    base = _input_sample(descr, request.get("shapes"))

    def predict(sample: Sample) -> Sample:
        # Inputs are used as given, as `bioimageio test` does: padding by the
        # output halo would change the shape a fixed-shape model accepts.
        return pipeline.predict_sample_without_blocking(
            sample, skip_input_padding=True, skip_output_cropping=True
        )

    def fresh() -> Sample:
        # New stat dict each call: cached sample statistics would skip work.
        return Sample(members=dict(base.members), stat={}, id=base.id)

    baseline = _rss_bytes("VmRSS")
    peak_reset = _reset_peak_rss()

    sample = fresh()
    start = time.perf_counter()
    output = predict(sample)
    cold_s = time.perf_counter() - start
    for _ in range(request["warmup"]):
        predict(fresh())
    times = []
    for _ in range(request["repeats"]):
        sample = fresh()
        start = time.perf_counter()
        predict(sample)
        times.append(time.perf_counter() - start)

    if peak_reset and baseline is not None:
        peak = _rss_bytes("VmHWM")
        memory_method = "peak RSS (VmHWM, reset after loading) minus RSS after loading"
    else:
        # ru_maxrss (kB on Linux) includes loading, so this is an upper bound.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        baseline = baseline or 0
        memory_method = "peak RSS of the whole process (includes loading) minus RSS after loading"

    gpu_peak = None
    if runs_on_torch:
        import torch

        if torch.cuda.is_available():
            gpu_peak = torch.cuda.max_memory_allocated()

    return {
        "load_s": load_s,
        "cold_s": cold_s,
        "times_s": times,
        "input_shapes": {str(k): list(v.tagged_shape.values()) for k, v in base.members.items()},
        "input_axes": {str(k): [str(a) for a in v.tagged_shape] for k, v in base.members.items()},
        "output_shapes": {str(k): list(v.tagged_shape.values()) for k, v in output.members.items()},
        "rss_baseline_bytes": baseline,
        "rss_peak_bytes": peak,
        "memory_method": memory_method,
        "gpu_peak_bytes": gpu_peak,
        "onnxruntime_providers": providers_used,
        "versions": _versions(weight_format),
    }


def main(argv: list[str]) -> int:
    request_path, result_path = map(Path, argv)
    request = json.loads(request_path.read_text())
    try:
        result = {"ok": True, **measure(request)}
    except Exception as error:  # reported to the parent as one line, not a traceback
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    result_path.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
