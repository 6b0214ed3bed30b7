"""The diff job: read both sides, compare RDF, files, card, evaluation and lint, classify, report."""

from __future__ import annotations

import copy
import io
import re
from collections import Counter
from pathlib import Path
from typing import Any

from bmzcard.diff import card as card_diff
from bmzcard.diff.evaluation import datasets, metric_rows
from bmzcard.diff.report import Change, DiffReport, DiffWarning
from bmzcard.diff.rules import BY_ID, classify, where
from bmzcard.diff.sides import Side, read_side
from bmzcard.diff.tree import Difference, Keyed, canonical, compare, get, path_text, plain

MAX_TEST_TENSOR_BYTES = 1_000_000_000
_INTERFACE_KEYS = ("inputs", "outputs", "weights")


def compare_versions(old: str | Path, new: str | Path, *, numeric: bool = False, lint: bool = True) -> DiffReport:
    """The diff job behind `bmzcard.diff` (documented there)."""
    before, after = read_side(old), read_side(new)
    report = DiffReport(before.summary(), after.summary())
    as_written = before.description is None or after.description is None
    old_terms, old_evaluations = _terms(before, as_written)
    new_terms, new_evaluations = _terms(after, as_written)
    if as_written:
        rejected = "; ".join(s.rejected for s in (before, after) if s.rejected)
        report.warnings.append(DiffWarning("RDF_READ_AS_WRITTEN", f"compared as written: {rejected}"))
    report.unrelated = _unrelated(old_terms, new_terms)
    report.changes += _rdf_changes(old_terms, new_terms, report.unrelated)
    if not report.unrelated:
        report.changes += _file_size_changes(before, after, old_terms, new_terms)
        if numeric:
            _compare_test_tensors(before, after, old_terms, new_terms, report.changes)
    report.changes += _card_changes(before, after)
    rows, not_comparable = metric_rows(datasets(before, old_evaluations), datasets(after, new_evaluations))
    report.metrics = rows
    for key in not_comparable:
        report.warnings.append(
            DiffWarning("METRICS_NOT_COMPARABLE", f"evaluation on {key}: the data differ (source, sample count or "
                    "manifest hash); its numbers are not comparable")
        )
    if lint and before.card is not None and after.card is not None:
        _lint(before, after, report)
    report.warnings += _version_warnings(before, after, old_terms, new_terms, report)
    return report


def _terms(side: Side, as_written: bool) -> tuple[dict[str, Any], list[Any]]:
    """The side's RDF as a canonical tree, and its evaluations taken out for the metric rows.

    Both sides are compared on bioimageio.spec's 0.5 terms (0.3/0.4 upgraded),
    the fields the author wrote only, plus the format version and `config` as
    written; when the spec rejects either side, both are compared as written.
    The documentation's hash is left out: the cards are compared by meaning.
    """
    if as_written or side.description is None:
        data = copy.deepcopy(side.raw)
    else:
        # Top-level fields the author left out are not compared: the spec's defaults
        # say nothing of the model, and one of them (timestamp) is the time of reading.
        written = side.description.model_fields_set | {"format_version"}
        data = {k: v for k, v in side.description.model_dump(mode="json").items() if k in written}
        data["format_version"] = side.raw.get("format_version")
        # config as written: the spec fills config.bioimageio with boilerplate the author never wrote
        data["config"] = copy.deepcopy(side.raw.get("config"))
    evaluations: list[Any] = []
    config = data.get("config")
    if isinstance(config, dict) and isinstance(config.get("bioimageio"), dict):
        found = config["bioimageio"].pop("evaluations", None)
        evaluations = found if isinstance(found, list) else []
    documentation = data.get("documentation")
    if isinstance(documentation, dict):  # the card is compared by meaning, section by section
        documentation.pop("sha256", None)
    _fill_hashes(data, side)
    return canonical(data), evaluations


def _fill_hashes(data: Any, side: Side) -> None:
    """Give every `{source, sha256}` file without a declared hash the hash of the file, where it is present.

    Then a file whose hash one version declares and the other does not (0.4
    test tensors, say) compares by content instead of counting as changed.
    """
    if isinstance(data, dict):
        source = data.get("source")
        if "sha256" in data and not data.get("sha256") and isinstance(source, str) and "://" not in source:
            data["sha256"] = side.file_sha256(source)
        for value in data.values():
            _fill_hashes(value, side)
    elif isinstance(data, list):
        for value in data:
            _fill_hashes(value, side)


