"""Card facts (Speeds, Sizes, Times and Hardware Requirements) from a measurement.

They are built from the measurement's JSON (what ``bmzcard measure --json``
writes), so a card can be written from a live run or from a saved file alike.
"""

from __future__ import annotations

from bmzcard.facts import Fact, Provenance, md_text
from bmzcard.sources.rdf_facts.tables import weight_format_label
from bmzcard.units import format_bytes


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _shape(shapes: dict[str, list[int]]) -> str:
    return ", ".join("×".join(str(n) for n in shape) for shape in shapes.values())


def _format_name(weight_format: str) -> str:
    # a record's format may be any string: the label is text, not Markdown
    return md_text(weight_format_label(weight_format))


def _size_facts(weights: list[dict], where: str) -> list[Fact]:
    files = ", ".join(f"{_format_name(w['weight_format'])} {format_bytes(w['file_bytes'])}" for w in weights)
    counts = {w["parameters"] for w in weights if w["parameters"] is not None}
    counted = [w for w in weights if w["parameters"] is not None]
    facts = []
    if counts:
        if len(counts) == 1:
            size = f"{counts.pop():,} parameters"
        else:
            size = "; ".join(f"{w['parameters']:,} parameters ({_format_name(w['weight_format'])})" for w in counted)
        buffers = max((w["buffers"] or 0) for w in counted)
        if buffers:
            size += f" (plus {buffers:,} non-trainable buffer values)"
        facts.append(
            Fact(
                "speeds_sizes_times.model_size",
                f"{size}; weight files: {files}",
                tuple(Provenance("measurement", w["file"], f"{where}: {w['counted']}") for w in counted),
            )
        )
    facts.append(
        Fact(
            "hardware_requirements.storage",
            f"Weights: {files}",
            tuple(Provenance("measurement", w["file"], f"{where}: file size") for w in weights),
        )
    )
    return facts


def _timing_facts(timing: dict, where: str) -> list[Fact]:
    source = (Provenance("measurement", where, timing["runner"]),)
    weights = _format_name(timing["weight_format"])
    # a record may come from anyone (`generate --record`): its strings are text, not Markdown
    versions = md_text(", ".join(f"{name} {version}" for name, version in timing["versions"].items()))
    cpu, gpu, device = md_text(timing["cpu"]), md_text(timing["gpu"] or ""), md_text(timing["device"])
    shape = _shape(timing["input_shapes"])
    on_cpu = timing["device"] == "cpu"
    on = f"{cpu}, {timing['threads']} thread(s)" if on_cpu else (gpu or device)
    inference = (
        f"{_seconds(timing['median_s'])} median per {shape} input "
        f"(p10 {_seconds(timing['p10_s'])}, p90 {_seconds(timing['p90_s'])} over {len(timing['times_s'])} calls "
        f"after {timing['warmup_calls']} warm-up calls; first call {_seconds(timing['cold_s'])}), "
        f"batch size {timing['batch_size']}, {weights} weights, pre- and postprocessing included, "
        f"on {on}; {versions}"
    )
    memory = f"{format_bytes(timing['peak_memory_bytes'])} of RAM above the loaded model during inference on a {shape} input"
    if timing["gpu_peak_bytes"] is not None:
        memory += f"; {format_bytes(timing['gpu_peak_bytes'])} GPU memory (peak allocated by torch)"
    elif on_cpu:
        memory += " (run on CPU; no GPU needed)"
    hardware = (
        f"Runs on CPU: measured on {cpu} with {timing['threads']} thread(s), "
        f"{_seconds(timing['median_s'])} and {format_bytes(timing['peak_memory_bytes'])} of RAM per {shape} input"
        if on_cpu
        else f"Measured on {gpu or device}: {_seconds(timing['median_s'])} per {shape} input"
    )
    return [
        Fact("speeds_sizes_times.inference_time", inference, source),
        Fact(
            "speeds_sizes_times.memory_requirements",
            memory,
            (Provenance("measurement", where, timing["memory_method"]),),
        ),
        Fact("hardware_requirements.inference", hardware, source),
    ]


def measurement_facts(measurement: dict, *, where: str = "bmzcard measure") -> list[Fact]:
    """Facts for the card from a measurement.

    Parameters
    ----------
    measurement
        What `bmzcard.measure.Measurement.to_json` returns, or the content of a
        ``bmzcard measure --json`` file.
    where
        Provenance location: the command or file the measurement came from.

    Returns
    -------
    list[Fact]
        Model size and storage from the weight files; inference time, memory and
        inference hardware from the first timed weight format, if any.
    """
    facts = _size_facts(measurement["weights"], where)
    if measurement["inference"]:
        facts += _timing_facts(measurement["inference"][0], where)
    return facts

