"""Inference time and memory, measured in a fresh child process (see `_child`)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from bmzcard.errors import BmzcardError

# Environment variables that fix the thread pools of numpy/BLAS/torch; set
# before the child imports anything. onnxruntime is pinned in the child.
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS")
_CHILD_TIMEOUT_S = 1800
_PIPELINE = "bioimageio.core prediction pipeline (pre- and postprocessing included)"


@dataclass(frozen=True)
class Timing:
    """What one measuring run found."""

    weight_format: str
    runner: str  # what ran the model, in words
    threads: int
    batch_size: int | None
    input_shapes: dict[str, list[int]]
    input_axes: dict[str, list[str]]
    output_shapes: dict[str, list[int]]
    input_source: str  # "test input" or "random data of the given shape"
    load_s: float
    cold_s: float
    warmup_calls: int
    times_s: list[float]
    median_s: float
    p10_s: float
    p90_s: float
    peak_memory_bytes: int  # resident memory above the loaded model, during inference
    memory_method: str
    gpu_peak_bytes: int | None
    cpu: str
    gpu: str | None
    device: str  # where the model ran: "cpu" or the GPU / execution provider
    platform: str
    versions: dict[str, str]

    def to_json(self) -> dict:
        return asdict(self)


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux) and its logical core count."""
    name = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{name or platform.processor() or platform.machine()} ({os.cpu_count()} logical cores)"


def gpu_name() -> str | None:
    """Name of the first NVIDIA GPU, from nvidia-smi if present (no CUDA library needed)."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        done = subprocess.run(
            [smi, "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=20, check=True,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    names = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    return names[0] if names else None


def _batch_size(axes: dict[str, list[str]], shapes: dict[str, list[int]]) -> int | None:
    for name, names in axes.items():
        if "batch" in names:
            return shapes[name][names.index("batch")]
        if "b" in names:  # format 0.4 axis letters
            return shapes[name][names.index("b")]
    return None


def child_command(request: Path, result: Path) -> list[str]:
    """The measuring process's command line, isolated from the package it measures.

    `python -I` puts neither the working folder nor a script's folder on
    `sys.path` and ignores `PYTHON*` variables, so a package's own `json.py`
    cannot shadow a module; the only path added is the folder bmzcard itself
    is imported from (it is run from a neutral temporary folder, too).
    """
    bmzcard_root = str(Path(__file__).resolve().parents[2])  # the folder holding bmzcard/
    start = (f"import sys; root = {bmzcard_root!r}; root in sys.path or sys.path.insert(0, root); "
             "from bmzcard.measure._child import main; sys.exit(main(sys.argv[1:]))")
    return [sys.executable, "-I", "-c", start, str(request), str(result)]


def time_inference(
    rdf: Path,
    weight_format: str,
    *,
    threads: int,
    repeats: int = 20,
    warmup: int = 3,
    shapes: dict[str, list[int]] | None = None,
) -> Timing:
    """Time the model's prediction in a fresh process.

    Parameters
    ----------
    rdf
        The package's description file.
    weight_format
        Which weights to run.
    threads
        Threads for the model's runtime (and BLAS); fixed for reproducibility.
    repeats
        Timed calls after the cold call and the warm-up.
    warmup
        Untimed calls between the cold call and the timed ones.
    shapes
        Input name -> shape of random input data, instead of the test input.

    Returns
    -------
    Timing

    Raises
    ------
    BmzcardError
        If the model cannot be loaded or run with these weights or shapes.
    """
    env = dict(os.environ)
    env.update({name: str(threads) for name in _THREAD_VARIABLES})
    request = {
        "package": str(Path(rdf).resolve()),
        "weight_format": weight_format,
        "threads": threads,
        "repeats": repeats,
        "warmup": warmup,
        "shapes": shapes,
    }
    with tempfile.TemporaryDirectory(prefix="bmzcard-measure-") as tmp:
        request_path, result_path = Path(tmp, "request.json"), Path(tmp, "result.json")
        request_path.write_text(json.dumps(request))
        done = subprocess.run(
            child_command(request_path, result_path),
            env=env, cwd=tmp, capture_output=True, text=True, timeout=_CHILD_TIMEOUT_S,
        )  # fmt: skip
        if not result_path.is_file():
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise BmzcardError(f"measuring process failed ({done.returncode}): {tail[0]}", path=rdf)
        result = json.loads(result_path.read_text())
    if not result["ok"]:
        one_line = " ".join(result["error"].split())
        raise BmzcardError(f"cannot run the {weight_format} weights: {one_line}", path=rdf)

    times = sorted(result["times_s"])
    providers = result["onnxruntime_providers"]
    gpu = gpu_name()
    if weight_format == "onnx":
        runner = f"{_PIPELINE}, onnxruntime {providers[0] if providers else ''}".strip()
        device = "cpu" if not providers or providers[0] == "CPUExecutionProvider" else providers[0]
    else:
        runner = f"{_PIPELINE}, torch"
        device = "cuda" if result["gpu_peak_bytes"] is not None else "cpu"
    return Timing(
        weight_format=weight_format,
        runner=runner,
        threads=threads,
        batch_size=_batch_size(result["input_axes"], result["input_shapes"]),
        input_shapes=result["input_shapes"],
        input_axes=result["input_axes"],
        output_shapes=result["output_shapes"],
        input_source="random data of the given shape" if shapes else "test input",
        load_s=result["load_s"],
        cold_s=result["cold_s"],
        warmup_calls=warmup,
        times_s=result["times_s"],
        median_s=statistics.median(times),
        p10_s=float(np.percentile(times, 10)),
        p90_s=float(np.percentile(times, 90)),
        peak_memory_bytes=max(0, result["rss_peak_bytes"] - result["rss_baseline_bytes"]),
        memory_method=result["memory_method"],
        gpu_peak_bytes=result["gpu_peak_bytes"],
        cpu=cpu_model(),
        gpu=gpu,
        device=device,
        platform=platform.platform(),
        versions=result["versions"],
    )
