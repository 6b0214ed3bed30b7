"""`generate` on all 196 real RDFs: a card with the template's facts, or exit 2 naming file and field.

Runs through the CLI (typer's CliRunner) with sockets blocked, so it also proves
that generating never touches the network and never prints a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

from ruamel.yaml import YAML
from typer.testing import CliRunner

from network import NetworkUsed

from bmzcard.cli.app import app
from bmzcard.sources.readme import parse_card
from bmzcard.template import TEMPLATE


def _rdfs(shared: Path) -> list[Path]:
    return sorted((shared / "bmz" / "rdfs").glob("*.yaml"))


def _expected_facts(raw: dict) -> dict[str, str]:
    """Facts present in the RDF, each as a string the card must contain."""
    facts = {"name": " ".join(str(raw["name"]).split())}
    if isinstance(raw.get("license"), str):
        facts["license"] = raw["license"]
    for index, author in enumerate(raw.get("authors") or []):
        name = author.get("name") if isinstance(author, dict) else author
        facts[f"author {index}"] = " ".join(str(name).split())
    if raw.get("git_repo"):
        facts["repository"] = str(raw["git_repo"])
    for index, cite in enumerate(raw.get("cite") or []):
        if cite.get("doi"):
            facts[f"doi {index}"] = re.sub(r"^https?://(dx\.)?doi\.org/", "", str(cite["doi"]))
    for kind in ("inputs", "outputs"):
        for index, tensor in enumerate(raw.get(kind) or []):
            default = kind[:-1]  # format 0.5 names an unnamed tensor `input` / `output`
            facts[f"{kind} {index}"] = f"`{tensor.get('id') or tensor.get('name') or default}`"
    for weights_format in raw.get("weights") or {}:
        facts[f"weights {weights_format}"] = f"`{weights_format}`"
    return facts


def test_generate_every_real_rdf(shared, tmp_path, no_network):
    runner = CliRunner()
    cards = invalid = 0
    expected_total = found_total = 0
    misses = []
    for rdf in _rdfs(shared):
        output = tmp_path / f"{rdf.stem}.md"
        result = runner.invoke(app, ["generate", str(rdf), "-o", str(output)])
        assert "Traceback" not in result.output, rdf.name
        assert not isinstance(result.exception, NetworkUsed), rdf.name
        if result.exit_code == 2:
            invalid += 1
            assert rdf.name in result.output  # names the file
            assert re.search(r"\.yaml: [\w\[\]().]+[^:]*: ", result.output), result.output  # and the field
            assert not output.exists()
            continue
        assert result.exit_code == 0, (rdf.name, result.output)
        cards += 1
        text = output.read_text()
        card = parse_card(text)
        assert [h.section_key for h in card.headings] == [s.key for s in TEMPLATE.sections], rdf.name
        raw = YAML(typ="safe", pure=True).load(rdf)
        for label, fact in _expected_facts(raw).items():
            expected_total += 1
            if fact in text:
                found_total += 1
            else:
                misses.append((rdf.name, label, fact))
        space = [a for a in (raw["inputs"][0].get("axes") or []) if isinstance(a, dict) and a.get("type") == "space"]
        if space:
            expected_total += 1
            found_total += f"{len(space)}D" in text
    assert cards >= 170 and invalid <= 26, (cards, invalid)
    assert found_total / expected_total >= 0.95, misses[:20]
