"""The 196 shared RDFs: each against itself gives no change; re-serialized, still none."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

import bmzcard


def _rdfs(shared: Path) -> list[Path]:
    found = sorted((shared / "bmz" / "rdfs").glob("*.yaml"))
    assert len(found) == 196, "the shared RDFs are incomplete"
    return found


def test_self_diff_of_every_shared_rdf_reports_nothing(shared):
    """Valid ones on the spec's terms, the ones the spec rejects as written: 0 changes either way."""
    changed, as_written = {}, 0
    for path in _rdfs(shared):
        report = bmzcard.diff(path, path)
        warnings = [w.rule for w in report.warnings]
        as_written += warnings == ["RDF_READ_AS_WRITTEN"]
        if report.has_changes or warnings not in ([], ["RDF_READ_AS_WRITTEN"]):
            changed[path.name] = [c.message for c in report.changes] + [w.message for w in report.warnings]
    assert changed == {}
    assert 0 < as_written < 40  # the invalid examples and deepImageJ files; most are read by the spec


def test_reserialized_rdfs_report_nothing(shared, tmp_path):
    """Every 8th RDF, its keys reversed and re-dumped without comments in flow style: no change."""
    reader, writer = YAML(typ="safe"), YAML(typ="safe")
    writer.default_flow_style = True
    changed = {}
    for path in _rdfs(shared)[::8]:
        copy = tmp_path / path.name
        data = reader.load(path.read_text(encoding="utf-8"))
        with open(copy, "w", encoding="utf-8") as stream:
            writer.dump(dict(reversed(list(data.items()))), stream)
        report = bmzcard.diff(path, copy)
        if report.changes:
            changed[path.name] = [c.message for c in report.changes]
    assert changed == {}


def test_versions_of_one_zoo_concept_compare(shared):
    """Two real versions of one legacy zoo model: related, and the format version change is reported."""
    folder = shared / "bmz" / "rdfs"
    report = bmzcard.diff(folder / "cbio__zenodo.5749843__v5877226.yaml", folder / "cbio__zenodo.5749843__v5888237.yaml")
    assert not report.unrelated
    assert any(c.rule == "FORMAT_VERSION_CHANGED" for c in report.changes)