def _unrelated(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Two different models: their names differ and they share no author."""
    if old.get("name") == new.get("name"):
        return False
    authors = [set(a.items) if isinstance(a, Keyed) else set() for a in (old.get("authors"), new.get("authors"))]
    return not (authors[0] & authors[1])


def _rdf_changes(old: dict[str, Any], new: dict[str, Any], unrelated: bool) -> list[Change]:
    if unrelated:  # everything differs: one change per top-level field, said once
        differences = [
            Difference((key,), "added" if key not in old else "removed" if key not in new else "changed",
                       plain(old.get(key)), plain(new.get(key)))
            for key in list(old) + [k for k in new if k not in old]
            if old.get(key) != new.get(key)
        ]
    else:
        differences = list(compare(old, new))
    changes = []
    for difference in differences:
        rule, message = classify(difference, old, new)
        if unrelated and difference.parts[0] in _INTERFACE_KEYS:
            rule = BY_ID["MODEL_REPLACED"]
        changes.append(
            Change(path_text(difference.parts), difference.kind, difference.old, difference.new, rule.id,
                   rule.breaking, rule.section, message)
        )
    return changes


def _file_size_changes(before: Side, after: Side, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Weight file sizes of the formats both versions have, where both files are present."""
    changes = []
    weights = [(k, v) for k, v in (old.get("weights") or {}).items() if isinstance(v, dict)]
    rule = BY_ID["MEASUREMENT_CHANGED"]
    for name, entry in weights:
        other = (new.get("weights") or {}).get(name)
        if not isinstance(other, dict):
            continue
        sizes = [
            side.package.file_size(str(e.get("source"))) if isinstance(e.get("source"), str) else None
            for side, e in ((before, entry), (after, other))
        ]
        if None in sizes or sizes[0] == sizes[1]:
            continue
        a, b = sizes
        change = f"{b - a:+,} bytes" + (f", {(b - a) / a:+.1%}" if a else "")
        changes.append(
            Change(f"weights.{name}.file_size", "changed", a, b, rule.id, rule.breaking, rule.section,
                   f"weights `{name}`: file size {a:,} → {b:,} bytes ({change})")
        )
    return changes


def _compare_test_tensors(before: Side, after: Side, old: dict[str, Any], new: dict[str, Any],
                          changes: list[Change]) -> None:
    """With --numeric: the largest absolute difference of each pair of test tensors."""
    rule = BY_ID["TEST_TENSOR_CHANGED"]
    for kind in ("inputs", "outputs"):
        old_tensors, new_tensors = old.get(kind), new.get(kind)
        if not (isinstance(old_tensors, Keyed) and isinstance(new_tensors, Keyed)):
            continue
        for tensor_id in old_tensors.order:
            if tensor_id not in new_tensors.items:
                continue
            sources = [get(t, (kind, tensor_id, "test_tensor", "source")) for t in (old, new)]
            if not all(isinstance(s, str) and "://" not in s for s in sources):
                continue
            arrays = [_load_array(side, source) for side, source in zip((before, after), sources)]
            if arrays[0] is None or arrays[1] is None:
                continue
            detail = _array_difference(*arrays)
            path = f"{kind}.{tensor_id}.test_tensor"
            existing = [i for i, c in enumerate(changes) if c.path.startswith(path + ".") or c.path == path]
            if existing:
                first = changes[existing[0]]
                changes[existing[0]] = Change(first.path, first.kind, first.old, first.new, first.rule, first.breaking,
                                              first.section, f"{first.message} ({_numeric_text(detail)})", detail)
            elif detail["max_abs_diff"] != 0 or detail["shape_old"] != detail["shape_new"]:
                changes.append(Change(path, "changed", sources[0], sources[1], rule.id, rule.breaking, rule.section,
                                      f"{where(tuple(path.split('.')))} ({_numeric_text(detail)})", detail))


def _load_array(side: Side, source: str):
    import numpy as np

    if not source.lower().endswith(".npy") or not side.package.has_file(source):
        return None
    data = side.package.read_bytes(source, MAX_TEST_TENSOR_BYTES)
    try:
        return np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as error:
        from bmzcard.errors import BmzcardError

        raise BmzcardError(f"not a numpy array file: {error}", path=side.package.display(source)) from None


def _array_difference(a, b) -> dict[str, Any]:
    import numpy as np

    detail: dict[str, Any] = {"shape_old": list(a.shape), "shape_new": list(b.shape),
                              "dtype_old": str(a.dtype), "dtype_new": str(b.dtype), "max_abs_diff": None}
    if a.shape == b.shape and a.size:
        flat_a, flat_b = a.reshape(-1), b.reshape(-1)
        largest = 0.0
        step = 1 << 22  # bounded temporaries for large tensors
        for start in range(0, flat_a.size, step):
            chunk = np.abs(flat_a[start:start + step].astype(np.float64) - flat_b[start:start + step].astype(np.float64))
            largest = max(largest, float(np.nanmax(chunk)) if chunk.size else 0.0)
        detail["max_abs_diff"] = largest
    elif a.shape == b.shape:
        detail["max_abs_diff"] = 0.0
    return detail


def _numeric_text(detail: dict[str, Any]) -> str:
    if detail["max_abs_diff"] is None:
        return f"shape {detail['shape_old']} → {detail['shape_new']}"
    return f"max abs difference {detail['max_abs_diff']:.6g}"


def _card_changes(before: Side, after: Side) -> list[Change]:
    rule = BY_ID["CARD_SECTION_CHANGED"]
    if before.card is None or after.card is None:
        if before.card is after.card:
            return []
        kind = "added" if before.card is None else "removed"
        card = (after.card or before.card).path  # type: ignore[union-attr]
        return [Change("card", kind, None if kind == "added" else card, card if kind == "added" else None,
                       rule.id, rule.breaking, rule.section, f"card {kind}: {card}")]
    old_sections, new_sections = card_diff.sections(before.card), card_diff.sections(after.card)
    changes = []
    for key in list(old_sections) + [k for k in new_sections if k not in old_sections]:
        old_title, old_text = old_sections.get(key, (None, None))
        new_title, new_text = new_sections.get(key, (None, None))
        if old_text == new_text:
            continue
        title = new_title or old_title
        runs = card_diff.word_diff(old_text or "", new_text or "")
        if old_text is None:
            kind, message = "added", f"card section `{title}` added"
        elif new_text is None:
            kind, message = "removed", f"card section `{title}` removed"
        else:
            removed, added = card_diff.counts(runs)
            kind, message = "changed", f"card section `{title}`: {removed} words removed, {added} added"
        changes.append(Change(f"card.{key}", kind, old_text, new_text, rule.id, rule.breaking, rule.section, message,
                              {"words": [list(run) for run in runs]}))
    return changes


def _lint(before: Side, after: Side, report: DiffReport) -> None:
    from bmzcard.lint.config import load_config
    from bmzcard.lint.engine import check_card
    from bmzcard.lint.registry import selected

    config = load_config()
    entries = selected(config.select, config.ignore)
    old_report = check_card(before.card, entries)  # type: ignore[arg-type]
    new_report = check_card(after.card, entries)  # type: ignore[arg-type]

    def key(finding) -> tuple[str, str]:  # line numbers move when text is added above
        return finding.code, finding.message

    old_keys = Counter(key(f) for f in old_report.findings)
    new_keys = Counter(key(f) for f in new_report.findings)
    for finding in new_report.findings:
        if old_keys[key(finding)] > 0:
            old_keys[key(finding)] -= 1
        else:
            report.findings_new.append(finding.to_json())
    for finding in old_report.findings:
        if new_keys[key(finding)] > 0:
            new_keys[key(finding)] -= 1
        else:
            report.findings_fixed.append(finding.to_json())
    old_score = old_report.completeness.overall if old_report.completeness else None
    new_score = new_report.completeness.overall if new_report.completeness else None
    delta = new_score - old_score if old_score is not None and new_score is not None else None
    report.completeness = {"old": old_score, "new": new_score, "delta": delta}


def _version_warnings(before: Side, after: Side, old: dict[str, Any], new: dict[str, Any],
                      report: DiffReport) -> list[DiffWarning]:
    """Version not bumped or lowered; a new version that no changelog or card mentions."""
    if not report.has_changes or report.unrelated:
        return []
    old_version, new_version = old.get("version"), new.get("version")
    if new_version is None or new_version == old_version:
        stated = f"stays {old_version}" if new_version is not None else (
            f"is not stated (OLD was {old_version})" if old_version is not None else "is stated by neither")
        return [DiffWarning("VERSION_NOT_BUMPED", f"the model changed but its version {stated}")]
    warnings = []
    order = _version_order(str(old_version), str(new_version)) if old_version is not None else 1
    if order is not None and order < 0:
        warnings.append(DiffWarning("VERSION_DECREASED", f"the version went down: {old_version} → {new_version}"))
    if not _mentions(after, str(new_version), old.get("version_comment"), new.get("version_comment")):
        warnings.append(DiffWarning("CHANGELOG_MISSING", f"version {new_version}: neither version_comment, a "
                                "changelog nor the card mentions it"))
    return warnings


def _version_order(old: str, new: str) -> int | None:
    """1 when `new` is higher, -1 when lower, 0 when equal (PEP 440, else the numbers); None when incomparable."""
    from packaging.version import InvalidVersion, Version

    try:
        a, b = Version(old), Version(new)
    except InvalidVersion:
        numbers = [tuple(int(n) for n in re.findall(r"\d+", v)) for v in (old, new)]
        if not numbers[0] or not numbers[1]:
            return None
        a, b = numbers  # type: ignore[assignment]
    return (b > a) - (b < a)  # type: ignore[operator]


def _mentions(side: Side, version: str, old_comment: Any, new_comment: Any) -> bool:
    """A new version_comment, or the version named in a `changelog` of the RDF or in the card."""
    if new_comment and new_comment != old_comment:
        return True
    pattern = re.compile(rf"(?<![\w.]){re.escape(version.lstrip('v'))}(?![\w]|\.\d)")
    config = side.raw.get("config")
    changelog = side.raw.get("changelog") or (config.get("changelog") if isinstance(config, dict) else None)
    texts = [str(changelog)] if changelog else []
    if side.card is not None:
        texts.append(side.card.text)
    return any(pattern.search(text) for text in texts)
