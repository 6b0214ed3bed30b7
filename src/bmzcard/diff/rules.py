"""The named rules that classify a change between two model versions.

A model's tensors are its wire format: a consumer written for OLD (a
bioimage.io app, a notebook, a workflow) breaks, or silently gets other
results, when NEW changes what it must send or what it receives. Each change
is classified by exactly one rule here, with a stable id, the section of the
report it belongs to, whether it breaks consumers, and a one-line
description (`bmzcard diff --rules` prints this table; docs/diff.md
documents it). Ids are never reused for another meaning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bmzcard.diff.tree import Difference, Keyed, Part, get, plain


@dataclass(frozen=True)
class DiffRule:
    id: str
    section: str  # identity, interface, weights, test_tensors, measurements, metadata, card
    breaking: bool
    description: str


RULES: tuple[DiffRule, ...] = (
    # interface: what a consumer sends and receives
    DiffRule("TENSOR_REMOVED", "interface", True, "An input or output tensor was removed."),
    DiffRule("TENSOR_RENAMED", "interface", True, "An input or output tensor has a new id."),
    DiffRule("INPUT_ADDED", "interface", True, "A new required input: calls made for OLD lack it."),
    DiffRule("INPUT_REQUIRED", "interface", True, "An optional input became required."),
    DiffRule("TENSOR_ADDED", "interface", False, "A new output, or a new optional input."),
    DiffRule("TENSOR_ORDER_CHANGED", "interface", True, "Inputs or outputs are in another order (positional consumers swap them)."),
    DiffRule("AXIS_REMOVED", "interface", True, "A tensor lost an axis."),
    DiffRule("AXIS_ADDED", "interface", True, "A tensor gained an axis."),
    DiffRule("AXIS_RENAMED", "interface", True, "An axis has a new id."),
    DiffRule("AXIS_ORDER_CHANGED", "interface", True, "A tensor's axes are in another order."),
    DiffRule("AXIS_TYPE_CHANGED", "interface", True, "An axis has another type (space, time, channel, batch, index)."),
    DiffRule("AXIS_SIZE_CHANGED", "interface", True, "An input accepts fewer sizes (minimum, step, fixed size, channels), or an output's size changed."),
    DiffRule("AXIS_SIZE_RELAXED", "interface", False, "An input accepts every size it accepted before, and more."),
    DiffRule("HALO_INCREASED", "interface", True, "An output's halo grew: tiles cut with the old halo show seams."),
    DiffRule("DTYPE_CHANGED", "interface", True, "A tensor's data type changed."),
    DiffRule("DATA_RANGE_CHANGED", "interface", True, "A tensor's data range, scale or offset changed."),
    DiffRule("PREPROCESSING_CHANGED", "interface", True, "An input's preprocessing steps or their arguments changed."),
    DiffRule("POSTPROCESSING_CHANGED", "interface", True, "An output's postprocessing steps or their arguments changed."),
    DiffRule("AXIS_METADATA_CHANGED", "interface", False, "An axis's scale, unit, description, channel names or a smaller halo."),
    DiffRule("TENSOR_METADATA_CHANGED", "interface", False, "A tensor's description, data unit or sample image."),
    # weights
    DiffRule("WEIGHT_FORMAT_REMOVED", "weights", True, "A weight format was removed: consumers that ran it cannot."),
    DiffRule("WEIGHT_FORMAT_ADDED", "weights", False, "A weight format was added."),
    DiffRule("WEIGHTS_CHANGED", "weights", False, "A weight file changed (new hash or file), e.g. a re-trained model."),
    DiffRule("FRAMEWORK_VERSION_CHANGED", "weights", False, "A weight format's framework or opset version changed."),
    DiffRule("WEIGHTS_METADATA_CHANGED", "weights", False, "A weight entry's parent, authors, comment or dependencies changed."),
    DiffRule("TEST_TENSOR_CHANGED", "test_tensors", False, "A test input or output changed (hash; with --numeric the largest difference)."),
    # identity
    DiffRule("ID_CHANGED", "identity", False, "The model's id changed."),
    DiffRule("NAME_CHANGED", "identity", False, "The model's name changed."),
    DiffRule("VERSION_CHANGED", "identity", False, "The model's version changed."),
    DiffRule("FORMAT_VERSION_CHANGED", "identity", False, "The RDF's format version as written changed."),
    DiffRule("LICENSE_CHANGED", "identity", False, "The license changed."),
    DiffRule("PEOPLE_CHANGED", "identity", False, "Authors or maintainers changed (added, removed, reordered or edited)."),
    DiffRule("CITATION_CHANGED", "identity", False, "Citations changed."),
    # everything else
    DiffRule("MEASUREMENT_CHANGED", "measurements", False, "Parameters, file size, inference time, memory or environmental impact changed."),
    DiffRule("METADATA_CHANGED", "metadata", False, "Any other RDF field changed (description, tags, documentation, config...)."),
    DiffRule("CARD_SECTION_CHANGED", "card", False, "A card section's prose changed, after Markdown normalization."),
    DiffRule("MODEL_REPLACED", "identity", True, "OLD and NEW are different models (names and authors differ): everything changed."),
)

#: Findings about the change as a whole, not about one field.
WARNINGS: tuple[DiffRule, ...] = (
    DiffRule("VERSION_NOT_BUMPED", "identity", False, "The model changed but its version did not."),
    DiffRule("VERSION_DECREASED", "identity", False, "NEW's version is lower than OLD's."),
    DiffRule("CHANGELOG_MISSING", "identity", False, "Neither version_comment, a changelog nor the card mentions NEW's version."),
    DiffRule("METRICS_NOT_COMPARABLE", "evaluation", False, "An evaluation's dataset or manifest hash differs: its numbers are not comparable."),
    DiffRule("RDF_READ_AS_WRITTEN", "metadata", False, "bioimageio.spec rejects a side: both RDFs were compared as written."),
)

BY_ID = {rule.id: rule for rule in RULES + WARNINGS}

MEASUREMENT_KEYS = {
    "model_parameter_count",
    "inference_time",
    "memory_requirements_inference",
    "memory_requirements_training",
    "environmental_impact",
    "training_duration",
}
_FRAMEWORK_KEYS = {"pytorch_version", "tensorflow_version", "opset_version", "onnx_version", "keras_version"}
_IDENTITY = {
    "id": "ID_CHANGED",
    "name": "NAME_CHANGED",
    "version": "VERSION_CHANGED",
    "format_version": "FORMAT_VERSION_CHANGED",
    "license": "LICENSE_CHANGED",
    "authors": "PEOPLE_CHANGED",
    "maintainers": "PEOPLE_CHANGED",
    "cite": "CITATION_CHANGED",
}
_TENSOR_WORDS = {"inputs": "input", "outputs": "output"}


def classify(difference: Difference, old: Any, new: Any) -> tuple[DiffRule, str]:
    """The rule a difference falls under, and a one-line message; `old`/`new` are the canonical trees."""
    parts = difference.parts
    head = parts[0] if parts else ""
    if head in _TENSOR_WORDS:
        rule_id, note = _tensor_rule(difference, old, new)
    elif head == "weights":
        rule_id, note = _weights_rule(difference), ""
    elif head in _IDENTITY:
        rule_id, note = _IDENTITY[str(head)], ""
    elif head == "config" and any(p in MEASUREMENT_KEYS for p in parts):
        rule_id, note = "MEASUREMENT_CHANGED", _delta_note(difference)
    else:
        rule_id, note = "METADATA_CHANGED", ""
    return BY_ID[rule_id], _message(difference, note)


def _tensor_rule(difference: Difference, old: Any, new: Any) -> tuple[str, str]:
    parts, kind = difference.parts, difference.kind
    depth = len(parts)
    if depth == 1:
        return ("TENSOR_ORDER_CHANGED", "") if difference.aspect == "order" else ("TENSOR_REMOVED", "")
    if depth == 2:
        if difference.aspect == "rename":
            return "TENSOR_RENAMED", ""
        if kind == "removed":
            return "TENSOR_REMOVED", ""
        optional = isinstance(difference.new, dict) and difference.new.get("optional") is True
        return ("INPUT_ADDED" if parts[0] == "inputs" and not optional else "TENSOR_ADDED"), ""
    field = parts[2]
    if field == "axes":
        return _axis_rule(difference, old, new)
    if field == "shape":  # format 0.4 as written
        return "AXIS_SIZE_CHANGED", ""
    if field in ("data", "data_type", "data_range"):
        key = field if field != "data" else next((p for p in parts[3:] if isinstance(p, str)), "")
        if key in ("type", "data_type"):
            return "DTYPE_CHANGED", ""
        if key in ("range", "data_range", "scale", "offset"):
            return "DATA_RANGE_CHANGED", ""
        return "TENSOR_METADATA_CHANGED", ""
    if field == "preprocessing":
        return "PREPROCESSING_CHANGED", ""
    if field == "postprocessing":
        return "POSTPROCESSING_CHANGED", ""
    if field in ("test_tensor", "test_tensors"):
        return "TEST_TENSOR_CHANGED", ""
    if field == "optional" and difference.old is True and not difference.new:
        return "INPUT_REQUIRED", ""
    if field == "halo":  # format 0.4 as written: per tensor
        return _halo_rule(difference)
    return "TENSOR_METADATA_CHANGED", ""


def _axis_rule(difference: Difference, old: Any, new: Any) -> tuple[str, str]:
    parts, kind = difference.parts, difference.kind
    depth = len(parts)
    if depth == 3:
        if difference.aspect == "order":
            return "AXIS_ORDER_CHANGED", ""
        if isinstance(difference.old, str) and isinstance(difference.new, str):  # 0.4 letters, as written
            before, after = set(difference.old), set(difference.new)
            if before == after:
                return "AXIS_ORDER_CHANGED", ""
            return ("AXIS_REMOVED" if before - after else "AXIS_ADDED"), ""
        return "AXIS_REMOVED", ""
    if depth == 4:
        if difference.aspect == "rename":
            return "AXIS_RENAMED", ""
        return ("AXIS_REMOVED" if kind == "removed" else "AXIS_ADDED"), ""
    field = parts[4]
    if field == "type":
        return "AXIS_TYPE_CHANGED", ""
    if field == "size":
        return _size_rule(parts, old, new)
    if field == "channel_names":
        old_count = len(difference.old or ())
        new_count = len(difference.new or ())
        return ("AXIS_SIZE_CHANGED", "channel count") if old_count != new_count else ("AXIS_METADATA_CHANGED", "")
    if field == "halo":
        return _halo_rule(difference)
    return "AXIS_METADATA_CHANGED", ""


def _halo_rule(difference: Difference) -> tuple[str, str]:
    before, after = _number(difference.old), _number(difference.new)
    if after is not None and (before is None or after > before):
        return "HALO_INCREASED", ""
    return "AXIS_METADATA_CHANGED", ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (int, float)) for v in value):
        return float(max(value))  # 0.4 halo per axis: the largest
    return None


def _size_rule(parts: tuple[Part, ...], old: Any, new: Any) -> tuple[str, str]:
    """Stricter input sizes break callers; looser ones do not; any output size change does."""
    before = get(old, parts[:5])
    after = get(new, parts[:5])
    if parts[0] == "inputs" and _accepts_all(after, before):
        return "AXIS_SIZE_RELAXED", "every size valid before is still valid"
    if parts[0] == "inputs":
        return "AXIS_SIZE_CHANGED", "sizes valid before are refused now"
    return "AXIS_SIZE_CHANGED", ""


def _accepts_all(new: Any, old: Any) -> bool:
    """Whether every size the `old` constraint allows is allowed by `new` (0.5 size forms)."""
    if new is None:  # no size given: any size
        return True
    if old is None:
        return False
    if isinstance(new, int):
        return old == new
    if not isinstance(new, dict) or "tensor_id" in new or "max" in new:
        return old == new
    low, step = int(new.get("min", 0)), int(new.get("step", 0))
    if isinstance(old, int):
        return _allowed(old, low, step)
    if isinstance(old, dict) and "tensor_id" not in old and "max" not in old:
        old_low, old_step = int(old.get("min", 0)), int(old.get("step", 0))
        if not _allowed(old_low, low, step):
            return False
        return old_step == 0 or (step != 0 and old_step % step == 0)
    return False


def _allowed(size: int, low: int, step: int) -> bool:
    if size < low:
        return False
    return size == low if step == 0 else (size - low) % step == 0


def _weights_rule(difference: Difference) -> str:
    parts = difference.parts
    if len(parts) == 2:
        return "WEIGHT_FORMAT_REMOVED" if difference.kind == "removed" else "WEIGHT_FORMAT_ADDED"
    if len(parts) == 1:
        return "WEIGHT_FORMAT_REMOVED" if difference.old else "WEIGHT_FORMAT_ADDED"
    field = parts[2]
    if field in ("sha256", "source", "architecture"):
        return "WEIGHTS_CHANGED"
    if field in _FRAMEWORK_KEYS:
        return "FRAMEWORK_VERSION_CHANGED"
    return "WEIGHTS_METADATA_CHANGED"


def _delta_note(difference: Difference) -> str:
    before, after = leading_number(difference.old), leading_number(difference.new)
    if before is None or after is None or before[1] != after[1]:
        return ""
    delta = after[0] - before[0]
    unit = f" {before[1]}" if before[1] else ""
    relative = f", {delta / before[0]:+.1%}" if before[0] else ""
    return f"change {delta:+g}{unit}{relative}"


def leading_number(value: Any) -> tuple[float, str] | None:
    """(number, unit) of `12.6 MB of RAM...` or of a plain number; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value), ""
    if not isinstance(value, str):
        return None
    head = value.split()
    if not head:
        return None
    try:
        number = float(head[0])
    except ValueError:
        return None
    return number, head[1] if len(head) > 1 else ""


def where(parts: tuple[Part, ...]) -> str:
    """`inputs.raw.axes.y.size.step` in words: ``input `raw` axis `y`: size.step``."""
    if parts and parts[0] in _TENSOR_WORDS and len(parts) >= 2:
        text = f"{_TENSOR_WORDS[str(parts[0])]} `{parts[1]}`"
        rest = list(parts[2:])
        if len(rest) >= 2 and rest[0] == "axes":
            text += f" axis `{rest[1]}`"
            rest = rest[2:]
        elif rest and rest[0] == "axes":
            text += " axes"
            rest = rest[1:]
    elif parts and parts[0] == "weights" and len(parts) >= 2:
        text, rest = f"weights `{parts[1]}`", list(parts[2:])
    else:
        text, rest = "", list(parts)
    tail = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in rest).replace(".[", "[")
    return f"{text}: {tail}" if text and tail else text or tail


def short(value: Any, limit: int = 80) -> str:
    """A value in one short line for messages."""
    value = plain(value) if isinstance(value, (Keyed, frozenset, tuple)) else value
    if isinstance(value, str):
        text = value
    elif isinstance(value, dict) and "id" in value and len(value) > 1:
        text = f"`{value['id']}` {{…}}"
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _message(difference: Difference, note: str) -> str:
    place = where(difference.parts) or "the RDF"
    if difference.aspect == "rename":
        text = f"{place} renamed to `{difference.new}`"
    elif difference.aspect == "order":
        text = f"{place} order {short(difference.old)} → {short(difference.new)}"
    elif difference.kind == "added":
        text = f"{place} added: {short(difference.new)}"
    elif difference.kind == "removed":
        text = f"{place} removed (was {short(difference.old)})"
    else:
        text = f"{place}: {short(difference.old)} → {short(difference.new)}"
    return f"{text} ({note})" if note else text
